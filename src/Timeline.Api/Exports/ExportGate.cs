using Microsoft.Extensions.Options;
using Timeline.Api.Operations;

namespace Timeline.Api.Exports;

/// <summary>
/// The export slots: how many whole-store answers (CSV, iCalendar, Atom, TimelineJS, GET /export) stream at once
/// (Timeline:Limits:ConcurrentExports), and at most one of them for each client. Each export holds a read snapshot, a
/// batch of events and its writers' buffers while it streams; a burst of exports queues here instead of multiplying
/// that, so the server's memory stays bounded.
/// <para>
/// A client (its API key's name, else its address: the rate limiter's identity) has one export in flight: a second
/// one waits for the first to end before it queues for a slot, so one client never holds two slots, nor two places
/// in the queue. Waiting is bounded: a request that has no slot after Timeline:Limits:ExportQueueSeconds is refused
/// (503 with Retry-After), and a request whose client leaves stops waiting.
/// </para>
/// </summary>
public sealed class ExportGate(IOptions<OperationsOptions> options, TimeProvider clock)
{
    private readonly SemaphoreSlim? _slots = options.Value.Limits.ConcurrentExports > 0
        ? new SemaphoreSlim(options.Value.Limits.ConcurrentExports)
        : null;

    private readonly Dictionary<string, ClientTurn> _clients = new(StringComparer.Ordinal);

    /// <summary>How long a request may wait for its turn and a slot.</summary>
    public TimeSpan QueueTimeout { get; } = TimeSpan.FromSeconds(options.Value.Limits.ExportQueueSeconds);

    /// <summary>How many exports hold a slot or wait for one (for tests and metrics).</summary>
    public int ClientsInFlight
    {
        get
        {
            lock (_clients)
            {
                return _clients.Count;
            }
        }
    }

    /// <summary>
    /// Waits (at most <see cref="QueueTimeout"/>) for this client's turn and then for a free slot. Returns the slot,
    /// to dispose when the export ends, or null when none came in time. Throws when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task<IDisposable?> EnterAsync(string client, CancellationToken cancellationToken)
    {
        var turn = Join(client);
        var ownTurn = false;
        var slot = false;
        var leased = false;
        try
        {
            var started = clock.GetTimestamp();
            ownTurn = await turn.Semaphore.WaitAsync(QueueTimeout, cancellationToken);
            if (!ownTurn)
            {
                return null;
            }

            if (_slots is not null)
            {
                var left = QueueTimeout - clock.GetElapsedTime(started);
                slot = left > TimeSpan.Zero && await _slots.WaitAsync(left, cancellationToken);
                if (!slot)
                {
                    return null;
                }
            }

            var lease = new Lease(this, client, turn, _slots is not null);
            (ownTurn, slot, leased) = (false, false, true);
            return lease;
        }
        finally
        {
            // Whatever was taken is given back unless the lease now owns it.
            if (slot)
            {
                _slots!.Release();
            }

            if (ownTurn)
            {
                turn.Semaphore.Release();
            }

            if (!leased)
            {
                Leave(client, turn);
            }
        }
    }

    private ClientTurn Join(string client)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(client, out var turn))
            {
                turn = new ClientTurn();
                _clients[client] = turn;
            }

            turn.Users++;
            return turn;
        }
    }

    private void Leave(string client, ClientTurn turn)
    {
        lock (_clients)
        {
            if (--turn.Users == 0)
            {
                _clients.Remove(client);
                turn.Semaphore.Dispose();
            }
        }
    }

    /// <summary>One client's turn: a semaphore of one, and how many of its requests hold or wait for it.</summary>
    private sealed class ClientTurn
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Lease : IDisposable
    {
        private readonly ExportGate _gate;
        private readonly string _client;
        private readonly ClientTurn _turn;
        private readonly bool _holdsSlot;
        private int _disposed;

        public Lease(ExportGate gate, string client, ClientTurn turn, bool holdsSlot)
        {
            _gate = gate;
            _client = client;
            _turn = turn;
            _holdsSlot = holdsSlot;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            if (_holdsSlot)
            {
                _gate._slots!.Release();
            }

            _turn.Semaphore.Release();
            _gate.Leave(_client, _turn);
        }
    }
}

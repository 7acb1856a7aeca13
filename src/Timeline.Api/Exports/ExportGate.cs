using Microsoft.Extensions.Options;
using Timeline.Api.Operations;

namespace Timeline.Api.Exports;

/// <summary>
/// How many streamed exports (CSV, iCalendar, Atom) run at once (Timeline:Limits:ConcurrentExports).
/// Each one holds a read snapshot, a batch of events and its writers' buffers while it streams; a burst of exports
/// queues here instead of multiplying that, so the server's memory stays bounded. A waiting request costs nothing
/// but its connection, and stops waiting when its client leaves.
/// </summary>
public sealed class ExportGate(IOptions<OperationsOptions> options)
{
    private readonly SemaphoreSlim? _slots = options.Value.Limits.ConcurrentExports > 0
        ? new SemaphoreSlim(options.Value.Limits.ConcurrentExports)
        : null;

    /// <summary>Runs the export once a slot is free (or at once when there is no limit).</summary>
    public async Task RunAsync(Func<Task> export, CancellationToken cancellationToken)
    {
        if (_slots is null)
        {
            await export();
            return;
        }

        await _slots.WaitAsync(cancellationToken);
        try
        {
            await export();
        }
        finally
        {
            _slots.Release();
        }
    }
}

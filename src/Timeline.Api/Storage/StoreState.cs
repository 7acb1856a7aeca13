using Dapper;
using Microsoft.Extensions.Options;

namespace Timeline.Api.Storage;

/// <summary>The store's data version (grows with every change) and when the data last changed.</summary>
public sealed record StoreVersion(long DataVersion, string UpdatedAt);

/// <summary>
/// The store's data version, which ETags and the response cache are keyed by. It is read from the
/// store_state table and kept in memory: writes made by this process refresh it at once; changes made
/// by another process (an `import` run beside the server, another replica) are seen within
/// Timeline:DataVersionRefreshMilliseconds.
/// </summary>
public sealed class StoreState(Database database, IOptions<TimelineOptions> options, TimeProvider clock)
{
    private readonly TimeSpan _refresh = TimeSpan.FromMilliseconds(Math.Max(0, options.Value.DataVersionRefreshMilliseconds));
    private StoreVersion? _current;
    private long _readAt;
    private long _generation;

    private sealed class Row
    {
        public long DataVersion { get; init; }

        public string UpdatedAt { get; init; } = string.Empty;
    }

    public async ValueTask<StoreVersion> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && clock.GetElapsedTime(Volatile.Read(ref _readAt)) < _refresh)
        {
            return current;
        }

        return await ReadAsync(cancellationToken);
    }

    /// <summary>Forgets the cached version: called after every write this process commits.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _current, null);
    }

    private async Task<StoreVersion> ReadAsync(CancellationToken cancellationToken)
    {
        var stamp = clock.GetTimestamp();
        var generation = Volatile.Read(ref _generation);
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(
            "SELECT data_version, updated_at FROM store_state WHERE id = 1;", cancellationToken: cancellationToken));
        var version = new StoreVersion(row.DataVersion, row.UpdatedAt);
        // A write committed while this read was under way may be newer than what it read: then keep nothing cached.
        if (Interlocked.Read(ref _generation) == generation)
        {
            Volatile.Write(ref _readAt, stamp);
            Volatile.Write(ref _current, version);
        }

        return version;
    }
}

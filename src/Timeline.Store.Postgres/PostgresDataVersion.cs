using Dapper;
using Microsoft.Extensions.Options;

namespace Timeline.Store.Postgres;

/// <summary>
/// The store's data version, which ETags and the response cache are keyed by. It is read from the
/// store_state table and kept in memory: writes made by this process refresh it at once; changes made
/// by another process (an `import` run beside the server, another replica) are seen within
/// Timeline:DataVersionRefreshMilliseconds.
/// </summary>
public sealed class PostgresDataVersion(PostgresConnections database, IOptions<TimelineOptions> options, TimeProvider clock) : IDataVersion
{
    private readonly TimeSpan _refresh = TimeSpan.FromMilliseconds(Math.Max(0, options.Value.DataVersionRefreshMilliseconds));
    private Cached? _current;
    private long _generation;

    /// <summary>A version read from the store, when, and under which generation of local writes.</summary>
    private sealed record Cached(StoreVersion Version, long ReadAt, long Generation);

    private sealed class Row
    {
        public long DataVersion { get; init; }

        public string UpdatedAt { get; init; } = string.Empty;
    }

    public async ValueTask<StoreVersion> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && current.Generation == Interlocked.Read(ref _generation) && clock.GetElapsedTime(current.ReadAt) < _refresh)
        {
            return current.Version;
        }

        return await ReadAsync(cancellationToken);
    }

    /// <summary>
    /// Forgets the cached version: called after every write this process commits. A read that began before the
    /// write is tagged with the previous generation, so even if it stores its (older) version afterwards, that
    /// version is never served.
    /// </summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    private async Task<StoreVersion> ReadAsync(CancellationToken cancellationToken)
    {
        var stamp = clock.GetTimestamp();
        var generation = Interlocked.Read(ref _generation);
        await using var connection = await database.OpenAsync(cancellationToken); // the primary: an ETag never goes back to a standby's older version
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(
            "SELECT data_version, updated_at FROM store_state WHERE id = 1;", cancellationToken: cancellationToken));
        var version = new StoreVersion(row.DataVersion, row.UpdatedAt);

        // Keep the newest version read for the current generation; never replace a newer one with an older read.
        var read = new Cached(version, stamp, generation);
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current is not null && current.Generation >= generation && current.Version.DataVersion > version.DataVersion)
            {
                break;
            }

            if (Interlocked.CompareExchange(ref _current, read, current) == current)
            {
                break;
            }
        }

        return version;
    }
}

/// <summary>Moves the data version forward inside a write transaction (once per write, before it commits).</summary>
public static class DataVersionBump
{
    public static Task<int> BumpAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE store_state SET data_version = data_version + 1, updated_at = @UpdatedAt WHERE id = 1;",
            new { UpdatedAt = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture) },
            transaction,
            cancellationToken: cancellationToken));
}

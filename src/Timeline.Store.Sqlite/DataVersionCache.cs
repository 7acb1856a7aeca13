using Dapper;
using Microsoft.Extensions.Options;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The store's data version, which ETags and the response cache are keyed by, read from the store_state table and kept
/// in memory by <see cref="CachedDataVersion"/> (shared with the PostgreSQL engine).
/// </summary>
public sealed class DataVersionCache(SqliteConnections database, IOptions<TimelineOptions> options, TimeProvider clock)
    : CachedDataVersion(RefreshOf(options.Value.DataVersionRefreshMilliseconds), clock)
{
    private sealed class Row
    {
        public long DataVersion { get; init; }

        public string UpdatedAt { get; init; } = string.Empty;
    }

    protected override async Task<StoreVersion> ReadVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(
            "SELECT data_version, updated_at FROM store_state WHERE id = 1;", cancellationToken: cancellationToken));
        return new StoreVersion(row.DataVersion, row.UpdatedAt);
    }
}

using Dapper;
using Microsoft.Extensions.Options;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>
/// The store's data version, which ETags and the response cache are keyed by, read from the store_state table and kept
/// in memory by <see cref="CachedDataVersion"/> (shared with the SQLite engine): writes made by this process refresh it
/// at once; another replica's within Timeline:DataVersionRefreshMilliseconds.
/// It is read where the reads it tags are served: from the primary, or, when Timeline:Postgres:ReadsFromStandby is on,
/// from the standby the reads go to, so that an ETag (and a kept response) always names the snapshot its body was read
/// from. Were it read from the primary while the lists came from a standby that has not replayed a change yet, the
/// standby's older answer would be tagged, and kept in the response cache, under the newer version, and served as
/// current after the standby had caught up.
/// </summary>
public sealed class PostgresDataVersion(PostgresConnections database, IOptions<TimelineOptions> options, TimeProvider clock)
    : CachedDataVersion(RefreshOf(options.Value.DataVersionRefreshMilliseconds), clock)
{
    private sealed class Row
    {
        public long DataVersion { get; init; }

        public string UpdatedAt { get; init; } = string.Empty;
    }

    protected override async Task<StoreVersion> ReadVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(
            "SELECT data_version, updated_at FROM store_state WHERE id = 1;", cancellationToken: cancellationToken));
        return new StoreVersion(row.DataVersion, row.UpdatedAt);
    }
}

/// <summary>Moves the data version forward inside a write transaction (once per write, before it commits).</summary>
public static class DataVersionBump
{
    public static Task<int> BumpAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE store_state SET data_version = data_version + 1, updated_at = @UpdatedAt WHERE id = 1;",
            new { UpdatedAt = Timeline.Model.Store.Engine.Timestamps.Format(now) },
            transaction,
            cancellationToken: cancellationToken));
}

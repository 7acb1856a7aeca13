using Dapper;
using Npgsql;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>
/// Counts and versions of the PostgreSQL store, for GET /version and /metrics. Read where the reads are served (the
/// primary, or a standby when Timeline:Postgres:ReadsFromStandby is on), as the data version is, so that /version and
/// the gauges agree with the ETags. The store's "file" is the database: its size (pg_database_size) is read with the
/// counts and kept for the file gauge, which asks synchronously.
/// </summary>
public sealed class PostgresStoreStatistics(PostgresConnections database) : IStoreStatistics
{
    private long _databaseBytes;

    public int ExpectedSchemaVersion => PostgresMigrator.LatestVersion;

    /// <summary>The database, as of the last summary read (0 before the first).</summary>
    public IReadOnlyList<StoreFileSize> FileSizes() => [new("database", Interlocked.Read(ref _databaseBytes))];

    public async Task<StoreSummary> GetAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var (summary, bytes) = await ReadAsync(connection, cancellationToken);
        Interlocked.Exchange(ref _databaseBytes, bytes);
        return summary;
    }

    /// <summary>The summary of the store behind an open connection, and the database's size in bytes.</summary>
    public static async Task<(StoreSummary Summary, long DatabaseBytes)> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var schemaVersion = await PostgresMigrator.CurrentVersionAsync(connection, cancellationToken);
        var row = await connection.QuerySingleAsync<StoreSummaryRow>(new CommandDefinition(
            """
            SELECT (SELECT COUNT(*) FROM events WHERE deleted_at IS NULL)   AS events,
                   (SELECT COUNT(*) FROM entities WHERE deleted_at IS NULL) AS entities,
                   (SELECT COUNT(*) FROM sources WHERE deleted_at IS NULL)  AS sources,
                   (SELECT COUNT(*) FROM citations c JOIN events e ON e.id = c.event_id AND e.deleted_at IS NULL) AS citations,
                   s.data_version,
                   s.updated_at
            FROM store_state s
            WHERE s.id = 1;
            """,
            cancellationToken: cancellationToken));
        var bytes = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT pg_database_size(current_database());", cancellationToken: cancellationToken));
        return (row.ToSummary(schemaVersion), bytes);
    }
}

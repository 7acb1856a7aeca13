using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Sqlite;

/// <summary>Counts and versions of a store, for GET /version, /metrics and the backup commands.</summary>
public sealed class StoreStatistics(SqliteConnections database) : IStoreStatistics
{
    public int ExpectedSchemaVersion => Migrator.LatestVersion;

    /// <summary>The database file and its write-ahead log.</summary>
    public IReadOnlyList<StoreFileSize> FileSizes() =>
    [
        new("database", SizeOf(database.FilePath)),
        new("wal", SizeOf(database.FilePath + "-wal")),
    ];

    private static long SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    public async Task<StoreSummary> GetAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAsync(connection, cancellationToken);
    }

    /// <summary>The summary of the store behind an open connection (the live store, a backup, a file to restore).</summary>
    public static async Task<StoreSummary> ReadAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var schemaVersion = await Migrator.CurrentVersionAsync(connection, cancellationToken);
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
        return row.ToSummary(schemaVersion);
    }
}

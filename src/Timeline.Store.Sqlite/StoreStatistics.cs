using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>How many records the store holds.</summary>
/// <param name="Events">Events on the timeline.</param>
/// <param name="Entities">Companies, agencies, products, chips and the rest.</param>
/// <param name="Sources">Source documents.</param>
/// <param name="Citations">Verbatim quotes from the sources supporting the events.</param>
public sealed record StoreCounts(long Events, long Entities, long Sources, long Citations);

/// <summary>What the store holds and at which versions.</summary>
/// <param name="SchemaVersion">The schema version recorded in the store.</param>
/// <param name="DataVersion">Grows with every change to the data; ETags derive from it.</param>
/// <param name="DataUpdatedAt">When the data last changed (UTC, ISO 8601).</param>
/// <param name="Counts">How many records of each kind.</param>
public sealed record StoreSummary(int SchemaVersion, long DataVersion, string DataUpdatedAt, StoreCounts Counts);

/// <summary>Counts and versions of a store, for GET /version, /metrics and the backup commands.</summary>
public sealed class StoreStatistics(SqliteConnections database)
{
    private sealed class Row
    {
        public long Events { get; init; }

        public long Entities { get; init; }

        public long Sources { get; init; }

        public long Citations { get; init; }

        public long DataVersion { get; init; }

        public string UpdatedAt { get; init; } = string.Empty;
    }

    public async Task<StoreSummary> GetAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAsync(connection, cancellationToken);
    }

    /// <summary>The summary of the store behind an open connection (the live store, a backup, a file to restore).</summary>
    public static async Task<StoreSummary> ReadAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var schemaVersion = await Migrator.CurrentVersionAsync(connection, cancellationToken);
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(
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
        return new StoreSummary(schemaVersion, row.DataVersion, row.UpdatedAt, new StoreCounts(row.Events, row.Entities, row.Sources, row.Citations));
    }
}

/// <summary>The build this process runs: the version and the git commit it was built from.</summary>
public static class BuildInfo
{
    private static readonly string Informational =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The version, without the commit the SDK appends after a '+'.</summary>
    public static string Version { get; } = Informational.Split('+')[0];

    /// <summary>
    /// The commit: the SDK appends it (SourceRevisionId, from git) to the informational version; a Docker build,
    /// which has no .git, passes it as a build argument. "unknown" when neither had it.
    /// </summary>
    public static string Commit { get; } = Informational.Split('+') is [_, { Length: > 0 } commit, ..] ? commit : "unknown";

    /// <summary>The .NET runtime, such as ".NET 10.0.0".</summary>
    public static string Runtime { get; } = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
}

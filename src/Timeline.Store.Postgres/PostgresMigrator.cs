using System.Globalization;
using Dapper;
using Timeline.Model.Store.Engine;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// Applies the embedded, versioned SQL migrations (Migrations/NNNN_name.sql) the database has not seen yet, all in one
/// transaction on the primary that holds the migration advisory lock: replicas starting at once against an empty
/// database wait for each other, and the second finds the schema at the latest version and applies nothing.
/// </summary>
public static class PostgresMigrator
{
    private const string ResourcePrefix = "Timeline.Store.Postgres.Migrations.";

    /// <summary>The migrations shipped with this build, in version order.</summary>
    public static IReadOnlyList<Migration> All { get; } = EmbeddedMigrations.Load(typeof(PostgresMigrator).Assembly, ResourcePrefix);

    /// <summary>The schema version this build expects.</summary>
    public static int LatestVersion => All[^1].Version;

    /// <summary>
    /// Migrates to <see cref="LatestVersion"/>, then, in the same transaction, rebuilds the search rows of a store whose
    /// rows were built with another folding of words than this build's (<see cref="PostgresSearchIndex.RefoldAsync"/>):
    /// until it commits, replicas of the older build go on serving (their searches wait for the search tables). Returns
    /// the versions it applied (none when another replica did).
    /// </summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(PostgresConnections database, CancellationToken cancellationToken, ILogger? logger = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Another replica's migrations may hold the lock for minutes (0012's rebuild of the search rows): wait for them
        // rather than fail at the connection's command timeout and restart.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@Key);", new { Key = PostgresConnections.MigrationLockKey }, transaction, cancellationToken: cancellationToken, commandTimeout: 0));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at text NOT NULL
            );
            """,
            transaction: transaction,
            cancellationToken: cancellationToken));

        var current = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", transaction: transaction, cancellationToken: cancellationToken));
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL store has schema version {current}, newer than this build's {LatestVersion}: run a build at least as new.");
        }

        var applied = new List<int>();
        foreach (var migration in All.Where(m => m.Version > current))
        {
            // A migration takes as long as its tables' rows do (an index over 1,000,000 events, a new table filled from
            // them), not the connection's command timeout.
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken, commandTimeout: 0));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt);",
                new { migration.Version, migration.Name, AppliedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) },
                transaction,
                cancellationToken: cancellationToken));
            applied.Add(migration.Version);
        }

        if (await PostgresSearchIndex.RefoldAsync(connection, transaction, cancellationToken) is { } took)
        {
            logger?.LogInformation("Rebuilt the search rows with this build's folding of words (fold {Fold}) in {Seconds:F1} s", PostgresSearchIndex.Fold, took.TotalSeconds);
        }

        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    /// <summary>The version recorded in the database, or 0 for a database that was never migrated.</summary>
    public static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('schema_migrations') IS NOT NULL;", cancellationToken: cancellationToken));
        return exists
            ? await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellationToken: cancellationToken))
            : 0;
    }
}

using System.Globalization;
using Dapper;
using Timeline.Model.Store.Engine;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Applies the embedded, versioned SQL migrations (Migrations/NNNN_name.sql) that the store has
/// not seen yet, all in one transaction, and records each version in schema_migrations.
/// </summary>
public static class Migrator
{
    private const string ResourcePrefix = "Timeline.Store.Sqlite.Migrations.";

    /// <summary>The migrations shipped with this build, in version order.</summary>
    public static IReadOnlyList<Migration> All { get; } = EmbeddedMigrations.Load(typeof(Migrator).Assembly, ResourcePrefix);

    /// <summary>The schema version this build expects.</summary>
    public static int LatestVersion => All[^1].Version;

    public static async Task<int> MigrateAsync(SqliteConnections database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await SqliteConnections.ConfigureFileAsync(connection, cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL
            ) STRICT;
            """,
            transaction: transaction,
            cancellationToken: cancellationToken));

        var current = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;",
            transaction: transaction,
            cancellationToken: cancellationToken));

        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The store at {database.FilePath} has schema version {current}, newer than this build's {LatestVersion}.");
        }

        foreach (var migration in All.Where(m => m.Version > current))
        {
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt);",
                new { migration.Version, migration.Name, AppliedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return LatestVersion;
    }

    /// <summary>The version recorded in the store, or 0 for a store that was never migrated.</summary>
    public static async Task<int> CurrentVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations';",
            cancellationToken: cancellationToken));
        return exists == 0
            ? 0
            : await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;",
                cancellationToken: cancellationToken));
    }
}

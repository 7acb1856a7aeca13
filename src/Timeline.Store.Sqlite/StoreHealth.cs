using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>The readiness check (the schema version, and the tables answering) and the store's storage space.</summary>
public sealed class StoreHealth(SqliteConnections database, StoreSpace space) : IStoreHealth
{
    public async Task<StoreReadiness> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var version = await Migrator.CurrentVersionAsync(connection, cancellationToken);
            if (version != Migrator.LatestVersion)
            {
                return new StoreReadiness.WrongSchema(version, Migrator.LatestVersion);
            }

            // The tables answer, not only the schema table.
            await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM events LIMIT 1)) + (SELECT COUNT(*) FROM (SELECT 1 FROM sources LIMIT 1));",
                cancellationToken: cancellationToken));
            return new StoreReadiness.Ready(version);
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException)
        {
            return new StoreReadiness.Unreachable(ex);
        }
    }

    public StoreFailure Classify(Exception exception) => exception switch
    {
        _ when StorageFull.Is(exception) => StoreFailure.OutOfSpace,
        SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } => StoreFailure.Busy,
        SqliteException { SqliteErrorCode: SqliteInterrupt } => StoreFailure.Interrupted,
        _ => StoreFailure.None,
    };

    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteInterrupt = 9;

    public void ReportOutOfSpace() => space.ReportFull();

    public StoreShortage? CurrentShortage() => space.Current();
}

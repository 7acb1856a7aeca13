using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// The readiness check on PostgreSQL: the primary answers (writes and the reads that decide them need it), its schema is
/// at <see cref="PostgresMigrator.LatestVersion"/>, and the tables answer. Failures are classified by SQLSTATE: a full disk
/// (53100) is out of space, a transient failure (the server restarting, too many connections, a lock or command timeout,
/// a serialization failure, the network) is busy, a cancelled query (57014) is interrupted, and a connection that could
/// not be opened at all (<see cref="PostgresUnavailableException"/>) is unavailable.
/// </summary>
public sealed class PostgresStoreHealth(PostgresConnections database, TimeProvider clock) : IStoreHealth
{
    /// <summary>How long a reported shortage of space holds readiness at 503: the server's disk is the database's, not the API's to measure.</summary>
    public static readonly TimeSpan ShortageHold = TimeSpan.FromSeconds(60);

    private StoreShortage? _shortage;

    public async Task<StoreReadiness> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var version = await PostgresMigrator.CurrentVersionAsync(connection, cancellationToken);
            if (version != PostgresMigrator.LatestVersion)
            {
                return new StoreReadiness.WrongSchema(version, PostgresMigrator.LatestVersion);
            }

            // The tables answer, not only the schema table.
            await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM events LIMIT 1) e) + (SELECT COUNT(*) FROM (SELECT 1 FROM sources LIMIT 1) s);",
                cancellationToken: cancellationToken));
            return new StoreReadiness.Ready(version);
        }
        catch (Exception ex) when (ex is PostgresUnavailableException or NpgsqlException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return new StoreReadiness.Unreachable(ex);
        }
    }

    public StoreFailure Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresUnavailableException:
                    return StoreFailure.Unavailable;
                case PostgresException { SqlState: PostgresErrorCodes.DiskFull }:
                    return StoreFailure.OutOfSpace;
                case PostgresException { SqlState: PostgresErrorCodes.QueryCanceled }:
                    return StoreFailure.Interrupted;
                case PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable }:
                case NpgsqlException { IsTransient: true }:
                    return StoreFailure.Busy;
            }
        }

        return StoreFailure.None;
    }

    public void ReportOutOfSpace() => Volatile.Write(ref _shortage, new StoreShortage(clock.GetUtcNow(), 0));

    public StoreShortage? CurrentShortage()
    {
        var shortage = Volatile.Read(ref _shortage);
        if (shortage is not null && clock.GetUtcNow() - shortage.At >= ShortageHold)
        {
            Interlocked.CompareExchange(ref _shortage, null, shortage);
            return null;
        }

        return shortage;
    }
}

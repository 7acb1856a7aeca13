using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>
/// Backups of the PostgreSQL store are the database's own, not the API's: a logical dump (<c>pg_dump -Fc</c>, restored
/// with <c>pg_restore</c>), or a base backup (<c>pg_basebackup</c>) with WAL archiving for point-in-time recovery, or the
/// managed service's snapshots. Several replicas serve one database, so no replica could take a copy alone that the
/// others' writes did not pass, nor restore one under them. POST /admin/backup and the backup and restore commands
/// answer with this in words (a 501 problem over HTTP), and the README shows the commands.
/// </summary>
public sealed class PostgresStoreBackups(StoreMetrics metrics) : IStoreBackups
{
    /// <summary>What an operator is told instead of a backup.</summary>
    public const string Message =
        "This server's store is PostgreSQL (Timeline:Store = postgres): backups are the database's own, not the API's. " +
        "Take a logical backup with `pg_dump -Fc -d timeline -f timeline.dump` and restore it with `pg_restore --clean --if-exists -d timeline timeline.dump`, " +
        "or a physical one with `pg_basebackup -D /backups/base -Ft -z -X stream -P` (with WAL archiving, for point-in-time recovery), " +
        "or use your managed database's snapshots. See the README, \"Backups on PostgreSQL\".";

    public Task<BackupResult> BackupToDirectoryAsync(CancellationToken cancellationToken) => Refuse<BackupResult>();

    public Task<BackupResult> BackupAsync(string destination, CancellationToken cancellationToken) => Refuse<BackupResult>();

    public Task<RestoreResult> RestoreAsync(string source, CancellationToken cancellationToken) => Refuse<RestoreResult>();

    private Task<T> Refuse<T>()
    {
        metrics.Backups.Add(1, new KeyValuePair<string, object?>("outcome", "unsupported"));
        return Task.FromException<T>(new StoreOperationUnsupportedException(Message));
    }
}

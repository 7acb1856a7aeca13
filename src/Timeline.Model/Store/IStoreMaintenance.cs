namespace Timeline.Model.Store;

/// <summary>Live records in the store, by kind (deleted ones are not counted).</summary>
public sealed record StoreCounts(long Events, long Entities, long Sources, long Citations);

/// <summary>What a store holds: its schema version, its data version and when the data last changed, and its counts.</summary>
public sealed record StoreSummary(int SchemaVersion, long DataVersion, string DataUpdatedAt, StoreCounts Counts);

/// <summary>The size of one of the store's files (an engine's own: for SQLite the database and its write-ahead log).</summary>
public sealed record StoreFileSize(string File, long Bytes);

/// <summary>The store's data version (grows with every change) and when the data last changed.</summary>
public sealed record StoreVersion(long DataVersion, string UpdatedAt);

/// <summary>
/// The data version that ETags and the response cache are keyed by. Every write the engine commits moves it, in the
/// write's own transaction; this process's readers see their own writes at once, and another process's changes within
/// Timeline:DataVersionRefreshMilliseconds.
/// </summary>
public interface IDataVersion
{
    ValueTask<StoreVersion> GetAsync(CancellationToken cancellationToken);
}

/// <summary>Counts and versions for GET /version and /metrics.</summary>
public interface IStoreStatistics
{
    /// <summary>The schema version this build migrates stores to.</summary>
    int ExpectedSchemaVersion { get; }

    Task<StoreSummary> GetAsync(CancellationToken cancellationToken);

    /// <summary>The sizes of the store's files, where the engine has files of its own (none for a database server).</summary>
    IReadOnlyList<StoreFileSize> FileSizes();
}

/// <summary>Why a store is or is not ready to serve.</summary>
public abstract record StoreReadiness
{
    private StoreReadiness()
    {
    }

    /// <summary>The store answers and is at the expected schema version.</summary>
    public sealed record Ready(int SchemaVersion) : StoreReadiness;

    /// <summary>The store answers but is at another schema version than this build's.</summary>
    public sealed record WrongSchema(int SchemaVersion, int Expected) : StoreReadiness;

    /// <summary>The store did not answer (the reason is for the log, not for clients).</summary>
    public sealed record Unreachable(Exception Reason) : StoreReadiness;
}

/// <summary>When a write failed for want of storage space, and how much space was free then.</summary>
public sealed record StoreShortage(DateTimeOffset At, long FreeBytes);

/// <summary>Failures of the store that are not faults of the code, each answered in its own way.</summary>
public enum StoreFailure
{
    /// <summary>Not a failure the store recognises (a fault: 500).</summary>
    None,

    /// <summary>The store's volume is full: nothing was written (507, and readiness reports it).</summary>
    OutOfSpace,

    /// <summary>The store was locked by other work longer than the command timeout (503, try again).</summary>
    Busy,

    /// <summary>A statement was stopped because its request was cancelled (the request timed out or its client went away).</summary>
    Interrupted,

    /// <summary>No connection to the store's database could be opened (it is down, refuses connections or cannot be reached): 503, try again.</summary>
    Unavailable,
}

/// <summary>Readiness and storage space: what the readiness probe and the error handler ask of the store.</summary>
public interface IStoreHealth
{
    Task<StoreReadiness> CheckAsync(CancellationToken cancellationToken);

    /// <summary>What an exception thrown by the store means for the request that met it (<see cref="StoreFailure.None"/>: nothing the store knows).</summary>
    StoreFailure Classify(Exception exception);

    /// <summary>Notes that a write failed for want of space (readiness then answers 503 until the volume has room).</summary>
    void ReportOutOfSpace();

    /// <summary>The shortage reported last, while the volume still has no more room than it had then; otherwise null.</summary>
    StoreShortage? CurrentShortage();
}

/// <summary>A consistent copy of the store.</summary>
/// <param name="Name">The copy's file name within the backup directory (Timeline:BackupDirectory); the server's own paths are not shown to clients.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the file, to check a copy moved elsewhere.</param>
/// <param name="CreatedAt">When the copy was taken (UTC).</param>
/// <param name="Store">What the copy holds: schema and data versions and the counts of records.</param>
public sealed record BackupResult(string Name, long Bytes, string Sha256, DateTimeOffset CreatedAt, StoreSummary Store)
{
    /// <summary>The full path of the copy, for the command line (never serialised into an answer).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string FullPath { get; init; } = string.Empty;
}

/// <summary>The outcome of a restore.</summary>
/// <param name="DatabasePath">The store that now holds the restored data.</param>
/// <param name="SchemaVersion">The schema version of the restored copy; an older one is migrated at the next start.</param>
/// <param name="PreviousStore">Where the store it replaced was kept, or null when there was none.</param>
public sealed record RestoreResult(string DatabasePath, int SchemaVersion, string? PreviousStore);

/// <summary>A backup or restore that was refused, with the reason in words for the operator.</summary>
public class StoreOperationException(string message) : Exception(message);

/// <summary>
/// A backup or restore the engine leaves to its database's own tools (PostgreSQL: pg_dump, base backups and point-in-time
/// recovery), with the commands in words for the operator: POST /admin/backup answers it as a 501 problem.
/// </summary>
public sealed class StoreOperationUnsupportedException(string message) : StoreOperationException(message);

/// <summary>Copies of the store while it serves, and putting a copy back while it does not.</summary>
public interface IStoreBackups
{
    /// <summary>A copy in the configured backup directory, named by the time.</summary>
    Task<BackupResult> BackupToDirectoryAsync(CancellationToken cancellationToken);

    /// <summary>A copy at the path given (the command line's backup).</summary>
    Task<BackupResult> BackupAsync(string destination, CancellationToken cancellationToken);

    /// <summary>Puts the copy at the path given in place of the store (the server must be stopped).</summary>
    Task<RestoreResult> RestoreAsync(string source, CancellationToken cancellationToken);
}

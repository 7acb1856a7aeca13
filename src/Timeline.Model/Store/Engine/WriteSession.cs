namespace Timeline.Model.Store.Engine;

/// <summary>The stored state of one record that decides a write: its version, and its tombstone (when and by whom).</summary>
public sealed record RecordState(long Version, string? DeletedAt, string? DeletedBy);

/// <summary>
/// One write transaction of an engine, as the engine-neutral write flows (<see cref="RecordWriteFlow{TValid, TRecord, TSession}"/>,
/// <see cref="EventMergeFlow{TSession}"/>) use it: it begins holding the store's write lock (one writer at a time, so
/// revisions are numbered in commit order), reads what decides the write inside the transaction, and after the commit
/// reads the answer from one snapshot on the same connection (the record and the data version it was read at).
/// </summary>
public abstract class WriteSession : IAsyncDisposable
{
    /// <summary>How many times a write is made before a retryable failure (<see cref="IsRetryable"/>) is let through.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Whether the write was committed (a failure after it, reading the answer, is never retried).</summary>
    public bool Committed { get; private set; }

    /// <summary>Commits the write; the engine's cached data version is forgotten.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        await CommitWriteAsync(ct);
        Committed = true;
    }

    /// <summary>The engine's commit (and the forgetting of its cached data version).</summary>
    protected abstract Task CommitWriteAsync(CancellationToken ct);

    /// <summary>
    /// Whether a failure left nothing written and the same write, made again from the start, may succeed or be answered
    /// as the conflict it is (a serialization failure, a deadlock, a unique key another writer took first). None by default.
    /// </summary>
    public virtual bool IsRetryable(Exception exception) => false;

    /// <summary>Rolls the write back: nothing it did is kept.</summary>
    public abstract Task RollbackAsync(CancellationToken ct);

    /// <summary>After the commit: a read-only snapshot on the same connection, for the answer.</summary>
    public abstract Task BeginSnapshotAsync(CancellationToken ct);

    /// <summary>Ends the snapshot <see cref="BeginSnapshotAsync"/> began.</summary>
    public abstract Task EndSnapshotAsync(CancellationToken ct);

    /// <summary>The record's version and tombstone, or null when no record of the kind ("event", "entity", "source") has the id.</summary>
    public abstract Task<RecordState?> StateAsync(string resource, string id, CancellationToken ct);

    /// <summary>The record's document as its revision at <paramref name="version"/> holds it, or null.</summary>
    public abstract Task<string?> DocumentAsync(string resource, string id, long version, CancellationToken ct);

    /// <summary>The store's data version, as the transaction sees it.</summary>
    public abstract Task<long> DataVersionAsync(CancellationToken ct);

    /// <summary>The live record of the kind that lists <paramref name="id"/> among its former ids (a rename), or null.</summary>
    public abstract Task<string?> RenamedToAsync(string resource, string id, CancellationToken ct);

    /// <summary>Marks the record deleted (or restores it) with a revision holding <paramref name="document"/>.</summary>
    public abstract Task SetDeletedAsync(string resource, string id, bool deleted, string document, Change change, CancellationToken ct);

    /// <summary>Moves the store's data version forward; once per write transaction that changed something.</summary>
    public abstract Task TouchAsync(Change change, CancellationToken ct);

    public abstract ValueTask DisposeAsync();
}

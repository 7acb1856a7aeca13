namespace Timeline.Model.Store;

/// <summary>
/// What a write of one record did: a success carries the record as stored, its version and the store's data version
/// read in one snapshot after the commit; a refusal says why, with the data the caller needs to explain it.
/// A refused write changed nothing.
/// </summary>
/// <typeparam name="TRecord">The record as the API shows it (EventDetail, EntityItem, SourceDetail).</typeparam>
public abstract record WriteOutcome<TRecord>
    where TRecord : class
{
    private WriteOutcome()
    {
    }

    /// <summary>The record was created with this id.</summary>
    public sealed record Created(string Id, TRecord Record, long Version, long DataVersion) : WriteOutcome<TRecord>;

    /// <summary>The record was replaced, patched or restored: it has a new version and a new revision.</summary>
    public sealed record Updated(TRecord Record, long Version, long DataVersion) : WriteOutcome<TRecord>;

    /// <summary>The document sent is the one stored: no new version, no revision, the data version unmoved.</summary>
    public sealed record Unchanged(TRecord Record, long Version, long DataVersion) : WriteOutcome<TRecord>;

    /// <summary>The record was marked deleted (a tombstone) at this new version.</summary>
    public sealed record Deleted(long Version, long DataVersion) : WriteOutcome<TRecord>;

    /// <summary>No record of this kind has this id.</summary>
    public sealed record NotFound(string Id) : WriteOutcome<TRecord>;

    /// <summary>The record is deleted: when and by whom.</summary>
    public sealed record Gone(string Id, string DeletedAt, string? DeletedBy) : WriteOutcome<TRecord>;

    /// <summary>The write conflicts with the store's state (see <see cref="WriteConflict"/>).</summary>
    public sealed record Conflict(WriteConflict Reason) : WriteOutcome<TRecord>;

    /// <summary>The precondition names another version than the record's current one.</summary>
    public sealed record PreconditionFailed(string Id, long CurrentVersion) : WriteOutcome<TRecord>
    {
        /// <summary>Whether the precondition names an older version ("changed since") or is no ETag of this record; null when not judged.</summary>
        public PreconditionMismatch? Mismatch { get; init; }
    }

    /// <summary>The write needs a precondition and none was given.</summary>
    public sealed record PreconditionRequired(string Id) : WriteOutcome<TRecord>;

    /// <summary>The document is not a valid record: every problem, keyed by field ("citations[0].quote", or "body").</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : WriteOutcome<TRecord>;
}

/// <summary>Why a write conflicts with what the store holds.</summary>
public abstract record WriteConflict
{
    private WriteConflict()
    {
    }

    /// <summary>A record with this id exists.</summary>
    public sealed record IdTaken(string Id) : WriteConflict;

    /// <summary>A record with this id exists but is deleted (restore it instead).</summary>
    public sealed record IdDeleted(string Id) : WriteConflict;

    /// <summary>The source's text is already stored as another source (which may be deleted).</summary>
    public sealed record TextAlreadyStored(string ExistingId, string Sha256, bool ExistingDeleted) : WriteConflict;

    /// <summary>Live events still refer to the record (ids in order), so it cannot be deleted.</summary>
    public sealed record StillReferredTo(string Id, IReadOnlyList<string> Events) : WriteConflict;

    /// <summary>The record is not deleted, so there is nothing to restore.</summary>
    public sealed record NotDeleted(string Id) : WriteConflict;

    /// <summary>The record refers to deleted records (in order), so it cannot be restored before them.</summary>
    public sealed record RefersToDeleted(string Id, IReadOnlyList<RecordRef> Records) : WriteConflict;

    /// <summary>A JSON Patch operation could not apply to the stored document (a test whose value differs, a path naming nothing).</summary>
    public sealed record PatchNotApplicable(string Id, Timeline.Model.Dataset.JsonPatchFailure Failure) : WriteConflict;

    /// <summary>The deleted record's id has since become a former id of another record (a rename), which its GET leads to.</summary>
    public sealed record IdRenamed(string Id, string CurrentId) : WriteConflict;
}

/// <summary>A record named by its kind ("event", "entity", "source") and id.</summary>
public sealed record RecordRef(string Resource, string Id);

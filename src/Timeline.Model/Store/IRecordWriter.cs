using System.Text.Json.Nodes;

namespace Timeline.Model.Store;

/// <summary>
/// The one write path for one kind of record (events, entities, sources). Each write runs in one transaction that
/// checks the precondition against the stored version, validates the whole document with the dataset validator
/// (an event's quotes against its live sources, verbatim), writes the record, its search row and an immutable
/// revision, and moves the store's data version; readers see the change whole or not at all, and concurrent
/// writers never overwrite each other silently. Nothing here knows of HTTP.
/// </summary>
/// <typeparam name="TRecord">The record as the API shows it (EventDetail, EntityItem, SourceDetail).</typeparam>
public interface IRecordWriter<TRecord>
    where TRecord : class
{
    /// <summary>The kind of record: "event", "entity" or "source" (the resource name in revisions).</summary>
    string Resource { get; }

    /// <summary>Creates the record from a document in the dataset format; its id is the document's.</summary>
    Task<WriteOutcome<TRecord>> CreateAsync(JsonObject document, string actor, CancellationToken cancellationToken);

    /// <summary>Replaces the whole record; the precondition is required. The document's id, if any, must be <paramref name="id"/>.</summary>
    Task<WriteOutcome<TRecord>> ReplaceAsync(string id, JsonObject document, IfMatch ifMatch, string actor, CancellationToken cancellationToken);

    /// <summary>Applies an RFC 7396 JSON Merge Patch to the stored document, then replaces as <see cref="ReplaceAsync"/>.</summary>
    Task<WriteOutcome<TRecord>> MergePatchAsync(string id, JsonObject patch, IfMatch ifMatch, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Applies an RFC 6902 JSON Patch to the stored document inside the write transaction, then replaces as
    /// <see cref="ReplaceAsync"/>. An operation that cannot apply (a failed test, a path naming nothing) refuses the
    /// whole patch with <see cref="WriteConflict.PatchNotApplicable"/>; nothing is written.
    /// </summary>
    Task<WriteOutcome<TRecord>> JsonPatchAsync(string id, Timeline.Model.Dataset.JsonPatch patch, IfMatch ifMatch, string actor, CancellationToken cancellationToken);

    /// <summary>Marks the record deleted (a tombstone, history kept); the precondition is required.</summary>
    Task<WriteOutcome<TRecord>> DeleteAsync(string id, IfMatch ifMatch, string actor, CancellationToken cancellationToken);

    /// <summary>Brings a deleted record back as it was, as a new version; the precondition is optional.</summary>
    Task<WriteOutcome<TRecord>> RestoreAsync(string id, IfMatch ifMatch, string actor, CancellationToken cancellationToken);
}

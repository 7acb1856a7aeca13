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
    Task<WriteOutcome<TRecord>> CreateAsync(JsonObject document, WriteContext context, CancellationToken cancellationToken);

    /// <summary>Replaces the whole record; the precondition is required. The document's id, if any, must be <paramref name="id"/>.</summary>
    Task<WriteOutcome<TRecord>> ReplaceAsync(string id, JsonObject document, IfMatch ifMatch, WriteContext context, CancellationToken cancellationToken);

    /// <summary>Applies an RFC 7396 JSON Merge Patch to the stored document, then replaces as <see cref="ReplaceAsync"/>.</summary>
    Task<WriteOutcome<TRecord>> MergePatchAsync(string id, JsonObject patch, IfMatch ifMatch, WriteContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Applies an RFC 6902 JSON Patch to the stored document inside the write transaction, then replaces as
    /// <see cref="ReplaceAsync"/>. An operation that cannot apply (a failed test, a path naming nothing) refuses the
    /// whole patch with <see cref="WriteConflict.PatchNotApplicable"/>; nothing is written.
    /// </summary>
    Task<WriteOutcome<TRecord>> JsonPatchAsync(string id, Timeline.Model.Dataset.JsonPatch patch, IfMatch ifMatch, WriteContext context, CancellationToken cancellationToken);

    /// <summary>Marks the record deleted (a tombstone, history kept); the precondition is required.</summary>
    Task<WriteOutcome<TRecord>> DeleteAsync(string id, IfMatch ifMatch, WriteContext context, CancellationToken cancellationToken);

    /// <summary>Brings a deleted record back as it was, as a new version; the precondition is optional.</summary>
    Task<WriteOutcome<TRecord>> RestoreAsync(string id, IfMatch ifMatch, WriteContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Creates or replaces many records in one transaction, all or nothing: each item without a precondition creates
    /// its document, each item with one replaces the record it names (the precondition must match). The first item
    /// refused stops the batch and nothing is written; the outcome names it by index.
    /// </summary>
    Task<BatchOutcome<TRecord>> WriteManyAsync(IReadOnlyList<BatchItem> items, WriteContext context, CancellationToken cancellationToken);
}

/// <summary>One item of a batch write: a document in the dataset format, and the precondition when it replaces a record.</summary>
/// <param name="Document">The whole record; its id names it.</param>
/// <param name="IfMatch">None to create the record; the ETag of the version replaced to replace it.</param>
public sealed record BatchItem(JsonObject Document, IfMatch IfMatch);

/// <summary>What a batch write did: every item's success, or the first item's refusal (and nothing written).</summary>
/// <typeparam name="TRecord">The record as the API shows it.</typeparam>
public abstract record BatchOutcome<TRecord>
    where TRecord : class
{
    private BatchOutcome()
    {
    }

    /// <summary>Every item was written (or, in a dry run, would be): one outcome per item, in order (Created, Updated or Unchanged).</summary>
    public sealed record Written(IReadOnlyList<WriteOutcome<TRecord>> Items, long DataVersion) : BatchOutcome<TRecord>;

    /// <summary>The item at <paramref name="Index"/> was refused, for the reason given; nothing was written.</summary>
    public sealed record Refused(int Index, WriteOutcome<TRecord> Refusal) : BatchOutcome<TRecord>;
}

using System.Text.Json;

namespace Timeline.Model.Store;

/// <summary>
/// The history the store keeps of every record: one immutable revision per change (the document as it stood after
/// it), numbered per record by version and across the store by position, so a reader can follow every change in
/// commit order from any position without missing or repeating one.
/// </summary>
public interface IRecordHistory
{
    /// <summary>Every revision of the record ("event", "entity" or "source"), oldest first; empty when no such record ever existed.</summary>
    Task<IReadOnlyList<RevisionSummary>> RevisionsAsync(string resource, string id, CancellationToken cancellationToken);

    /// <summary>One revision with its document, or null for an unknown record or version.</summary>
    Task<RevisionDetail?> RevisionAsync(string resource, string id, long version, CancellationToken cancellationToken);

    /// <summary>At most <paramref name="take"/> changes after the position <paramref name="after"/> (0: from the first), in commit order.</summary>
    Task<ChangeFeedPage> ChangesAsync(long after, int take, CancellationToken cancellationToken);
}

/// <summary>One revision of a record, without its document.</summary>
/// <param name="Version">The record's version after the change.</param>
/// <param name="Action">create, update, delete or restore.</param>
/// <param name="Actor">The name of the API key that made the change (or seed, import).</param>
/// <param name="At">When the change was committed (UTC).</param>
/// <param name="Reason">Why, as the writer said (the write's reason), or null when none was given.</param>
public sealed record RevisionSummary(long Version, string Action, string Actor, string At, string? Reason);

/// <summary>A record's revisions, oldest first.</summary>
/// <param name="Items">Every revision of the record.</param>
public sealed record RevisionList(IReadOnlyList<RevisionSummary> Items);

/// <summary>One revision with the full document as it stood after the change.</summary>
/// <param name="Version">The record's version after the change.</param>
/// <param name="Action">create, update, delete or restore.</param>
/// <param name="Actor">Who made the change.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Reason">Why, as the writer said (the write's reason), or null when none was given.</param>
/// <param name="Document">The record in the dataset format, as it was at this version.</param>
public sealed record RevisionDetail(long Version, string Action, string Actor, string At, string? Reason, JsonElement Document);

/// <summary>One change in the feed.</summary>
/// <param name="Resource">event, entity or source.</param>
/// <param name="Id">The record's id.</param>
/// <param name="Version">Its version after the change.</param>
/// <param name="Action">create, update, delete or restore.</param>
/// <param name="Actor">Who made the change.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Reason">Why, as the writer said (the write's reason), or null when none was given.</param>
/// <param name="Document">The record as it stood after the change, in the dataset format.</param>
public sealed record ChangeItem(string Resource, string Id, long Version, string Action, string Actor, string At, string? Reason, JsonElement Document);

/// <summary>A page of the change feed as the store reads it.</summary>
/// <param name="Items">The changes, in commit order.</param>
/// <param name="Last">The position of the last change on the page (the position asked after, when the page is empty): where the next page starts.</param>
public sealed record ChangeFeedPage(IReadOnlyList<ChangeItem> Items, long Last);

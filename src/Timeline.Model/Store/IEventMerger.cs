using Timeline.Model.Events;

namespace Timeline.Model.Store;

/// <summary>
/// Merges a duplicate event into the event that survives, in one transaction: the survivor gets, as a new revision,
/// the merged event's citations, entities, tags, caveats, references and links that it lacks (each once), and the
/// merged event's id (and its former ids) among its former ids; the merged event is deleted by tombstone with its own
/// revision, and from then on its id leads to the survivor (a GET answers 301). Both changes are in the change feed.
/// </summary>
public interface IEventMerger
{
    /// <summary>
    /// Merges <paramref name="mergedId"/> into <paramref name="survivorId"/>. The merged event's precondition is
    /// required (428 without, 412 when stale); the survivor's is optional (412 when given and stale). Answers the
    /// survivor as written (Updated), or the refusal: an event not found or deleted (named by its id), a stale
    /// precondition, or an invalid result (the merged survivor must still be a valid event, e.g. at most 50 citations).
    /// </summary>
    Task<WriteOutcome<EventDetail>> MergeAsync(
        string mergedId, string survivorId, IfMatch mergedIfMatch, IfMatch survivorIfMatch, WriteContext context, CancellationToken cancellationToken);
}

using Timeline.Model.Events;

namespace Timeline.Model.Store;

/// <summary>
/// One event in full (GET /events/{id}): its fields, tags, caveats, entities with their roles and citations with their
/// quotes, in the order curated, its version and timestamps, all read from one snapshot; or its tombstone.
/// </summary>
public interface IEventDetails
{
    /// <summary>The event, its tombstone if deleted, or neither if the id is unknown.</summary>
    Task<RecordLookup<EventDetail>> GetAsync(string id, CancellationToken cancellationToken);
}

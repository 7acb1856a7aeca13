using Timeline.Model.Entities;

namespace Timeline.Model.Store;

/// <summary>Entities as GET /entities shows them: each with its aliases in their order and its number of live events.</summary>
public interface IEntityReader
{
    /// <summary>Live entities of <paramref name="kind"/> (when given) whose name, id or an alias contains <paramref name="text"/> (when given; case-insensitive), by name then id.</summary>
    Task<IReadOnlyList<EntityItem>> ListAsync(string? kind, string? text, CancellationToken cancellationToken);

    /// <summary>One entity, its tombstone if deleted, or neither if the id is unknown.</summary>
    Task<RecordLookup<EntityItem>> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Whether a live entity has this id.</summary>
    Task<bool> ExistsAsync(string id, CancellationToken cancellationToken);
}

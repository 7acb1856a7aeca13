using Timeline.Model.Entities;

namespace Timeline.Model.Store;

/// <summary>Entities as GET /entities shows them: each with its aliases in their order and its number of live events.</summary>
public interface IEntityReader
{
    /// <summary>Live entities of <paramref name="kind"/> (when given), only those of <paramref name="ids"/> (when given), by name then id.</summary>
    Task<IReadOnlyList<EntityItem>> ListAsync(string? kind, IReadOnlyCollection<string>? ids, CancellationToken cancellationToken);

    /// <summary>
    /// The names of every live entity (id, name, kind, country, aliases in order), what <see cref="EntityMatcher"/> is
    /// built from; read in one snapshot. Cheap beside <see cref="ListAsync"/>: no event counts.
    /// </summary>
    Task<IReadOnlyList<EntityNames>> NamesAsync(CancellationToken cancellationToken);

    /// <summary>One entity, its tombstone if deleted, or neither if the id is unknown.</summary>
    Task<RecordLookup<EntityItem>> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Whether a live entity has this id.</summary>
    Task<bool> ExistsAsync(string id, CancellationToken cancellationToken);
}

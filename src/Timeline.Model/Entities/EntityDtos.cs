namespace Timeline.Model.Entities;

/// <summary>A company, government, agency, person, product, chip, technology, organization or event series.</summary>
/// <param name="Id">Stable, readable id, used by the `entity` filter.</param>
/// <param name="Name">Display name.</param>
/// <param name="Kind">The entity's kind, one of the closed vocabulary GET /entity-kinds lists (company, government, agency, person, chip...).</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code, or null.</param>
/// <param name="Aliases">Other names the sources use, such as a codename.</param>
/// <param name="Description">A short factual description.</param>
/// <param name="EventCount">How many events involve the entity.</param>
/// <param name="Version">Increases with every change to the entity.</param>
public sealed record EntityItem(
    string Id,
    string Name,
    string Kind,
    string? Country,
    IReadOnlyList<string> Aliases,
    string? Description,
    long EventCount,
    long Version)
{
    /// <summary>Ids the entity was known by: a GET of one answers 301 Moved Permanently to this entity.</summary>
    public IReadOnlyList<string> FormerIds { get; init; } = [];

    /// <summary>True when the entity is deliberately linked to no event.</summary>
    public bool Standalone { get; init; }
}

/// <summary>Entities, sorted by name.</summary>
/// <param name="Items">The matching entities.</param>
public sealed record EntityList(IReadOnlyList<EntityItem> Items);

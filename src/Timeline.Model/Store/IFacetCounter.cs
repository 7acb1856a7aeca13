using Timeline.Model.Events;

namespace Timeline.Model.Store;

/// <summary>The facets events can be counted by.</summary>
public static class FacetNames
{
    public const string Category = "category";
    public const string Year = "year";
    public const string Entity = "entity";
    public const string Tag = "tag";

    /// <summary>Every facet, in the order they are documented.</summary>
    public static readonly string[] All = [Category, Year, Entity, Tag];
}

/// <summary>How many events have one value of a facet.</summary>
/// <param name="Value">A category, an entity id or a tag.</param>
/// <param name="Label">The value's display name where it is an id (an entity's name), else null.</param>
/// <param name="Count">How many events have it.</param>
public readonly record struct FacetCount(string Value, string? Label, long Count);

/// <summary>How many events' intervals overlap one year (within the date filter).</summary>
public readonly record struct YearCount(int Year, long Count);

/// <summary>The counts of each facet asked for.</summary>
/// <param name="Values">Category, entity and tag facets (those asked for) to their values, most frequent first, then by value (ordinal).</param>
/// <param name="Years">The year facet (empty unless asked for): most frequent first, then by year.</param>
public sealed record FacetTally(IReadOnlyDictionary<string, IReadOnlyList<FacetCount>> Values, IReadOnlyList<YearCount> Years);

/// <summary>
/// Facet counts under the one filter model. Category, entity and tag facets are disjunctive: each is counted under every
/// filter except its own, so every value stays visible and its count is exactly what a list with that value applied
/// returns. The year facet keeps every filter and counts each year an event's interval overlaps, clipped to the date
/// filter. Values with no event are left out; at most <c>limit</c> per facet. The filter's search must have passed
/// <see cref="ISearchBudget"/> for <see cref="SearchWork.Facets"/>.
/// </summary>
public interface IFacetCounter
{
    Task<FacetTally> CountAsync(EventFilter filter, IReadOnlyList<string> facets, int limit, CancellationToken cancellationToken);
}

using Timeline.Model.Search;

namespace Timeline.Model.Store;

/// <summary>What a search is asked to do, each with its own bound.</summary>
public enum SearchWork
{
    /// <summary>List matches in timeline order (GET /events?q=, entity and source lists, exports).</summary>
    List,

    /// <summary>Rank every match by relevance (sort=relevance).</summary>
    Ranking,

    /// <summary>Rank every match among events, and among sources and entities too (GET /search).</summary>
    Search,

    /// <summary>List matches in timeline order under a category, entity, tag or source filter too, each match checked against it.</summary>
    Filtered,

    /// <summary>Count facets over every match (GET /events/facets?q=).</summary>
    Facets,
}

/// <summary>
/// A pre-check of a search's cost, before it runs: from how often its words occur in the store's full-text index, whether
/// the search may do the work asked (the bounds are the engine's settings: Timeline:SearchReadLimit, SearchRankLimit,
/// SearchFacetLimit). Every search the other read contracts run has passed it.
/// </summary>
public interface ISearchBudget
{
    /// <summary>Why <paramref name="search"/> may not do <paramref name="work"/> (a sentence for the client, naming the bound and what to change), or null when it may.</summary>
    Task<string?> CheckAsync(SearchExpression search, SearchWork work, CancellationToken cancellationToken);
}

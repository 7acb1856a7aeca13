using Timeline.Model.Search;

namespace Timeline.Model.Store;

/// <summary>An entity or a source a search matched.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Title">A source's title or an entity's name.</param>
/// <param name="Snippet">An excerpt around the matched words, as HTML: the words in &lt;mark&gt;…&lt;/mark&gt;, the rest escaped.</param>
/// <param name="Kind">An entity's kind; null for sources.</param>
public readonly record struct RecordMatch(string Id, string Title, string Snippet, string? Kind)
{
    /// <summary>A source's publication date at the precision known (YYYY, YYYY-MM or YYYY-MM-DD); null when unknown, and for entities.</summary>
    public string? Date { get; init; }
}

/// <summary>The best matches of one kind, and whether there are more than were read.</summary>
public sealed record RecordMatches(IReadOnlyList<RecordMatch> Items, bool More);

/// <summary>
/// The search beyond events (GET /search): entities by name, aliases and description, and sources by title, publisher
/// and full text, each ranked by relevance (ties by id), both read from one snapshot. The events of a search are
/// <see cref="IEventPages"/>' (sort by relevance). The search must have passed <see cref="ISearchBudget"/> for <see cref="SearchWork.Search"/>.
/// </summary>
public interface ITimelineSearch
{
    Task<(RecordMatches Entities, RecordMatches Sources)> FindRecordsAsync(SearchExpression search, int limit, CancellationToken cancellationToken);
}

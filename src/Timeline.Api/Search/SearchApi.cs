using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.Events;
using Timeline.Api.OpenApi;
using Timeline.Api.Problems;
using Timeline.Model.Store;
using Timeline.Api.Listing;

namespace Timeline.Api.Search;

/// <summary>One search hit.</summary>
/// <param name="Id">The id of the event, entity or source.</param>
/// <param name="Title">Its title or name.</param>
/// <param name="Snippet">An excerpt with the matched words in &lt;mark&gt;…&lt;/mark&gt;; the rest is HTML-escaped.</param>
/// <param name="Link">Where the whole record is served.</param>
/// <param name="Date">For events, the date at the precision the source gives; for sources, the publication date at the precision known (null when unknown); for entities null.</param>
/// <param name="Kind">For events the category, for entities the kind, for sources null.</param>
public sealed record SearchHit(string Id, string Title, string Snippet, string Link, string? Date, string? Kind);

/// <summary>The hits of one kind, best first.</summary>
/// <param name="Items">At most `limit` hits, ranked by relevance.</param>
/// <param name="More">Whether there are more hits of this kind than shown.</param>
public sealed record SearchGroup(IReadOnlyList<SearchHit> Items, bool More);

/// <summary>What one search found, grouped by kind.</summary>
/// <param name="Query">The search text as given.</param>
/// <param name="Events">Matching events (by title, summary, tags and quotes), under the event filters.</param>
/// <param name="Entities">Matching entities (by name, aliases and description).</param>
/// <param name="Sources">Matching source documents (by title, publisher and full text).</param>
public sealed record SearchResults(string Query, SearchGroup Events, SearchGroup Entities, SearchGroup Sources);

/// <summary>
/// What GET /search takes: the text, the event filters (which narrow the events group) and the number of hits per
/// group. Bound as text and checked in <see cref="SearchApi.Search"/>, so that a bad value gets a problem naming it.
/// Search is ranked, not sorted or paged: there is no `sort`, and `cursor` is refused with a problem of its own.
/// </summary>
public sealed record SearchParameters
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 50;

    [FromQuery(Name = "q")]
    [Description("The text to search for (required), with the syntax of GET /events: plain words must all match, \"quoted phrases\" match in order, a trailing * matches a prefix (at least 3 letters or digits before it), AND, OR and NOT in capitals combine terms. At most 500 characters and 16 words or phrases.")]
    [RequiredParameter]
    public string? Q { get; init; }

    [FromQuery(Name = "from")]
    [Description("Only events (in the events group) whose interval of days overlaps the range from this date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD, as on GET /events.")]
    public string? From { get; init; }

    [FromQuery(Name = "to")]
    [Description("Only events (in the events group) whose interval of days overlaps the range to this date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD. Must not be before `from`.")]
    public string? To { get; init; }

    [FromQuery(Name = "category")]
    [Description("Only events (in the events group) in this category; repeat for any of several.")]
    public string[]? Category { get; init; }

    [FromQuery(Name = "entity")]
    [Description("Only events (in the events group) involving this entity id; repeat for any of several.")]
    public string[]? Entity { get; init; }

    [FromQuery(Name = "tag")]
    [Description("Only events (in the events group) carrying this tag; repeat for any of several.")]
    public string[]? Tag { get; init; }

    [FromQuery(Name = "source")]
    [Description("Only events (in the events group) citing this source id.")]
    public string? Source { get; init; }

    [FromQuery(Name = "limit")]
    [Description("The number of hits per group, an integer from 1 to 50. Default 10.")]
    [IntegerParameter(1, MaxLimit, DefaultLimit, Example = 5)]
    public string? Limit { get; init; }

    /// <summary>Bound only to be refused with its own explanation (search is not paged); not in the document.</summary>
    [FromQuery(Name = "cursor")]
    [RefusedParameter]
    public string? Cursor { get; init; }

    /// <summary>The event filters and the search as a list query, to be checked by <see cref="EventPageService"/>.</summary>
    public EventListParameters ToListParameters() => new()
    {
        From = From,
        To = To,
        Category = Category,
        Entity = Entity,
        Tag = Tag,
        Source = Source,
        Q = Q,
    };
}

public static class SearchApi
{
    public static IEndpointRouteBuilder MapSearch(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/search").WithTags("Search")
            .MapGet("/", Search)
            .WithName("Search")
            .WithSummary("Search events, entities and sources at once")
            .WithDescription(
                """
                One full-text query across the timeline: events (titles, summaries, tags, verbatim quotes, references to the public
                record with their official citations such as 85 FR 83416, and the names and aliases of the entities they involve),
                entities (names, aliases, descriptions) and source documents (titles, publishers, full texts). Chinese, Japanese and
                Korean text is searched character by character: 华为 finds Huawei by its alias 华为技术有限公司, and its events. Each group is ranked by relevance (BM25 on the SQLite store, ts_rank with the same weights on PostgreSQL), and each
                hit has a snippet showing why it matched and a link to the whole record. `q` has the syntax of GET /events: words,
                "quoted phrases", prefix*, AND / OR / NOT. The event filters (from, to, category, entity, tag, source) narrow the events
                group; `limit` is the number of hits per group (1-50, default 10). Results are ranked, not sorted or paged: `sort` is
                not a parameter, and `cursor` is refused with a 400 (page through matching events with GET /events?q=...).
                """);
        return routes;
    }

    public static async Task<Results<Ok<SearchResults>, ValidationProblem>> Search(
        [AsParameters] SearchParameters query,
        EventPageService listing,
        IEventPages events,
        ITimelineSearch search,
        CancellationToken cancellationToken)
    {
        var (filter, errors) = await listing.ValidateAsync(query.ToListParameters(), f => f, cancellationToken, SearchWork.Search);
        if (string.IsNullOrWhiteSpace(query.Q))
        {
            errors["q"] = ["give the text to search for"];
        }

        var limit = SearchParameters.DefaultLimit;
        if (!string.IsNullOrEmpty(query.Limit)
            && (!int.TryParse(query.Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > SearchParameters.MaxLimit))
        {
            errors["limit"] = [$"'{query.Limit}' is not an integer from 1 to {SearchParameters.MaxLimit}"];
        }

        if (query.Cursor is not null)
        {
            errors["cursor"] = ["search results are not paged; narrow the search or use GET /events?q=... to page through events"];
        }

        if (filter is null || errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        var (eventItems, more) = await events.ListAsync(filter with { Order = EventOrder.Relevance, Limit = limit }, null, cancellationToken);
        var eventHits = eventItems.Select(e => new SearchHit(e.Id, e.Title, e.Snippet ?? string.Empty, $"/events/{e.Id}", e.Date, e.Category)).ToList();

        var (entities, sources) = await search.FindRecordsAsync(filter.Search!, limit, cancellationToken);

        return TypedResults.Ok(new SearchResults(
            query.Q!,
            new SearchGroup(eventHits, more is not null),
            Group(entities, "entities"),
            Group(sources, "sources")));
    }

    private static SearchGroup Group(RecordMatches matches, string path) =>
        new(matches.Items.Select(m => new SearchHit(m.Id, m.Title, m.Snippet, $"/{path}/{m.Id}", m.Date, m.Kind)).ToList(), matches.More);
}

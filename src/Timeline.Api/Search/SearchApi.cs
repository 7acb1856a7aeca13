using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.Events;
using Timeline.Api.Problems;
using Timeline.Model.Store;
using Timeline.Api.Listing;

namespace Timeline.Api.Search;

/// <summary>One search hit.</summary>
/// <param name="Id">The id of the event, entity or source.</param>
/// <param name="Title">Its title or name.</param>
/// <param name="Snippet">An excerpt with the matched words in &lt;mark&gt;…&lt;/mark&gt;; the rest is HTML-escaped.</param>
/// <param name="Link">Where the whole record is served.</param>
/// <param name="Date">For events, the date at the precision the source gives; else null.</param>
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
                Korean text is searched character by character: 华为 finds Huawei by its alias 华为技术有限公司, and its events. Each group is ranked by relevance (BM25), and each
                hit has a snippet showing why it matched and a link to the whole record. `q` has the syntax of GET /events: words,
                "quoted phrases", prefix*, AND / OR / NOT. The event filters (from, to, category, entity, tag, source) narrow the events
                group; `limit` is the number of hits per group (1-50, default 10).
                """);
        return routes;
    }

    public static async Task<Results<Ok<SearchResults>, ValidationProblem>> Search(
        [AsParameters] EventListParameters query,
        HttpContext context,
        EventPageService listing,
        IEventPages events,
        ITimelineSearch search,
        CancellationToken cancellationToken)
    {
        var (filter, errors) = await listing.ValidateAsync(query with { Limit = null }, f => f, cancellationToken, SearchWork.Search);
        if (string.IsNullOrWhiteSpace(query.Q))
        {
            errors["q"] = ["give the text to search for"];
        }

        var limit = 10;
        if (!string.IsNullOrEmpty(query.Limit)
            && (!int.TryParse(query.Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > 50))
        {
            errors["limit"] = [$"'{query.Limit}' is not an integer from 1 to 50"];
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
        new(matches.Items.Select(m => new SearchHit(m.Id, m.Title, m.Snippet, $"/{path}/{m.Id}", null, m.Kind)).ToList(), matches.More);
}

using System.ComponentModel;
using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.Events;
using Timeline.Api.Problems;
using Timeline.Store.Sqlite;

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
    private sealed class HitRow
    {
        public string Id { get; init; } = string.Empty;

        public string Title { get; init; } = string.Empty;

        public byte[] Snippet { get; init; } = [];

        public string? Kind { get; init; }
    }

    public static IEndpointRouteBuilder MapSearch(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/search").WithTags("Search")
            .MapGet("/", Search)
            .WithName("Search")
            .WithSummary("Search events, entities and sources at once")
            .WithDescription(
                """
                One full-text query across the timeline: events (titles, summaries, tags, verbatim quotes), entities (names, aliases,
                descriptions) and source documents (titles, publishers, full texts). Each group is ranked by relevance (BM25), and each
                hit has a snippet showing why it matched and a link to the whole record. `q` has the syntax of GET /events: words,
                "quoted phrases", prefix*, AND / OR / NOT. The event filters (from, to, category, entity, tag, source) narrow the events
                group; `limit` is the number of hits per group (1-50, default 10).
                """);
        return routes;
    }

    public static async Task<Results<Ok<SearchResults>, ValidationProblem>> Search(
        [AsParameters] EventQuery query,
        HttpContext context,
        EventListing listing,
        EventQueries events,
        SqliteConnections database,
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

        var match = Fts5Match.Render(filter.Search!);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var entityRows = (await connection.QueryAsync<HitRow>(new CommandDefinition(
            $"""
            SELECT n.id, n.name AS title, n.kind,
                   {Snippets.Column("entities_fts", 12)} AS snippet
            FROM entities_fts JOIN entities n ON n.seq = entities_fts.rowid
            WHERE entities_fts MATCH @Match
            ORDER BY bm25(entities_fts, 10.0, 6.0, 1.0), n.id
            LIMIT @Take;
            """,
            new { Match = match, Take = limit + 1 },
            snapshot,
            cancellationToken: cancellationToken))).AsList();
        var sourceRows = (await connection.QueryAsync<HitRow>(new CommandDefinition(
            $"""
            SELECT s.id, s.title, NULL AS kind,
                   {Snippets.Column("sources_fts", 16)} AS snippet
            FROM sources_fts JOIN sources s ON s.seq = sources_fts.rowid
            WHERE sources_fts MATCH @Match
            ORDER BY bm25(sources_fts, 10.0, 2.0, 1.0), s.id
            LIMIT @Take;
            """,
            new { Match = match, Take = limit + 1 },
            snapshot,
            cancellationToken: cancellationToken))).AsList();

        return TypedResults.Ok(new SearchResults(
            query.Q!,
            new SearchGroup(eventHits, more is not null),
            Group(entityRows, limit, "entities"),
            Group(sourceRows, limit, "sources")));
    }

    private static SearchGroup Group(List<HitRow> rows, int limit, string path) =>
        new(
            rows.Take(limit).Select(r => new SearchHit(r.Id, r.Title, Snippets.ToHtml(r.Snippet), $"/{path}/{r.Id}", null, r.Kind)).ToList(),
            rows.Count > limit);
}

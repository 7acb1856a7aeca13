using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Timeline.Api.Exports;
using Timeline.Api.OpenApi;
using Timeline.Api.Problems;
using Timeline.Model.Store;
using Timeline.Api.Listing;

namespace Timeline.Api.Events;

public static class EventsApi
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/events").WithTags("Events");

        group.MapGet("/", ListEvents)
            .WithName("ListEvents")
            .WithSummary("List or search events on the timeline")
            .WithDescription(
                """
                Events in timeline order, filtered by date range, category, entity, tag, source and full-text search, one page at a time.

                Dates are stated at the precision their source gives: `2020`, `2020-12` or `2020-12-18`, with `datePrecision` saying which.
                The `from`/`to` filter matches every event whose interval of days overlaps the range asked for, so a month-precision
                event (`2020-12`) is found by `from=2020-12-18&to=2020-12-18`, and a year-precision event (`2020`) by any range inside 2020.

                Filters combine with AND; the values of one repeated filter combine with OR (`category=sanction&category=entity-listing`).
                With `q`, only events matching the search are listed, each with a `snippet`; `sort=relevance` ranks them best first.
                Paging is by keyset cursor: follow `nextCursor` (or the `Link: <...>; rel="next"` header) until it is null.

                Send `Accept: text/csv` to get every matching event as CSV instead (as GET /events.csv); `limit` and `cursor` are then refused with a 400.
                Unknown parameters, unknown ids and malformed values are refused with a 400 problem naming the parameter.
                """)
            .AlsoProduces("text/csv", "With Accept: text/csv, every matching event as CSV (see GET /events.csv).");

        group.MapGet("/facets", GetFacets)
            .WithName("GetEventFacets")
            .WithSummary("Count events by category, year, entity or tag")
            .WithDescription(
                """
                For each `facet` asked for (category, year, entity, tag; repeat the parameter), the number of events per value under
                the same filters and search as GET /events, most frequent first, each with the `link` that lists exactly those events.

                Category, entity and tag are counted under every filter except their own (the values of one filter combine with OR,
                so each value's link replaces that filter): filtering by category=sanction still shows the count of every category.
                The year facet keeps the date filter and counts each year that an event's interval overlaps, so a span from 2020 to
                2023 counts in each of those years; its link narrows `from`/`to` to that year.

                The counts are not paged: `limit` and `cursor` are not parameters of the facets and are refused with a 400.
                """);

        group.MapGet("/timelinejs", ExportTimelineJs)
            .WithName("ExportTimelineJs")
            .WithSummary("Export events for TimelineJS")
            .WithDescription("Every matching event (all pages, streamed) as the JSON that Knight Lab's TimelineJS3 loads: a title slide, then one slide per event with `start_date` (and `end_date`) at the event's precision, `text` with the summary, the verbatim quotes, the references to the public record (linked, with their official citations) and the caveats as HTML, `group` by category and the event id as `unique_id`. Takes the filters, `q` and `sort` of GET /events; `limit` and `cursor` are not parameters of an export and are refused with a 400. " + ExportSlots.Description)
            .Produces<TimelineJsDocument>(StatusCodes.Status200OK, "application/json")
            .AsExport();

        group.MapGet("/feed.atom", ExportAtom)
            .WithName("ExportAtomFeed")
            .WithSummary("Atom feed of the most recently changed events")
            .WithDescription("The 50 most recently added or changed events matching the filters and `q` of GET /events, newest change first, as an Atom 1.0 feed for feed readers. `sort`, `limit` and `cursor` are not parameters of the feed and are refused with a 400. " + ExportSlots.Description)
            .AlsoProduces("application/atom+xml", "An Atom 1.0 feed.")
            .AsExport();

        group.MapGet("/{id}", GetEvent)
            .WithName("GetEvent")
            .WithSummary("Get one event with its entities and citations")
            .WithDescription("The event with the entities it involves (and their roles), the verbatim quotes that support it (with their offsets in the source text, in Unicode code points), its references to documents of the public record that are not stored in full (title, publisher, date, URL, official citation such as 85 FR 83416, Federal Register document number, and what each supports), its former ids and its caveats. 404 for an unknown id; 410 for a deleted event, saying when and by whom (POST /events/{id}/restore brings it back); 301 to the current id for a former id of a renamed event.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .WithMetadata(new Caching.RecordETag());

        routes.MapGet("/events.csv", ExportCsv)
            .WithTags("Events")
            .WithName("ExportCsv")
            .WithSummary("Export events as CSV")
            .WithDescription("Every matching event (all pages, streamed) as RFC 4180 CSV with a header row: id, date (as the source gives it), date_precision, end_date, category, title, summary, tags and entities (ids joined with \"; \"), caveats, citations and references (joined with \" | \", a \"|\" or \"\\\" inside an item escaped with a backslash so that splitting on unescaped \" | \" gives the items back; a reference as its title, publisher, date, official citation, Federal Register document number, URL and what it supports), url. A cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return, also after leading spaces, line breaks or invisible characters, or with the full-width ＝ ＋ － ＠) is prefixed with an apostrophe and otherwise kept verbatim. Takes the filters, `q` and `sort` of GET /events; `limit` and `cursor` are not parameters of an export and are refused with a 400. " + ExportSlots.Description)
            .AlsoProduces("text/csv", "RFC 4180 CSV with a header row.")
            .AsExport();

        routes.MapGet("/events.ics", ExportICalendar)
            .WithTags("Events")
            .WithName("ExportICalendar")
            .WithSummary("Export events as an iCalendar file")
            .WithDescription("Every matching event (all pages, streamed) as an RFC 5545 calendar: one all-day VEVENT per event, spanning every day the event covers (a month-precision event spans the month), with a stable UID, the summary, caveats, verbatim quotes and references to the public record (with their official citations) in DESCRIPTION, the category in CATEGORIES and the event's URL. Takes the filters, `q` and `sort` of GET /events; `limit` and `cursor` are not parameters of an export and are refused with a 400. " + ExportSlots.Description)
            .AlsoProduces("text/calendar", "An RFC 5545 iCalendar file.")
            .AsExport();

        return routes;
    }

    public static async Task<Results<EventPageJson, ValidationProblem, StreamedResult>> ListEvents(
        [AsParameters] EventListParameters query, HttpContext context, EventPageService listing, IEventExports exports, CancellationToken cancellationToken)
    {
        if (PrefersCsv(context.Request))
        {
            // The CSV form is an export: every matching event, so paging is refused rather than ignored.
            var paging = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (name, value) in new[] { ("limit", query.Limit), ("cursor", query.Cursor) })
            {
                if (!string.IsNullOrEmpty(value))
                {
                    paging[name] = [$"is not a parameter of the CSV export (Accept: text/csv), which holds every matching event; leave '{name}' out"];
                }
            }

            if (paging.Count > 0)
            {
                return QueryProblems.Invalid(paging);
            }

            return await ExportCsv(EventFilterQuery.Of(query), query.Sort, context, listing, exports, cancellationToken) switch
            {
                { Result: StreamedResult csv } => csv,
                { Result: ValidationProblem invalid } => invalid,
                var other => throw new InvalidOperationException($"unexpected export result {other.Result}"),
            };
        }

        var (page, problem) = await listing.ListAsync(query, context, filter => filter, cancellationToken);
        return problem is not null ? problem : page!;
    }

    public static async Task<Results<Ok<EventDetail>, ProblemHttpResult, StatusCodeHttpResult>> GetEvent(
        [Description("Event id, such as smic-added-to-us-sanctions-list.")] string id,
        HttpContext context,
        IEventDetails events,
        IDataVersion state,
        CancellationToken cancellationToken)
    {
        var dataVersion = (await state.GetAsync(cancellationToken)).DataVersion;
        var (found, deleted) = await events.GetAsync(id, cancellationToken);
        return found is not null ? Curation.RecordResponses.Ok(context, found, found.Version, dataVersion)
            : deleted is not null ? QueryProblems.Gone("event", id, deleted)
            : QueryProblems.NotFound("event", id);
    }

    public static async Task<Results<Ok<FacetCounts>, ValidationProblem>> GetFacets(
        [AsParameters] EventFilterQuery query,
        [FromQuery(Name = "sort"), Description("The order of the events listed at each value's `link`, which carries it: `date` (oldest first, the default), `-date` (newest first), or `relevance` (best match first; only with `q`), as on GET /events. The counts do not depend on it.")] string? sort,
        [FromQuery(Name = "facet"), Description("A facet to count: category, year, entity or tag. Repeat for several; at least one.")] string[]? facet,
        [FromQuery(Name = "facetLimit"), Description("At most this many values per facet, the most frequent: an integer from 1 to 500. Default 50.")]
        [IntegerParameter(1, 500, 50, Example = 10)] string? facetLimit,
        HttpContext context,
        EventPageService listing,
        EventFacets facets,
        CancellationToken cancellationToken)
    {
        var (filter, errors) = await listing.ValidateAsync(query.ToListParameters(sort), f => f, cancellationToken, SearchWork.Facets);
        var names = (facet ?? []).Where(f => !string.IsNullOrEmpty(f)).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            errors["facet"] = [$"name at least one facet: {string.Join(", ", EventFacets.Names)}"];
        }
        else if (names.Except(EventFacets.Names, StringComparer.Ordinal).ToList() is { Count: > 0 } unknown)
        {
            errors["facet"] = [$"unknown facet {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the facets are {string.Join(", ", EventFacets.Names)}"];
        }

        var max = 50;
        if (!string.IsNullOrEmpty(facetLimit)
            && (!int.TryParse(facetLimit, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1 || max > 500))
        {
            errors["facetLimit"] = [$"'{facetLimit}' is not an integer from 1 to 500"];
        }

        if (filter is null || errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        return TypedResults.Ok(await facets.CountAsync(filter, names, max, context.Request, cancellationToken));
    }

    public static Task<Results<StreamedResult, ValidationProblem>> ExportCsv(
        [AsParameters] EventFilterQuery query,
        [FromQuery(Name = "sort"), Description(EventFilterQuery.SortDescription)] string? sort,
        HttpContext context,
        EventPageService listing,
        IEventExports exports,
        CancellationToken cancellationToken) =>
        ExportAsync(query.ToListParameters(sort), listing, filter => new StreamedResult(
            CsvExport.ContentType,
            "timeline-events.csv",
            (body, ct) => CsvExport.WriteAsync(exports.StreamAsync(filter, ct), BaseUrl(context.Request), body, ct)), cancellationToken);

    public static Task<Results<StreamedResult, ValidationProblem>> ExportICalendar(
        [AsParameters] EventFilterQuery query,
        [FromQuery(Name = "sort"), Description(EventFilterQuery.SortDescription)] string? sort,
        HttpContext context,
        EventPageService listing,
        IEventExports exports,
        CancellationToken cancellationToken) =>
        ExportAsync(query.ToListParameters(sort), listing, filter => new StreamedResult(
            ICalendarExport.ContentType,
            "timeline-events.ics",
            (body, ct) => ICalendarExport.WriteAsync(exports.StreamAsync(filter, ct), BaseUrl(context.Request), body, ct)), cancellationToken);

    public static Task<Results<StreamedResult, ValidationProblem>> ExportTimelineJs(
        [AsParameters] EventFilterQuery query,
        [FromQuery(Name = "sort"), Description(EventFilterQuery.SortDescription)] string? sort,
        HttpContext context,
        EventPageService listing,
        IEventExports exports,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        CancellationToken cancellationToken) =>
        ExportAsync(query.ToListParameters(sort), listing, filter => new StreamedResult(
            "application/json; charset=utf-8",
            null,
            (body, ct) => TimelineJsExport.WriteAsync(exports.StreamAsync(filter, ct), BaseUrl(context.Request), body, json.Value.SerializerOptions, ct)), cancellationToken);

    public static Task<Results<StreamedResult, ValidationProblem>> ExportAtom(
        [AsParameters] EventFilterQuery query, HttpContext context, EventPageService listing, IEventExports exports, IDataVersion state, CancellationToken cancellationToken) =>
        ExportAsync(query.ToListParameters(), listing, filter => new StreamedResult(
            AtomExport.ContentType,
            null,
            async (body, ct) =>
            {
                var recent = await exports.RecentlyChangedAsync(filter, AtomExport.EntryCount, ct);
                var store = await state.GetAsync(ct);
                var request = context.Request;
                await AtomExport.WriteAsync(recent, BaseUrl(request), $"{BaseUrl(request)}{request.Path}{request.QueryString}", store.UpdatedAt, body, ct);
            },
            bounded: true), cancellationToken);

    private static async Task<Results<StreamedResult, ValidationProblem>> ExportAsync(
        EventListParameters query, EventPageService listing, Func<EventFilter, StreamedResult> export, CancellationToken cancellationToken)
    {
        var (filter, errors) = await listing.ValidateAsync(query, f => f, cancellationToken);
        return filter is null ? QueryProblems.Invalid(errors) : export(filter);
    }

    /// <summary>Whether the client asks for CSV over JSON (Accept: text/csv, by quality).</summary>
    private static bool PrefersCsv(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) || accepted.Count == 0)
        {
            return false;
        }

        var best = accepted
            .Where(a => a.MatchesMediaType("text/csv") || a.MatchesMediaType("application/json") || a.MatchesAllTypes || a.MatchesAllSubTypes)
            .OrderByDescending(a => a.Quality ?? 1.0)
            .ThenBy(a => a.MatchesAllTypes || a.MatchesAllSubTypes ? 1 : 0)
            .FirstOrDefault();
        return best is not null && best.MatchesMediaType("text/csv") && !best.MatchesAllTypes && !best.MatchesAllSubTypes;
    }

    private static string BaseUrl(HttpRequest request) => Operations.PublicUrls.Base(request);
}

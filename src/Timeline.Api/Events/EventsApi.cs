using Microsoft.AspNetCore.Http.HttpResults;
using System.ComponentModel;
using Timeline.Api.Problems;

namespace Timeline.Api.Events;

public static class EventsApi
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/events").WithTags("Events");

        group.MapGet("/", ListEvents)
            .WithName("ListEvents")
            .WithSummary("List events on the timeline")
            .WithDescription(
                """
                Events in timeline order, filtered by date range, category, entity, tag and source, one page at a time.

                Dates are stated at the precision their source gives: `2020`, `2020-12` or `2020-12-18`, with `datePrecision` saying which.
                The `from`/`to` filter matches every event whose interval of days overlaps the range asked for, so a month-precision
                event (`2020-12`) is found by `from=2020-12-18&to=2020-12-18`, and a year-precision event (`2020`) by any range inside 2020.

                Filters combine with AND; the values of one repeated filter combine with OR (`category=sanction&category=entity-listing`).
                Paging is by keyset cursor: follow `nextCursor` (or the `Link: <...>; rel="next"` header) until it is null.
                Unknown parameters, unknown ids and malformed values are refused with a 400 problem naming the parameter.
                """);

        group.MapGet("/{id}", GetEvent)
            .WithName("GetEvent")
            .WithSummary("Get one event with its entities and citations")
            .WithDescription("The event with the entities it involves (and their roles), the verbatim quotes that support it (with their offsets in the source text, in Unicode code points) and its caveats. 404 for an unknown id.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return routes;
    }

    public static async Task<Results<Ok<EventPage>, ValidationProblem>> ListEvents(
        [AsParameters] EventQuery query, HttpContext context, EventListing listing, CancellationToken cancellationToken)
    {
        var (page, problem) = await listing.ListAsync(query, context, filter => filter, cancellationToken);
        return problem is not null ? problem : TypedResults.Ok(page!);
    }

    public static async Task<Results<Ok<EventDetail>, ProblemHttpResult>> GetEvent(
        [Description("Event id, such as smic-added-to-us-sanctions-list.")] string id,
        EventQueries queries,
        CancellationToken cancellationToken) =>
        await queries.GetAsync(id, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : QueryProblems.NotFound("event", id);
}

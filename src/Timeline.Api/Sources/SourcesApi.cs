using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Timeline.Api.Events;
using Timeline.Api.Problems;
using Timeline.Model.Store;
using Timeline.Api.Listing;

namespace Timeline.Api.Sources;

public static class SourcesApi
{
    public static IEndpointRouteBuilder MapSources(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/sources").WithTags("Sources");

        group.MapGet("/", ListSources)
            .WithName("ListSources")
            .WithSummary("List source documents")
            .WithDescription("Every source the timeline cites, with its metadata (publisher, publication date at the precision known, URL where known), the SHA-256 of its text, notes on its provenance and reliability, and the number of events citing it. The full text is served by GET /sources/{id}.");

        group.MapGet("/{id}", GetSource)
            .WithName("GetSource")
            .WithSummary("Get one source document with its full text")
            .WithDescription("The source's metadata and its full text, byte for byte as received. Every citation's startOffset/endOffset index into this text in Unicode code points. 404 for an unknown id, 410 for a deleted one.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .WithMetadata(new Caching.RecordETag());

        group.MapGet("/{id}/events", ListSourceEvents)
            .WithName("ListSourceEvents")
            .WithSummary("List the events that cite one source")
            .WithDescription("Every event with at least one citation from the source, with the same filters, order and paging as GET /events. 404 for an unknown source id.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        SourcePassages.Map(group);
        return routes;
    }

    public static async Task<Ok<SourceList>> ListSources(ISourceReader queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(new SourceList(await queries.ListAsync(cancellationToken)));

    public static async Task<Results<Ok<SourceDetail>, ProblemHttpResult, StatusCodeHttpResult>> GetSource(
        [Description("Source id, such as ft-derived-huawei-smic-kirin-9000s.")] string id,
        HttpContext context,
        ISourceReader queries,
        IDataVersion state,
        CancellationToken cancellationToken)
    {
        var dataVersion = (await state.GetAsync(cancellationToken)).DataVersion;
        var (found, deleted) = await queries.GetAsync(id, cancellationToken);
        return found is not null ? Curation.RecordResponses.Ok(context, found, found.Version, dataVersion)
            : deleted is not null ? QueryProblems.Gone("source", id, deleted)
            : QueryProblems.NotFound("source", id);
    }

    public static async Task<Results<EventPageJson, ValidationProblem, ProblemHttpResult>> ListSourceEvents(
        [Description("Source id, such as ft-derived-huawei-smic-kirin-9000s.")] string id,
        [AsParameters] EventListParameters query,
        HttpContext context,
        ISourceReader sources,
        EventPageService listing,
        CancellationToken cancellationToken)
    {
        if (!await sources.ExistsAsync(id, cancellationToken))
        {
            return QueryProblems.NotFound("source", id);
        }

        var (page, problem) = await listing.ListAsync(query, context, filter => filter with { ScopeSource = id }, cancellationToken);
        return problem is not null ? problem : page!;
    }
}

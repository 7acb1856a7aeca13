using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Timeline.Api.Auth;
using Timeline.Model.Dataset;
using Timeline.Api.Entities;
using Timeline.Api.Events;
using Timeline.Api.Sources;

namespace Timeline.Api.Curation;

/// <summary>The write routes of one kind of record: create, replace, merge-patch, delete (tombstone) and restore.</summary>
public static class RecordEndpoints
{
    public static IEndpointRouteBuilder MapCuration(this IEndpointRouteBuilder routes)
    {
        Map<EventDetail, EventDocument>(routes, "events", "Events", "event");
        Map<EntityItem, EntityDocument>(routes, "entities", "Entities", "entity");
        Map<SourceDetail, SourceDocument>(routes, "sources", "Sources", "source");
        return routes;
    }

    private static void Map<TDetail, TDocument>(IEndpointRouteBuilder routes, string plural, string tag, string name)
        where TDetail : class
        where TDocument : notnull
    {
        var group = routes.MapGroup($"/{plural}").WithTags(tag).RequireAuthorization(Roles.CanEdit);
        var rules = name switch
        {
            "event" => "Every citation quote must occur verbatim in its (not deleted) source, whose offsets the server computes; every entity must exist; the date (and endDate) is YYYY, YYYY-MM or YYYY-MM-DD at the precision the source gives, in a year from 1900 to 2199; the category is one of GET /categories.",
            "source" => "The full text goes in `text`; its SHA-256 is computed, and a text already stored is a 409 pointing at the existing source. A source's text never changes once stored; metadata may.",
            _ => "The kind is one of company, government, agency, person, product, chip, technology, organization, event-series; the country an ISO 3166-1 alpha-2 code.",
        };
        var writes = "Needs an editor key (Authorization: Bearer). Invalid documents are 422 problems listing every invalid field. The change and an immutable revision are written in one transaction.";

        group.MapPost("/", Create<TDetail>)
            .WithName($"Create{Cap(name)}")
            .WithSummary($"Create {Article(name)} {name}")
            .WithDescription($"Creates the {name} from a document in the dataset format (as in data/timeline.json), with a new readable id. {rules} {writes} Answers 201 with the {name}, its ETag and its Location; 409 when the id is taken.")
            .Accepts<TDocument>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPut("/{id}", Replace<TDetail>)
            .WithName($"Replace{Cap(name)}")
            .WithSummary($"Replace {Article(name)} {name}")
            .WithDescription($"Replaces the whole {name} with the document sent (its id is the one in the path). Requires If-Match with the ETag of the version being replaced: 428 without it, 412 when someone changed the {name} meanwhile. {rules} {writes}")
            .Accepts<TDocument>("application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPatch("/{id}", Patch<TDetail>)
            .WithName($"Patch{Cap(name)}")
            .WithSummary($"Change part of {Article(name)} {name} (JSON Merge Patch)")
            .WithDescription($"Applies an RFC 7396 JSON Merge Patch (Content-Type: application/merge-patch+json) to the {name}'s document: fields given replace, null removes, objects merge, arrays replace whole. The result must be a valid {name}. Requires If-Match (428 without, 412 when stale). {rules} {writes}")
            .Accepts<TDocument>("application/merge-patch+json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapDelete("/{id}", Delete<TDetail>)
            .WithName($"Delete{Cap(name)}")
            .WithSummary($"Delete {Article(name)} {name} (tombstone)")
            .WithDescription($"Marks the {name} deleted: it leaves every list, search, facet and export, GET answers 410 saying when and by whom, its history stays, and POST /{plural}/{{id}}/restore brings it back. Requires If-Match (428 without, 412 when stale).{(name == "event" ? "" : $" Refused with 409, naming them, while events that are not deleted refer to the {name}.")} Needs an editor key.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);

        group.MapPost("/{id}/restore", Restore<TDetail>)
            .WithName($"Restore{Cap(name)}")
            .WithSummary($"Restore a deleted {name}")
            .WithDescription($"Brings a deleted {name} back as it was when deleted, as a new version. If-Match is optional (412 when it names another version). 409 when the {name} is not deleted{(name == "event" ? ", or refers to entities or sources that are deleted" : "")}. Needs an editor key.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

    }

    public static async Task<Results<Created<TDetail>, ProblemHttpResult>> Create<TDetail>(
        HttpContext http, RecordKind<TDetail> kind, RecordWrites writes, CancellationToken cancellationToken)
        where TDetail : class
    {
        var result = await writes.CreateAsync(kind, http, cancellationToken);
        if (result.Problem is not null)
        {
            return result.Problem;
        }

        http.Response.Headers.ETag = result.ETag;
        return TypedResults.Created($"/{kind.Plural}/{Id(result.Detail!)}", result.Detail!);
    }

    public static async Task<Results<Ok<TDetail>, ProblemHttpResult>> Replace<TDetail>(
        [Description("The record's id.")] string id, HttpContext http, RecordKind<TDetail> kind, RecordWrites writes, CancellationToken cancellationToken)
        where TDetail : class =>
        Answer(http, await writes.ReplaceAsync(kind, id, http, cancellationToken));

    public static async Task<Results<Ok<TDetail>, ProblemHttpResult>> Patch<TDetail>(
        [Description("The record's id.")] string id, HttpContext http, RecordKind<TDetail> kind, RecordWrites writes, CancellationToken cancellationToken)
        where TDetail : class =>
        Answer(http, await writes.PatchAsync(kind, id, http, cancellationToken));

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete<TDetail>(
        [Description("The record's id.")] string id, HttpContext http, RecordKind<TDetail> kind, RecordWrites writes, CancellationToken cancellationToken)
        where TDetail : class
    {
        var result = await writes.DeleteAsync(kind, id, http, cancellationToken);
        if (result.Problem is not null)
        {
            return result.Problem;
        }

        http.Response.Headers.ETag = result.ETag;
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<TDetail>, ProblemHttpResult>> Restore<TDetail>(
        [Description("The record's id.")] string id, HttpContext http, RecordKind<TDetail> kind, RecordWrites writes, CancellationToken cancellationToken)
        where TDetail : class =>
        Answer(http, await writes.RestoreAsync(kind, id, http, cancellationToken));

    private static Results<Ok<TDetail>, ProblemHttpResult> Answer<TDetail>(HttpContext http, WriteResult<TDetail> result)
        where TDetail : class
    {
        if (result.Problem is not null)
        {
            return result.Problem;
        }

        http.Response.Headers.ETag = result.ETag;
        return TypedResults.Ok(result.Detail!);
    }

    private static string Id(object detail) => detail switch
    {
        EventDetail e => e.Id,
        EntityItem e => e.Id,
        SourceDetail s => s.Id,
        _ => throw new ArgumentException("unknown record", nameof(detail)),
    };

    private static string Cap(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    private static string Article(string name) => name is "event" or "entity" ? "an" : "a";
}

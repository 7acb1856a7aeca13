using Microsoft.AspNetCore.Mvc;
using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Timeline.Api.Auth;
using Timeline.Api.OpenApi;

namespace Timeline.Api.Curation;

/// <summary>
/// POST /events/{id}/merge: a duplicate event merged into the one that survives (<see cref="IEventMerger"/>), in one
/// transaction; the merged id then answers 301 to the survivor.
/// </summary>
public static class EventMergeEndpoints
{
    public const string Description =
        "Merges the event in the path (a duplicate) into the event named by `into`, in one transaction. The survivor keeps its date, title, summary and category "
        + "and gets, as a new revision, the merged event's citations, entity links, tags, caveats, references and `related` links that it lacks (each once; its "
        + "`supersedes` is kept, else the merged one's is taken); the merged id and its former ids join the survivor's `formerIds`. The merged event is deleted "
        + "(a tombstone with its own revision, by the same key), and from then on GET /events/{id} answers 301 Moved Permanently to the survivor, as for a "
        + "renamed event; events that link to the merged id show up in the survivor's `relatedFrom` and `supersededBy`. Both changes appear in /changes and in "
        + "each event's revisions. Requires If-Match with the merged event's ETag (428 without it, 412 when it changed since); `intoETag` in the body guards the "
        + "survivor the same way (optional). 404 or 410 name the event not found or deleted; 422 when the merged survivor would not be a valid event (e.g. more "
        + "than 50 citations) or `into` is missing or the same event. Answers 200 with the survivor, its new ETag and Content-Location, and the data-honesty "
        + "warnings of the survivor as Timeline-Warning headers. `reason` is kept with both revisions; `dryRun=true` answers the survivor as the merge would "
        + "make it and keeps nothing. Needs an editor key.";

    public static IEndpointRouteBuilder MapEventMerge(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/events/{id}/merge", Merge)
            .WithTags("Events")
            .RequireAuthorization(Roles.CanEdit)
            .WithName("MergeEvent")
            .WithSummary("Merge a duplicate event into another")
            .WithDescription(Description)
            .AcceptsBody<MergeRequest>(BodyMediaTypes.Json)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesHeader(WriteWarnings.Header, WriteWarnings.HeaderDescription)
            .ProducesHeader(HeaderNames.ContentLocation, "The surviving event: /events/{into}.", "/events/smic-added-to-us-sanctions-list")
            .ProducesETag()
            .ProducesHeader(WriteOptions.DryRunHeader, WriteOptions.DryRunHeaderDescription, "true")
            .AcceptsIfMatch(required: true);
        return routes;
    }

    public static async Task<Results<Ok<EventDetail>, ProblemHttpResult>> Merge(
        [Description("The id of the event merged away (the duplicate); afterwards it answers 301 to the survivor.")] string id,
        HttpContext http,
        IEventMerger merger,
        [FromQuery(Name = "reason"), Description(WriteOptions.ReasonDescription)] string? reason,
        [FromQuery(Name = "dryRun"), Description(WriteOptions.DryRunDescription)] string? dryRun,
        CancellationToken cancellationToken)
    {
        var (context, badOption) = WriteOptions.Read(http, reason, dryRun);
        if (badOption is not null)
        {
            return badOption;
        }

        if (BodyMediaTypes.Check(http, BodyMediaTypes.Json).Refused is { } unsupported)
        {
            return unsupported;
        }

        var read = await JsonBodies.ReadObjectAsync(http.Request, cancellationToken);
        if (read.Node is not { } body)
        {
            return read.ToProblem();
        }

        var (request, errors) = DocumentJson.Bind<MergeRequest>(body);
        if (request is not null && string.IsNullOrEmpty(request.Into))
        {
            errors["into"] = ["is required: the id of the event that survives"];
        }

        if (request is null || errors.Count > 0)
        {
            return WriteAnswers.Problem(http, "event", new WriteOutcome<EventDetail>.Invalid(errors));
        }

        var intoIfMatch = request.IntoETag is { } tag ? IfMatch.Tags([tag.Trim()]) : IfMatch.Absent;
        var outcome = await merger.MergeAsync(id, request.Into!, Preconditions.IfMatch(http.Request), intoIfMatch, context!, cancellationToken);
        if (outcome is not WriteOutcome<EventDetail>.Updated updated)
        {
            return await WriteAnswers.ProblemAsync(http, "event", outcome, cancellationToken);
        }

        if (!context!.DryRun)
        {
            http.Response.Headers.ETag = Preconditions.Tag(updated.Version, updated.DataVersion);
        }

        http.Response.Headers.ContentLocation = $"/events/{updated.Record.Id}";
        WriteWarnings.Add(http.Response, await WriteWarnings.ForAsync(updated.Record, updated.Version, http.RequestServices, cancellationToken));
        return TypedResults.Ok(updated.Record);
    }
}

using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.Auth;
using Timeline.Model.Dataset;
using Timeline.Api.Entities;
using Timeline.Api.Events;
using Timeline.Api.OpenApi;
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
        var group = routes.MapGroup($"/{plural}").WithTags(tag).RequireAuthorization(Roles.CanEdit)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
        var rules = name switch
        {
            "event" => "Every citation quote must occur verbatim in its (not deleted) source, whose offsets the server computes; every entity must exist; the date (and endDate) is YYYY, YYYY-MM or YYYY-MM-DD at the precision the source gives, in a year from 1900 to 2199; the category is one of GET /categories. Optional `references` point at documents of the public record (title, publisher and date required; url absolute https; citation like 85 FR 83416; documentNumber like 2020-28031; supports required). Optional `formerIds` name ids the event had: a GET of one answers 301, and a live event with one of them is retired (a rename). Optional `related` (ids of live events, none twice, not its own) and `supersedes` (the id of the live event it replaces, never in a cycle of supersedes) link events: the linked event shows them as `relatedFrom` and `supersededBy`.",
            "source" => "The full text goes in `text`; its SHA-256 is computed, and a text already stored is a 409 pointing at the existing source. A source's text never changes once stored; metadata may, including the official fields citation (85 FR 83416), documentNumber (2020-28031), effectiveDate, agencies and documentType, and formerIds.",
            _ => "The kind is one of company, government, agency, person, product, chip, technology, organization, event-series, regulation, list; the country an ISO 3166-1 alpha-2 code. `standalone: true` marks an entity deliberately linked to no event; `formerIds` name ids it had (a GET of one answers 301).",
        };
        var writes = "Needs an editor key (Authorization: Bearer). Invalid documents are 422 problems listing every invalid field. The change and an immutable revision are written in one transaction; `reason` says why (kept in the revision and the change feed), and `dryRun=true` checks the write without writing it. " + WriteWarnings.Description;

        BatchEndpoints.Map<TDetail, TDocument>(group, plural, name);

        var create = name == "source"
            ? group.MapPost("/", SourceUploads.Create)
            : group.MapPost("/", Create<TDetail>);
        create
            .WithName($"Create{Cap(name)}")
            .WithSummary($"Create {Article(name)} {name}")
            .WithDescription($"Creates the {name} from a document in the dataset format (as in data/timeline.json), with a new readable id. {(name == "source" ? SourceUploads.Description + " " : string.Empty)}{rules} {writes} Answers 201 with the {name}, its ETag and its Location (200 with the {name} as it would be stored, for a dry run); 409 when the id is taken; 415 (naming the accepted types) for a body of another type.")
            .AcceptsBody<TDocument>(BodyMediaTypes.Json)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesHeader(WriteWarnings.Header, WriteWarnings.HeaderDescription)
            .ProducesETag()
            .ProducesHeader(WriteOptions.DryRunHeader, WriteOptions.DryRunHeaderDescription, "true");

        group.MapPut("/{id}", Replace<TDetail>)
            .WithName($"Replace{Cap(name)}")
            .WithSummary($"Replace {Article(name)} {name}")
            .WithDescription($"Replaces the whole {name} with the document sent (its id is the one in the path). Requires If-Match with the ETag of the version being replaced: 428 without it, 412 when someone changed the {name} meanwhile. {rules} {writes}")
            .AcceptsBody<TDocument>(BodyMediaTypes.Json)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesHeader(WriteWarnings.Header, WriteWarnings.HeaderDescription)
            .ProducesETag()
            .ProducesHeader(WriteOptions.DryRunHeader, WriteOptions.DryRunHeaderDescription, "true")
            .AcceptsIfMatch(required: true);

        group.MapPatch("/{id}", Patch<TDetail>)
            .WithName($"Patch{Cap(name)}")
            .WithSummary($"Change part of {Article(name)} {name} (JSON Merge Patch or JSON Patch)")
            .WithDescription($"Changes the {name}'s document by the Content-Type of the body. application/merge-patch+json (RFC 7396): fields given replace, null removes, objects merge, arrays replace whole. application/json-patch+json (RFC 6902): an array of operations (add, remove, replace, move, copy, test) at JSON Pointers, applied in order, all or nothing, so one item of an array can be added (`/caveats/-` appends) or removed (`/tags/1`) alone; a failed `test`, or a path naming nothing where the operation needs something, is a 409 naming the operation's index, op and path (and, for a test, the value found), and a malformed operation a 400 naming it. The patch applies to the version If-Match names, inside the write transaction; the result must be a valid {name}. Requires If-Match (428 without, 412 when stale). Any other body type is a 415 naming both. {rules} {writes}")
            .AcceptsBody<TDocument>(BodyMediaTypes.MergePatch)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesHeader(WriteWarnings.Header, WriteWarnings.HeaderDescription)
            .ProducesETag()
            .ProducesHeader(WriteOptions.DryRunHeader, WriteOptions.DryRunHeaderDescription, "true")
            .AcceptsIfMatch(required: true);

        group.MapDelete("/{id}", Delete<TDetail>)
            .WithName($"Delete{Cap(name)}")
            .WithSummary($"Delete {Article(name)} {name} (tombstone)")
            .WithDescription($"Marks the {name} deleted: it leaves every list, search, facet and export, GET answers 410 saying when and by whom, its history stays, and POST /{plural}/{{id}}/restore brings it back. Requires If-Match (428 without, 412 when stale).{(name == "event" ? " Refused with 409, naming them, while events that are not deleted link to it (`related` or `supersedes`): change their links first, or merge the event into another (POST /events/{id}/merge), which keeps their links leading somewhere." : $" Refused with 409, naming them, while events that are not deleted refer to the {name}.")} Needs an editor key. `reason` says why; `dryRun=true` checks the delete without making it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .ProducesETag()
            .ProducesHeader(WriteOptions.DryRunHeader, WriteOptions.DryRunHeaderDescription, "true")
            .AcceptsIfMatch(required: true);

        group.MapPost("/{id}/restore", Restore<TDetail>)
            .WithName($"Restore{Cap(name)}")
            .WithSummary($"Restore a deleted {name}")
            .WithDescription($"Brings a deleted {name} back as it was when deleted, as a new version. If-Match is optional (412 when it names another version). 409 when the {name} is not deleted{(name == "event" ? ", or refers to entities, sources or linked events that are deleted" : "")}. Needs an editor key. `reason` says why; `dryRun=true` checks the restore without making it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesHeader(WriteWarnings.Header, WriteWarnings.HeaderDescription)
            .ProducesETag()
            .ProducesHeader(WriteOptions.DryRunHeader, WriteOptions.DryRunHeaderDescription, "true")
            .AcceptsIfMatch(required: false);
    }

    public static async Task<Results<Created<TDetail>, Ok<TDetail>, ProblemHttpResult>> Create<TDetail>(
        HttpContext http, IRecordWriter<TDetail> writes,
        [FromQuery(Name = "reason"), Description(WriteOptions.ReasonDescription)] string? reason,
        [FromQuery(Name = "dryRun"), Description(WriteOptions.DryRunDescription)] string? dryRun,
        CancellationToken cancellationToken)
        where TDetail : class
    {
        var (context, badOption) = WriteOptions.Read(http, reason, dryRun);
        if (badOption is not null)
        {
            return badOption;
        }

        var (body, refused) = await ReadBodyAsync(http, cancellationToken);
        return refused ?? await CreatedAsync(http, writes, body!, context!, cancellationToken);
    }

    /// <summary>Creates the record from its document: 201 with the record, its ETag, Location and warnings (200 with the record for a dry run), or the problem.</summary>
    internal static async Task<Results<Created<TDetail>, Ok<TDetail>, ProblemHttpResult>> CreatedAsync<TDetail>(
        HttpContext http, IRecordWriter<TDetail> writes, System.Text.Json.Nodes.JsonObject body, WriteContext context, CancellationToken cancellationToken)
        where TDetail : class
    {
        var outcome = await writes.CreateAsync(body, context, cancellationToken);
        if (outcome is not WriteOutcome<TDetail>.Created created)
        {
            return await WriteAnswers.ProblemAsync(http, writes.Resource, outcome, cancellationToken);
        }

        WriteWarnings.Add(http.Response, await WriteWarnings.ForAsync(created.Record, created.Version, http.RequestServices, cancellationToken));
        if (context!.DryRun)
        {
            return TypedResults.Ok(created.Record);
        }

        http.Response.Headers.ETag = Preconditions.Tag(created.Version, created.DataVersion);
        return TypedResults.Created($"/{Problems.QueryProblems.Plural(writes.Resource)}/{created.Id}", created.Record);
    }

    public static async Task<Results<Ok<TDetail>, ProblemHttpResult>> Replace<TDetail>(
        [Description("The record's id.")] string id, HttpContext http, IRecordWriter<TDetail> writes,
        [FromQuery(Name = "reason"), Description(WriteOptions.ReasonDescription)] string? reason,
        [FromQuery(Name = "dryRun"), Description(WriteOptions.DryRunDescription)] string? dryRun,
        CancellationToken cancellationToken)
        where TDetail : class
    {
        var (context, badOption) = WriteOptions.Read(http, reason, dryRun);
        if (badOption is not null)
        {
            return badOption;
        }

        var (body, refused) = await ReadBodyAsync(http, cancellationToken);
        return refused ?? await AnswerAsync(http, writes, context!, await writes.ReplaceAsync(id, body!, Preconditions.IfMatch(http.Request), context!, cancellationToken), cancellationToken);
    }

    public static async Task<Results<Ok<TDetail>, ProblemHttpResult>> Patch<TDetail>(
        [Description("The record's id.")] string id, HttpContext http, IRecordWriter<TDetail> writes,
        [FromQuery(Name = "reason"), Description(WriteOptions.ReasonDescription)] string? reason,
        [FromQuery(Name = "dryRun"), Description(WriteOptions.DryRunDescription)] string? dryRun,
        CancellationToken cancellationToken)
        where TDetail : class
    {
        var (context, badOption) = WriteOptions.Read(http, reason, dryRun);
        if (badOption is not null)
        {
            return badOption;
        }

        var (mediaType, unsupported) = BodyMediaTypes.Check(http, BodyMediaTypes.MergePatch, BodyMediaTypes.JsonPatch);
        if (unsupported is not null)
        {
            return unsupported;
        }

        if (mediaType == BodyMediaTypes.MergePatch)
        {
            var merge = await JsonBodies.ReadObjectAsync(http.Request, cancellationToken);
            return merge.Node is { } patch
                ? await AnswerAsync(http, writes, context!, await writes.MergePatchAsync(id, patch, Preconditions.IfMatch(http.Request), context!, cancellationToken), cancellationToken)
                : merge.ToProblem();
        }

        var read = await JsonBodies.ReadArrayAsync(http.Request, cancellationToken);
        if (read.Value is null)
        {
            return read.ToProblem();
        }

        var (operations, errors) = JsonPatch.Parse(read.Value);
        if (operations is null)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Malformed JSON Patch",
                Detail = "The JSON Patch (RFC 6902) cannot be read: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) + ". Nothing was changed.",
            });
        }

        return await AnswerAsync(http, writes, context!, await writes.JsonPatchAsync(id, operations, Preconditions.IfMatch(http.Request), context!, cancellationToken), cancellationToken);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete<TDetail>(
        [Description("The record's id.")] string id, HttpContext http, IRecordWriter<TDetail> writes,
        [FromQuery(Name = "reason"), Description(WriteOptions.ReasonDescription)] string? reason,
        [FromQuery(Name = "dryRun"), Description(WriteOptions.DryRunDescription)] string? dryRun,
        CancellationToken cancellationToken)
        where TDetail : class
    {
        var (context, badOption) = WriteOptions.Read(http, reason, dryRun);
        if (badOption is not null)
        {
            return badOption;
        }

        var outcome = await writes.DeleteAsync(id, Preconditions.IfMatch(http.Request), context!, cancellationToken);
        if (outcome is not WriteOutcome<TDetail>.Deleted deleted)
        {
            return await WriteAnswers.ProblemAsync(http, writes.Resource, outcome, cancellationToken);
        }

        if (!context!.DryRun)
        {
            http.Response.Headers.ETag = Preconditions.Tag(deleted.Version, deleted.DataVersion);
        }

        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<TDetail>, ProblemHttpResult>> Restore<TDetail>(
        [Description("The record's id.")] string id, HttpContext http, IRecordWriter<TDetail> writes,
        [FromQuery(Name = "reason"), Description(WriteOptions.ReasonDescription)] string? reason,
        [FromQuery(Name = "dryRun"), Description(WriteOptions.DryRunDescription)] string? dryRun,
        CancellationToken cancellationToken)
        where TDetail : class
    {
        var (context, badOption) = WriteOptions.Read(http, reason, dryRun);
        return badOption ?? await AnswerAsync(http, writes, context!, await writes.RestoreAsync(id, Preconditions.IfMatch(http.Request), context!, cancellationToken), cancellationToken);
    }

    /// <summary>A success as 200 with the record, its ETag (none for a dry run) and its warnings; anything else as its problem.</summary>
    private static async Task<Results<Ok<TDetail>, ProblemHttpResult>> AnswerAsync<TDetail>(HttpContext http, IRecordWriter<TDetail> writes, WriteContext context, WriteOutcome<TDetail> outcome, CancellationToken cancellationToken)
        where TDetail : class
    {
        var (record, version, dataVersion) = outcome switch
        {
            WriteOutcome<TDetail>.Updated updated => (updated.Record, updated.Version, updated.DataVersion),
            WriteOutcome<TDetail>.Unchanged unchanged => (unchanged.Record, unchanged.Version, unchanged.DataVersion),
            WriteOutcome<TDetail>.Created created => (created.Record, created.Version, created.DataVersion),
            _ => default,
        };
        if (record is null)
        {
            return await WriteAnswers.ProblemAsync(http, writes.Resource, outcome, cancellationToken);
        }

        if (!context.DryRun)
        {
            http.Response.Headers.ETag = Preconditions.Tag(version, dataVersion);
        }

        WriteWarnings.Add(http.Response, await WriteWarnings.ForAsync(record, version, http.RequestServices, cancellationToken));
        return TypedResults.Ok(record);
    }

    /// <summary>Reads a JSON write body: the JSON object, or the 415 or 400 problem that refuses it.</summary>
    internal static async Task<(System.Text.Json.Nodes.JsonObject? Body, ProblemHttpResult? Refused)> ReadBodyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var (_, unsupported) = BodyMediaTypes.Check(http, BodyMediaTypes.Json);
        if (unsupported is not null)
        {
            return (null, unsupported);
        }

        var read = await JsonBodies.ReadObjectAsync(http.Request, cancellationToken);
        return read.Node is { } body ? (body, null) : (null, read.ToProblem());
    }

    internal static string Actor(HttpContext http) => http.User.Identity?.Name ?? "anonymous";

    private static string Cap(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    private static string Article(string name) => name is "event" or "entity" ? "an" : "a";
}

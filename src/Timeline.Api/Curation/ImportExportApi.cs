using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.Auth;
using Timeline.Model.Dataset;
using Timeline.Api.Exports;
using Timeline.Api.OpenApi;
using Timeline.Api.Operations;

namespace Timeline.Api.Curation;

/// <summary>The whole dataset out (GET /export) and in (POST /import), in the format of data/timeline.json.</summary>
public static class ImportExportApi
{
    private static readonly string[] InlineTextOnly = ["is only for dataset files on disk; give the text inline in 'text'"];

    /// <summary>The largest import accepted over HTTP.</summary>
    public const long MaxImportBytes = 1L << 30;

    public static IEndpointRouteBuilder MapImportExport(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).WithTags("Dataset");

        group.MapGet("/export", Export)
            .WithName("ExportDataset")
            .WithSummary("Export the whole dataset")
            .WithDescription("Every source (with its full text inline), entity and event (with its citations) that is not deleted, in exactly the format of data/timeline.json, so that importing it into an empty store gives the same dataset. Sources and entities are ordered by id, events in timeline order. Streamed from one snapshot of the store. With `history=true` it also carries every revision (see the parameter), so a store moves to another with its whole history. " + Exports.ExportSlots.Description)
            .Produces<DatasetDocument>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .AsExport();

        group.MapPost("/import", Import)
            .RequireAuthorization(Roles.CanAdminister)
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .WithRequestBodyLimit(MaxImportBytes)
            .WithName("ImportDataset")
            .WithSummary("Import a dataset (admin)")
            .WithDescription("Validates the whole dataset (the format of data/timeline.json, with each source's text inline in `text`) against itself and the store first; any invalid record rejects the whole import with a 422 listing every problem, and the store is unchanged. Otherwise every record is created, updated (restored if it was deleted) or left unchanged in one transaction, each change with its revision, and the counts are returned. `reason` is kept with every revision the import adds; `dryRun=true` imports inside a transaction and rolls back, answering the counts the import would have (POST /import/check, for editors, also answers the offsets and warnings). Needs an admin key.")
            .AcceptsBody<DatasetDocument>(BodyMediaTypes.Json)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesHeader(WriteOptions.DryRunHeader, WriteOptions.DryRunHeaderDescription, "true")
            .DisableRequestTimeout(); // a whole dataset is validated and written; a client that leaves still cancels it

        group.MapPost("/import/check", Check)
            .RequireAuthorization(Roles.CanEdit)
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .WithRequestBodyLimit(MaxImportBytes)
            .WithName("CheckDataset")
            .WithSummary("Check a dataset without importing it")
            .WithDescription("Does everything POST /import does with the dataset (validation against itself and the store, every quote located verbatim in its source, each record created, updated or left unchanged in one transaction) and then rolls back: nothing is written. Answers 200 with what the import would do (the counts), the data-honesty warnings it would raise, and every citation's offsets as the server computed them; or the 422 listing every problem, as the import would. Needs an editor key (importing needs an admin's).")
            .AcceptsBody<DatasetDocument>(BodyMediaTypes.Json)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .DisableRequestTimeout();

        return routes;
    }

    public static Results<Exports.StreamedResult, ProblemHttpResult> Export(
        HttpContext http, IDatasetStore store,
        [FromQuery(Name = "history"), System.ComponentModel.Description(
            "`true` to add the full history: a `history` array with every revision of every record, deleted ones included, in commit order "
            + "(position, record, version, action, author, time, reason, document). Importing such a file into an empty store replays it, so "
            + "versions, authors, tombstones and the change feed come back exactly. `false` (the default): the live records only.")] string? history)
    {
        var withHistory = false;
        if (history is not null && !WriteOptions.TryFlag(history, out withHistory))
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["history"] = [$"'{history}' is not true or false"] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Invalid parameter 'history'",
                Detail = $"history: '{history}' is not true or false",
            });
        }

        return new Exports.StreamedResult("application/json; charset=utf-8", withHistory ? "timeline-with-history.json" : "timeline.json",
            (body, ct) => DatasetExport.WriteAsync(store, body, withHistory, ct));
    }

    public static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> Import(
        HttpContext http, IDatasetStore store,
        [FromQuery(Name = "reason"), System.ComponentModel.Description(WriteOptions.ReasonDescription)] string? reason,
        [FromQuery(Name = "dryRun"), System.ComponentModel.Description(WriteOptions.DryRunDescription + " For the offsets and warnings of a dry run, use POST /import/check.")] string? dryRun,
        CancellationToken cancellationToken)
    {
        var (context, badOption) = WriteOptions.Read(http, reason, dryRun);
        if (badOption is not null)
        {
            return badOption;
        }

        var (result, refused) = await ImportAsync(http, store, context! with { Actor = http.User.Identity?.Name ?? "import" }, cancellationToken);
        return refused is not null ? refused : TypedResults.Ok(result!.Report!);
    }

    public static async Task<Results<Ok<DatasetCheck>, ProblemHttpResult>> Check(
        HttpContext http, IDatasetStore store, CancellationToken cancellationToken)
    {
        var (result, refused) = await ImportAsync(http, store, new WriteContext(http.User.Identity?.Name ?? "import", null, DryRun: true), cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var events = result!.Dataset!.Events;
        return TypedResults.Ok(new DatasetCheck(
            result.Report!,
            [.. result.Warnings.Select(w => w.ToString())],
            [.. events.SelectMany(e => e.Citations.Select((c, i) => new CitationOffsets(e.Id, i, c.SourceId, c.StartOffset, c.EndOffset)))]));
    }

    /// <summary>Reads the dataset of the request and imports it as the context says (for real, or as a dry run): the result, or the problem refusing it.</summary>
    private static async Task<(ImportResult? Result, ProblemHttpResult? Refused)> ImportAsync(HttpContext http, IDatasetStore store, WriteContext context, CancellationToken cancellationToken)
    {
        if (BodyMediaTypes.Check(http, BodyMediaTypes.Json).Refused is { } unsupported)
        {
            return (null, unsupported);
        }

        DatasetDocument? document;
        try
        {
            document = await JsonSerializer.DeserializeAsync<DatasetDocument>(http.Request.Body, DatasetReader.JsonOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            // In the dataset's terms (field and value), never the serializer's .NET types.
            var (field, message) = DatasetReader.DescribeJsonError(ex);
            return (null, TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field ?? "body"] = [message] })
            {
                Status = ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status400BadRequest,
                Title = "The dataset cannot be read",
                Detail = field is null ? message : $"{field}: {message}",
            }));
        }

        if (document is null)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The dataset cannot be read", detail: "The body is null, not a dataset object."));
        }

        var fileErrors = (document.Sources ?? []).Select((s, i) => (s, i)).Where(x => x.s?.TextFile is not null)
            .ToDictionary(x => $"sources[{x.i}].textFile", _ => InlineTextOnly);
        if (fileErrors.Count > 0)
        {
            return (null, Invalid(fileErrors, context.DryRun));
        }

        var result = await store.ImportAsync(document, context, cancellationToken);
        return result.Report is not null
            ? (result, null)
            : (null, Invalid(result.Errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal), context.DryRun));
    }

    private static ProblemHttpResult Invalid(Dictionary<string, string[]> errors, bool dryRun) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = dryRun ? "The dataset is not valid; it would not be imported" : "The dataset is not valid; nothing was imported",
            Detail = $"{errors.Count} problem{(errors.Count == 1 ? "" : "s")}: " + string.Join("; ", errors.Take(20).Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) + (errors.Count > 20 ? "; …" : string.Empty),
        });
}

/// <summary>Writes the whole dataset as one JSON document as it reads it, from one read snapshot, in constant memory.</summary>
public static class DatasetExport
{
    public static async Task WriteAsync(IDatasetStore store, Stream body, bool history, CancellationToken ct)
    {
        await using var snapshot = await store.OpenSnapshotAsync(ct);
        await using var json = new JsonChunks(body, new JsonWriterOptions { Indented = true, Encoder = DatasetReader.JsonOptions.Encoder });
        var writer = json.Writer;
        writer.WriteStartObject();
        await WriteArrayAsync(json, "sources", snapshot.SourcesAsync(ct), ct);
        await WriteArrayAsync(json, "entities", snapshot.EntitiesAsync(ct), ct);
        await WriteArrayAsync(json, "events", snapshot.EventsAsync(ct), ct);
        if (history)
        {
            await WriteArrayAsync(json, "history", snapshot.HistoryAsync(ct), ct);
        }

        writer.WriteEndObject();
        await json.FlushAsync(ct);
    }

    private static async Task WriteArrayAsync<T>(JsonChunks json, string name, IAsyncEnumerable<T> documents, CancellationToken ct)
    {
        var writer = json.Writer;
        writer.WritePropertyName(name);
        writer.WriteStartArray();
        await foreach (var document in documents)
        {
            // Each stored document is re-serialised through the dataset records, so the export has the file's exact shape.
            JsonSerializer.Serialize(writer, document, DatasetReader.JsonOptions);
            await json.MaybeFlushAsync(ct);
        }

        writer.WriteEndArray();
    }
}

/// <summary>What importing a dataset would do, checked without writing (POST /import/check).</summary>
/// <param name="WouldImport">The records an import would create, update or leave unchanged, per kind.</param>
/// <param name="Warnings">The data-honesty warnings about the dataset as a whole, "path: message".</param>
/// <param name="Citations">Every citation of every event, with the offsets of its quote in its source as the server computed them.</param>
public sealed record DatasetCheck(ImportReport WouldImport, IReadOnlyList<string> Warnings, IReadOnlyList<CitationOffsets> Citations);

/// <summary>Where one citation's quote is in its source: [start, end) in Unicode code points of the source's text, as citations give them.</summary>
/// <param name="EventId">The event citing.</param>
/// <param name="Citation">The citation's position in the event's citations, from 0.</param>
/// <param name="SourceId">The source quoted.</param>
/// <param name="Start">Where the quote starts.</param>
/// <param name="End">Where it ends (exclusive).</param>
public sealed record CitationOffsets(string EventId, int Citation, string SourceId, int Start, int End);

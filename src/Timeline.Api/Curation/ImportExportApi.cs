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
            .WithDescription("Every source (with its full text inline), entity and event (with its citations) that is not deleted, in exactly the format of data/timeline.json, so that importing it into an empty store gives the same dataset. Sources and entities are ordered by id, events in timeline order. Streamed from one snapshot of the store; takes no parameters (any is refused with a 400). " + Exports.ExportSlots.Description)
            .Produces<DatasetDocument>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .AsExport();

        group.MapPost("/import", Import)
            .RequireAuthorization(Roles.CanAdminister)
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .WithRequestBodyLimit(MaxImportBytes)
            .WithName("ImportDataset")
            .WithSummary("Import a dataset (admin)")
            .WithDescription("Validates the whole dataset (the format of data/timeline.json, with each source's text inline in `text`) against itself and the store first; any invalid record rejects the whole import with a 422 listing every problem, and the store is unchanged. Otherwise every record is created, updated (restored if it was deleted) or left unchanged in one transaction, each change with its revision, and the counts are returned. Needs an admin key.")
            .Accepts<DatasetDocument>("application/json")
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .DisableRequestTimeout(); // a whole dataset is validated and written; a client that leaves still cancels it

        return routes;
    }

    public static Exports.StreamedResult Export(IDatasetStore store) =>
        new("application/json; charset=utf-8", "timeline.json", (body, ct) => DatasetExport.WriteAsync(store, body, ct));

    public static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> Import(HttpContext http, IDatasetStore store, CancellationToken cancellationToken)
    {
        if (!(http.Request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the dataset as application/json.");
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
            return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field ?? "body"] = [message] })
            {
                Status = ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status400BadRequest,
                Title = "The dataset cannot be read",
                Detail = field is null ? message : $"{field}: {message}",
            });
        }

        if (document is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The dataset cannot be read", detail: "The body is null, not a dataset object.");
        }

        var fileErrors = (document.Sources ?? []).Select((s, i) => (s, i)).Where(x => x.s?.TextFile is not null)
            .ToDictionary(x => $"sources[{x.i}].textFile", _ => InlineTextOnly);
        if (fileErrors.Count > 0)
        {
            return Invalid(fileErrors);
        }

        var (report, errors) = await store.ImportAsync(document, http.User.Identity?.Name ?? "import", cancellationToken);
        return report is not null
            ? TypedResults.Ok(report)
            : Invalid(errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal));
    }

    private static ProblemHttpResult Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The dataset is not valid; nothing was imported",
            Detail = $"{errors.Count} problem{(errors.Count == 1 ? "" : "s")}: " + string.Join("; ", errors.Take(20).Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) + (errors.Count > 20 ? "; …" : string.Empty),
        });
}

/// <summary>Writes the whole dataset as one JSON document as it reads it, from one read snapshot, in constant memory.</summary>
public static class DatasetExport
{
    public static async Task WriteAsync(IDatasetStore store, Stream body, CancellationToken ct)
    {
        await using var snapshot = await store.OpenSnapshotAsync(ct);
        await using var json = new JsonChunks(body, new JsonWriterOptions { Indented = true, Encoder = DatasetReader.JsonOptions.Encoder });
        var writer = json.Writer;
        writer.WriteStartObject();
        await WriteArrayAsync(json, "sources", snapshot.SourcesAsync(ct), ct);
        await WriteArrayAsync(json, "entities", snapshot.EntitiesAsync(ct), ct);
        await WriteArrayAsync(json, "events", snapshot.EventsAsync(ct), ct);
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

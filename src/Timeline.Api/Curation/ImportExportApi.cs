using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Timeline.Api.Auth;
using Timeline.Model.Dataset;
using Timeline.Api.Exports;
using Timeline.Api.OpenApi;
using Timeline.Api.Operations;
using Timeline.Store.Sqlite;

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
            .AlsoProduces("application/json", "The dataset document.")
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
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .DisableRequestTimeout(); // a whole dataset is validated and written; a client that leaves still cancels it

        return routes;
    }

    public static Exports.StreamedResult Export(SqliteConnections database) =>
        new("application/json; charset=utf-8", "timeline.json", (body, ct) => DatasetExport.WriteAsync(database, body, ct));

    public static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> Import(HttpContext http, DatasetImporter importer, CancellationToken cancellationToken)
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

        var (report, errors) = await importer.ImportAsync(document, http.User.Identity?.Name ?? "import", cancellationToken);
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

/// <summary>Validates and applies a dataset in one immediate transaction (the HTTP import and the `import` command).</summary>
public sealed class DatasetImporter(SqliteConnections database, TimeProvider clock, DataVersionCache state)
{
    public async Task<(ImportReport? Report, IReadOnlyList<DatasetError> Errors)> ImportAsync(
        DatasetDocument document, string actor, CancellationToken cancellationToken, ImportProgress? progress = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        SqliteConnections.PrepareForBulkWrite(connection);
        var rollbackJournal = await SqliteConnections.TryUseRollbackJournalForFirstLoadAsync(connection, cancellationToken);
        try
        {
            return await ImportAsync(connection, document, actor, progress, cancellationToken);
        }
        finally
        {
            if (rollbackJournal)
            {
                await SqliteConnections.ConfigureFileAsync(connection, CancellationToken.None);
            }

            SqliteConnections.EndBulkWrite(connection);
        }
    }

    private async Task<(ImportReport? Report, IReadOnlyList<DatasetError> Errors)> ImportAsync(
        SqliteConnection connection, DatasetDocument document, string actor, ImportProgress? progress, CancellationToken cancellationToken)
    {
        await using var transaction = connection.BeginTransaction(deferred: false);
        var (dataset, errors) = await DatasetImport.ValidateAsync(connection, transaction, document, cancellationToken);
        if (dataset is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (null, errors);
        }

        progress?.Step("validated");
        var report = await DatasetImport.ApplyAsync(connection, transaction, dataset, new Change(actor, clock.GetUtcNow()), cancellationToken, progress);
        await transaction.CommitAsync(cancellationToken);
        progress?.Step("committed");
        state.Invalidate();
        return (report, []);
    }
}

/// <summary>Writes the whole dataset as one JSON document as it reads it, from one read snapshot, in constant memory.</summary>
public static class DatasetExport
{
    public static async Task WriteAsync(SqliteConnections database, Stream body, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        await using var json = new JsonChunks(body, new JsonWriterOptions { Indented = true, Encoder = DatasetReader.JsonOptions.Encoder });
        var writer = json.Writer;
        writer.WriteStartObject();
        await WriteArrayAsync<SourceDocument>(json, connection, snapshot, "sources",
            "SELECT r.document FROM sources t JOIN revisions r ON r.resource = 'source' AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL ORDER BY t.id;", ct);
        await WriteArrayAsync<EntityDocument>(json, connection, snapshot, "entities",
            "SELECT r.document FROM entities t JOIN revisions r ON r.resource = 'entity' AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL ORDER BY t.id;", ct);
        await WriteArrayAsync<EventDocument>(json, connection, snapshot, "events",
            "SELECT r.document FROM events t JOIN revisions r ON r.resource = 'event' AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL ORDER BY t.first_day, t.date_precision, t.id;", ct);
        writer.WriteEndObject();
        await json.FlushAsync(ct);
        await snapshot.CommitAsync(ct);
    }

    private static async Task WriteArrayAsync<T>(JsonChunks json, SqliteConnection connection, SqliteTransaction snapshot, string name, string sql, CancellationToken ct)
    {
        var writer = json.Writer;
        writer.WritePropertyName(name);
        writer.WriteStartArray();
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, transaction: snapshot, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            // Each stored document is re-serialised through the dataset records, so the export has the file's exact shape.
            var document = Documents.Deserialize<T>(reader.GetString(0));
            JsonSerializer.Serialize(writer, document, DatasetReader.JsonOptions);
            await json.MaybeFlushAsync(ct);
        }

        writer.WriteEndArray();
    }
}

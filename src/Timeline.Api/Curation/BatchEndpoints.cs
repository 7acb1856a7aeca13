using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Timeline.Api.OpenApi;

namespace Timeline.Api.Curation;

/// <summary>A batch write: many records of one kind created or replaced in one all-or-nothing request.</summary>
/// <typeparam name="TDocument">The record's document in the dataset format.</typeparam>
/// <param name="Items">The records, written in this order (at most 500).</param>
public sealed record BatchRequest<TDocument>(IReadOnlyList<BatchRequestItem<TDocument>> Items);

/// <summary>One record of a batch: its whole document and, to replace a record that exists, the ETag of the version replaced.</summary>
/// <typeparam name="TDocument">The record's document in the dataset format.</typeparam>
/// <param name="Document">The record, in the dataset format; its id names it.</param>
/// <param name="IfMatch">Leave out to create the record; to replace one, the ETag of its version (as GET gave it, quotes included, e.g. "3.1207").</param>
public sealed record BatchRequestItem<TDocument>(TDocument Document, string? IfMatch);

/// <summary>What a batch wrote (or, in a dry run, would write): one answer per item, in order.</summary>
/// <typeparam name="TRecord">The record as the API shows it.</typeparam>
/// <param name="DryRun">True when nothing was written (dryRun=true).</param>
/// <param name="DataVersion">The store's data version after the batch (for a dry run, the one it would have).</param>
/// <param name="Items">Each item's answer.</param>
public sealed record BatchAnswer<TRecord>(bool DryRun, long DataVersion, IReadOnlyList<BatchAnswerItem<TRecord>> Items);

/// <summary>One item of a batch as written.</summary>
/// <typeparam name="TRecord">The record as the API shows it.</typeparam>
/// <param name="Index">Its position in the request, from 0.</param>
/// <param name="Id">The record's id.</param>
/// <param name="Status">created, updated, or unchanged (the document sent is the one stored: no new version).</param>
/// <param name="Version">The record's version after the batch.</param>
/// <param name="ETag">Its ETag for the next write (null in a dry run).</param>
/// <param name="Warnings">The data-honesty warnings about it, "path: message" (as the Timeline-Warning headers of a single write).</param>
/// <param name="Record">The record as stored (or as it would be), with the quote offsets the server computed.</param>
public sealed record BatchAnswerItem<TRecord>(int Index, string Id, string Status, long Version, string? ETag, IReadOnlyList<string> Warnings, TRecord Record);

public static class BatchEndpoints
{
    /// <summary>The most records one batch may write.</summary>
    public const int MaxItems = 500;


    public static void Map<TDetail, TDocument>(RouteGroupBuilder group, string plural, string name)
        where TDetail : class
        where TDocument : notnull =>
        group.MapPost("/batch", Write<TDetail>)
            .WithName($"Write{char.ToUpperInvariant(plural[0])}{plural[1..]}Batch")
            .WithSummary($"Create or replace many {plural} at once (all or nothing)")
            .WithDescription(
                $"Writes up to {MaxItems} {plural} in one transaction: an item without `ifMatch` creates its document's {name} (409 when the id is taken), "
                + $"an item with `ifMatch` replaces the {name} its document names (the ETag must be that of its current version: 412 when it changed meanwhile). "
                + "Items are written in order, so a later item may refer to a record an earlier one creates. The first item refused stops the batch, nothing is "
                + "written, and the problem names it: `index` (from 0) and, for an invalid document, fields keyed `items[i].document.<field>`. "
                + $"Each {name} is validated as a single write is (quotes verbatim, offsets computed). Answers 200 with one answer per item: status, version, "
                + "its new ETag, its warnings and the record as stored. `reason` is kept with every revision the batch adds; `dryRun=true` checks the whole batch "
                + "and answers what would be stored, writing nothing. Needs an editor key.")
            .AcceptsBody<BatchRequest<TDocument>>(BodyMediaTypes.Json)
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesHeader(WriteOptions.DryRunHeader, WriteOptions.DryRunHeaderDescription, "true");

    public static async Task<Results<Ok<BatchAnswer<TDetail>>, ProblemHttpResult>> Write<TDetail>(
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

        if (BodyMediaTypes.Check(http, BodyMediaTypes.Json).Refused is { } unsupported)
        {
            return unsupported;
        }

        var read = await JsonBodies.ReadObjectAsync(http.Request, cancellationToken);
        if (read.Node is not { } body)
        {
            return read.ToProblem();
        }

        var (items, errors) = Items(body);
        if (errors.Count > 0)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The batch is not well formed",
                Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
            });
        }

        var outcome = await writes.WriteManyAsync(items, context!, cancellationToken);
        if (outcome is BatchOutcome<TDetail>.Refused refused)
        {
            return ItemProblem(await WriteAnswers.ProblemAsync(http, writes.Resource, refused.Refusal, cancellationToken), refused.Index);
        }

        var written = (BatchOutcome<TDetail>.Written)outcome;
        var answers = new List<BatchAnswerItem<TDetail>>(written.Items.Count);
        var published = new Dictionary<string, PartialDate?>(StringComparer.Ordinal); // each cited source read once for the whole batch
        for (var i = 0; i < written.Items.Count; i++)
        {
            var (id, status, record, version, dataVersion) = written.Items[i] switch
            {
                WriteOutcome<TDetail>.Created c => (c.Id, "created", c.Record, c.Version, c.DataVersion),
                WriteOutcome<TDetail>.Updated u => (IdOf(items[i]), "updated", u.Record, u.Version, u.DataVersion),
                WriteOutcome<TDetail>.Unchanged u => (IdOf(items[i]), "unchanged", u.Record, u.Version, u.DataVersion),
                var other => throw new InvalidOperationException($"A batch item answered {other.GetType().Name}."),
            };
            var warnings = await WriteWarnings.ForAsync(record, version, http.RequestServices, cancellationToken, published);
            answers.Add(new BatchAnswerItem<TDetail>(i, id, status, version, context!.DryRun ? null : Preconditions.Tag(version, dataVersion),
                [.. warnings.Select(w => w.ToString())], record));
        }

        return TypedResults.Ok(new BatchAnswer<TDetail>(context!.DryRun, written.DataVersion, answers));
    }

    private static string IdOf(BatchItem item) => item.Document["id"]?.GetValue<string>() ?? string.Empty;

    /// <summary>The items of a batch body, or every problem with its shape keyed by path.</summary>
    private static (List<BatchItem> Items, Dictionary<string, string[]> Errors) Items(JsonObject body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var items = new List<BatchItem>();
        foreach (var (key, _) in body)
        {
            if (key != "items")
            {
                errors[key] = ["is not a field of a batch, which has only `items`"];
            }
        }

        if (body["items"] is not JsonArray array)
        {
            errors["items"] = ["is required: an array of {\"document\": {...}, \"ifMatch\": \"...\"} objects"];
            return (items, errors);
        }

        if (array.Count == 0 || array.Count > MaxItems)
        {
            errors["items"] = [$"has {array.Count} items; a batch writes from 1 to {MaxItems}"];
            return (items, errors);
        }

        for (var i = 0; i < array.Count; i++)
        {
            var path = $"items[{i}]";
            if (array[i] is not JsonObject item)
            {
                errors[path] = ["is not an object with a `document` (and, to replace a record, its `ifMatch`)"];
                continue;
            }

            foreach (var (key, _) in item)
            {
                if (key is not ("document" or "ifMatch"))
                {
                    errors[$"{path}.{key}"] = ["is not a field of a batch item, which has `document` and `ifMatch`"];
                }
            }

            if (item["document"] is not JsonObject document)
            {
                errors[$"{path}.document"] = ["is required: the record in the dataset format"];
                continue;
            }

            if (document["id"] is not JsonValue id || !id.TryGetValue<string>(out _))
            {
                errors[$"{path}.document.id"] = ["is required: the id of the record written"];
                continue;
            }

            var ifMatch = IfMatch.Absent;
            switch (item["ifMatch"])
            {
                case null:
                    break;
                case JsonValue tag when tag.TryGetValue<string>(out var text) && EntityTagHeaderValue.TryParse(text, out var parsed):
                    ifMatch = parsed.Equals(EntityTagHeaderValue.Any) ? IfMatch.Any : IfMatch.Tags([parsed.Tag.ToString()]);
                    break;
                default:
                    errors[$"{path}.ifMatch"] = ["is not an ETag: send the one GET gave, quotes included, e.g. \"3.1207\""];
                    continue;
            }

            // The item's document leaves the request's tree, so the writer may change it.
            item.Remove("document");
            items.Add(new BatchItem(document, ifMatch));
        }

        return (items, errors);
    }

    /// <summary>The problem of the item refused, naming it: its index, and its fields under items[i].document.</summary>
    private static ProblemHttpResult ItemProblem(ProblemHttpResult problem, int index)
    {
        var details = problem.ProblemDetails;
        if (details is HttpValidationProblemDetails validation)
        {
            var keyed = validation.Errors.ToDictionary(e => $"items[{index}].document.{e.Key}", e => e.Value, StringComparer.Ordinal);
            validation.Errors.Clear();
            foreach (var (key, value) in keyed)
            {
                validation.Errors[key] = value;
            }
        }

        details.Detail = $"items[{index}]: {details.Detail}";
        details.Extensions["index"] = index;
        return problem;
    }
}

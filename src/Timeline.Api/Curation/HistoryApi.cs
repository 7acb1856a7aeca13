using System.Buffers.Text;
using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.Problems;

namespace Timeline.Api.Curation;

/// <summary>A page of the change feed.</summary>
/// <param name="Items">Changes in commit order.</param>
/// <param name="NextCursor">Pass as `since` to continue after the last change shown; present even on an empty page, so a mirror can poll with it.</param>
public sealed record ChangePage(IReadOnlyList<ChangeItem> Items, string NextCursor);

public static class HistoryApi
{
    public static IEndpointRouteBuilder MapHistory(this IEndpointRouteBuilder routes)
    {
        foreach (var (plural, tag, name) in new[] { ("events", "Events", "event"), ("entities", "Entities", "entity"), ("sources", "Sources", "source") })
        {
            var group = routes.MapGroup($"/{plural}").WithTags(tag);
            group.MapGet("/{id}/revisions", (string id, IRecordHistory history, CancellationToken ct) => ListRevisions(name, id, history, ct))
                .WithName($"List{char.ToUpperInvariant(name[0])}{name[1..]}Revisions")
                .WithSummary($"List the revisions of {(name == "source" ? "a" : "an")} {name}")
                .WithDescription($"Every change to the {name}, oldest first: version, action (create, update, delete, restore), who and when. Deleted {plural} keep their history. 404 when no {name} with this id ever existed.")
                .ProducesProblem(StatusCodes.Status404NotFound);
            group.MapGet("/{id}/revisions/{version}", (string id, string version, IRecordHistory history, CancellationToken ct) => GetRevision(name, id, version, history, ct))
                .WithName($"Get{char.ToUpperInvariant(name[0])}{name[1..]}Revision")
                .WithSummary($"Get {(name == "source" ? "a" : "an")} {name} as it was at one version")
                .WithDescription($"The {name}'s full document in the dataset format as it stood after the change that made this version, with who made it and when. 404 for an unknown id or version.")
                .ProducesProblem(StatusCodes.Status404NotFound);
        }

        routes.MapGet("/changes", Changes)
            .WithTags("Changes")
            .WithName("ListChanges")
            .WithSummary("Follow every change to the timeline")
            .WithDescription(
                """
                Every change to any event, entity or source, in commit order, each with the record's document as it stood after the change.
                Start without `since` (from the beginning), then pass the `nextCursor` of each page as `since`: a mirror or search index
                that keeps the last cursor it processed never misses or repeats a change, and can poll with it for new ones.
                """);
        return routes;
    }

    public static async Task<Results<Ok<RevisionList>, ProblemHttpResult>> ListRevisions(string resource, string id, IRecordHistory history, CancellationToken cancellationToken)
    {
        var revisions = await history.RevisionsAsync(resource, id, cancellationToken);
        return revisions.Count == 0
            ? QueryProblems.NotFound(resource, id)
            : TypedResults.Ok(new RevisionList(revisions));
    }

    public static async Task<Results<Ok<RevisionDetail>, ProblemHttpResult>> GetRevision(string resource, string id, string version, IRecordHistory history, CancellationToken cancellationToken)
    {
        if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such revision", detail: $"'{version}' is not a version number.");
        }

        var revision = await history.RevisionAsync(resource, id, number, cancellationToken);
        return revision is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such revision", detail: $"The {resource} '{id}' has no version {number}.")
            : TypedResults.Ok(revision);
    }

    public static async Task<Results<Ok<ChangePage>, ValidationProblem>> Changes(
        [FromQuery(Name = "since"), Description("The nextCursor of the last page processed; leave out to start from the first change.")] string? since,
        [FromQuery(Name = "limit"), Description("At most this many changes: an integer from 1 to 1000. Default 100.")]
        [OpenApi.IntegerParameter(1, 1000, 100, Example = 100)] string? limit,
        IRecordHistory history,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        long after = 0;
        if (since is not null && !TryReadCursor(since, out after))
        {
            errors["since"] = ["is not a cursor this feed issued; pass a nextCursor unchanged"];
        }

        var take = 100;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take < 1 || take > 1000))
        {
            errors["limit"] = [$"'{limit}' is not an integer from 1 to 1000"];
        }

        if (errors.Count > 0)
        {
            return QueryProblems.Invalid(errors);
        }

        var page = await history.ChangesAsync(after, take, cancellationToken);
        return TypedResults.Ok(new ChangePage(page.Items, Cursor(page.Last)));
    }

    private static string Cursor(long seq) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("changes:" + seq.ToString(CultureInfo.InvariantCulture)));

    private static bool TryReadCursor(string cursor, out long seq)
    {
        seq = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith("changes:", StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

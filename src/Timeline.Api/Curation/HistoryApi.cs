using System.Buffers.Text;
using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Timeline.Api.Problems;
using Timeline.Store.Sqlite;

namespace Timeline.Api.Curation;

/// <summary>One revision of a record, without its document.</summary>
/// <param name="Version">The record's version after the change.</param>
/// <param name="Action">create, update, delete or restore.</param>
/// <param name="Actor">The name of the API key that made the change (or seed, import).</param>
/// <param name="At">When the change was committed (UTC).</param>
public sealed record RevisionSummary(long Version, string Action, string Actor, string At);

/// <summary>A record's revisions, oldest first.</summary>
/// <param name="Items">Every revision of the record.</param>
public sealed record RevisionList(IReadOnlyList<RevisionSummary> Items);

/// <summary>One revision with the full document as it stood after the change.</summary>
/// <param name="Version">The record's version after the change.</param>
/// <param name="Action">create, update, delete or restore.</param>
/// <param name="Actor">Who made the change.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Document">The record in the dataset format, as it was at this version.</param>
public sealed record RevisionDetail(long Version, string Action, string Actor, string At, JsonElement Document);

/// <summary>One change in the feed.</summary>
/// <param name="Resource">event, entity or source.</param>
/// <param name="Id">The record's id.</param>
/// <param name="Version">Its version after the change.</param>
/// <param name="Action">create, update, delete or restore.</param>
/// <param name="Actor">Who made the change.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Document">The record as it stood after the change, in the dataset format.</param>
public sealed record ChangeItem(string Resource, string Id, long Version, string Action, string Actor, string At, JsonElement Document);

/// <summary>A page of the change feed.</summary>
/// <param name="Items">Changes in commit order.</param>
/// <param name="NextCursor">Pass as `since` to continue after the last change shown; present even on an empty page, so a mirror can poll with it.</param>
public sealed record ChangePage(IReadOnlyList<ChangeItem> Items, string NextCursor);

public static class HistoryApi
{
    private sealed class RevisionRow
    {
        public long Seq { get; init; }

        public string Resource { get; init; } = string.Empty;

        public string ResourceId { get; init; } = string.Empty;

        public long Version { get; init; }

        public string Action { get; init; } = string.Empty;

        public string Actor { get; init; } = string.Empty;

        public string At { get; init; } = string.Empty;

        public string Document { get; init; } = "{}";
    }

    public static IEndpointRouteBuilder MapHistory(this IEndpointRouteBuilder routes)
    {
        foreach (var (plural, tag, name) in new[] { ("events", "Events", "event"), ("entities", "Entities", "entity"), ("sources", "Sources", "source") })
        {
            var group = routes.MapGroup($"/{plural}").WithTags(tag);
            group.MapGet("/{id}/revisions", (string id, SqliteConnections db, CancellationToken ct) => ListRevisions(name, id, db, ct))
                .WithName($"List{char.ToUpperInvariant(name[0])}{name[1..]}Revisions")
                .WithSummary($"List the revisions of {(name == "source" ? "a" : "an")} {name}")
                .WithDescription($"Every change to the {name}, oldest first: version, action (create, update, delete, restore), who and when. Deleted {plural} keep their history. 404 when no {name} with this id ever existed.")
                .ProducesProblem(StatusCodes.Status404NotFound);
            group.MapGet("/{id}/revisions/{version}", (string id, string version, SqliteConnections db, CancellationToken ct) => GetRevision(name, id, version, db, ct))
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

    public static async Task<Results<Ok<RevisionList>, ProblemHttpResult>> ListRevisions(string resource, string id, SqliteConnections database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<RevisionRow>(new CommandDefinition(
            "SELECT version, action, actor, at FROM revisions WHERE resource = @resource AND resource_id = @id ORDER BY version;",
            new { resource, id },
            cancellationToken: cancellationToken))).AsList();
        return rows.Count == 0
            ? QueryProblems.NotFound(resource, id)
            : TypedResults.Ok(new RevisionList(rows.Select(r => new RevisionSummary(r.Version, r.Action, r.Actor, r.At)).ToList()));
    }

    public static async Task<Results<Ok<RevisionDetail>, ProblemHttpResult>> GetRevision(string resource, string id, string version, SqliteConnections database, CancellationToken cancellationToken)
    {
        if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such revision", detail: $"'{version}' is not a version number.");
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RevisionRow>(new CommandDefinition(
            "SELECT version, action, actor, at, document FROM revisions WHERE resource = @resource AND resource_id = @id AND version = @number;",
            new { resource, id, number },
            cancellationToken: cancellationToken));
        return row is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such revision", detail: $"The {resource} '{id}' has no version {number}.")
            : TypedResults.Ok(new RevisionDetail(row.Version, row.Action, row.Actor, row.At, JsonDocument.Parse(row.Document).RootElement.Clone()));
    }

    public static async Task<Results<Ok<ChangePage>, ValidationProblem>> Changes(
        [FromQuery(Name = "since"), Description("The nextCursor of the last page processed; leave out to start from the first change.")] string? since,
        [FromQuery(Name = "limit"), Description("At most this many changes: an integer from 1 to 1000. Default 100.")] string? limit,
        SqliteConnections database,
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

        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<RevisionRow>(new CommandDefinition(
            """
            SELECT seq, resource, resource_id AS ResourceId, version, action, actor, at, document
            FROM revisions WHERE seq > @after ORDER BY seq LIMIT @take;
            """,
            new { after, take },
            cancellationToken: cancellationToken))).AsList();
        var last = rows.Count > 0 ? rows[^1].Seq : after;
        return TypedResults.Ok(new ChangePage(
            rows.Select(r => new ChangeItem(r.Resource, r.ResourceId, r.Version, r.Action, r.Actor, r.At, JsonDocument.Parse(r.Document).RootElement.Clone())).ToList(),
            Cursor(last)));
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

using System.Data;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Data.Sqlite;
using Timeline.Store.Sqlite;

namespace Timeline.Api.Curation;

/// <summary>What a write produced: the record as it now stands and its ETag, or the problem that stopped it.</summary>
public sealed record WriteResult<TDetail>(TDetail? Detail, string? ETag, ProblemHttpResult? Problem);

/// <summary>
/// The one write path for events, entities and sources: each write runs in one immediate transaction
/// that checks the precondition (If-Match) against the stored version, validates the whole document,
/// writes the record, its search row and its revision, and moves the data version, so readers see the
/// change whole or not at all and concurrent writers never overwrite each other silently.
/// </summary>
public sealed class RecordWrites(SqliteConnections database, TimeProvider clock, DataVersionCache state)
{
    private sealed class State
    {
        public long Version { get; init; }

        public string? DeletedAt { get; init; }

        public string? DeletedBy { get; init; }
    }

    public Task<WriteResult<TDetail>> CreateAsync<TDetail>(RecordKind<TDetail> kind, HttpContext http, CancellationToken ct)
        where TDetail : class =>
        WithBodyAsync(kind, http, "application/json", async (c, tx, body) =>
        {
            if (body["id"]?.GetValueKind() is not System.Text.Json.JsonValueKind.String)
            {
                return Unprocessable(new() { ["id"] = ["is required: a slug such as smic-added-to-us-sanctions-list"] });
            }

            var id = body["id"]!.GetValue<string>();
            var state = await StateAsync(c, tx, kind, id, ct);
            if (state is not null)
            {
                http.Response.Headers.Location = $"/{kind.Plural}/{id}";
                return Problem(StatusCodes.Status409Conflict, $"The {kind.Name} exists",
                    state.DeletedAt is null
                        ? $"There is already a {kind.Name} '{id}'; change it with PUT or PATCH /{kind.Plural}/{id}."
                        : $"The {kind.Name} '{id}' exists but is deleted; bring it back with POST /{kind.Plural}/{id}/restore.");
            }

            var (valid, errors) = await kind.ValidateAsync(c, tx, body, ct);
            if (valid is null || errors.Count > 0)
            {
                return Unprocessable(errors);
            }

            if (await kind.CreateConflictAsync(c, tx, valid, ct) is { } conflict)
            {
                http.Response.Headers.Location = $"/{kind.Plural}/{conflict.Existing}";
                return Problem(StatusCodes.Status409Conflict, $"The {kind.Name} exists", conflict.Detail, new() { ["existing"] = $"/{kind.Plural}/{conflict.Existing}" });
            }

            await kind.WriteAsync(c, tx, valid, "create", Actor(http), ct);
            return Written(id);
        }, ct);

    public Task<WriteResult<TDetail>> ReplaceAsync<TDetail>(RecordKind<TDetail> kind, string id, HttpContext http, CancellationToken ct)
        where TDetail : class =>
        WithBodyAsync(kind, http, "application/json", async (c, tx, body) =>
        {
            var (state, refused) = await PreconditionAsync(c, tx, kind, id, http, required: true, ct);
            return refused ?? await ReplaceWithAsync(c, tx, kind, id, state!, body, http, ct);
        }, ct);

    public Task<WriteResult<TDetail>> PatchAsync<TDetail>(RecordKind<TDetail> kind, string id, HttpContext http, CancellationToken ct)
        where TDetail : class =>
        WithBodyAsync(kind, http, "application/merge-patch+json", async (c, tx, patch) =>
        {
            var (state, refused) = await PreconditionAsync(c, tx, kind, id, http, required: true, ct);
            if (refused is not null)
            {
                return refused;
            }

            var current = JsonNode.Parse(await CurrentDocumentAsync(c, tx, kind, id, state!.Version, ct));
            var merged = JsonBodies.MergePatch(current, patch) as JsonObject ?? [];
            return await ReplaceWithAsync(c, tx, kind, id, state, merged, http, ct);
        }, ct);

    public Task<WriteResult<TDetail>> DeleteAsync<TDetail>(RecordKind<TDetail> kind, string id, HttpContext http, CancellationToken ct)
        where TDetail : class =>
        InTransactionAsync(kind, id, async (c, tx) =>
        {
            var (state, refused) = await PreconditionAsync(c, tx, kind, id, http, required: true, ct);
            if (refused is not null)
            {
                return refused;
            }

            var blockers = await kind.DeleteBlockersAsync(c, tx, id, ct);
            if (blockers.Count > 0)
            {
                return Problem(StatusCodes.Status409Conflict, $"The {kind.Name} is still referred to",
                    $"{blockers.Count} event{(blockers.Count == 1 ? "" : "s")} still refer to the {kind.Name} '{id}': {string.Join(", ", blockers.Take(20))}{(blockers.Count > 20 ? ", …" : "")}. Change or delete them first.",
                    new() { ["events"] = blockers });
            }

            var document = await CurrentDocumentAsync(c, tx, kind, id, state!.Version, ct);
            await TimelineWriter.SetDeletedAsync(c, tx, kind.Name, id, deleted: true, document, Actor(http), ct);
            return Written(id);
        }, allowDeleted: true, ct);

    public Task<WriteResult<TDetail>> RestoreAsync<TDetail>(RecordKind<TDetail> kind, string id, HttpContext http, CancellationToken ct)
        where TDetail : class =>
        InTransactionAsync(kind, id, async (c, tx) =>
        {
            var state = await StateAsync(c, tx, kind, id, ct);
            if (state is null)
            {
                return NotFound(kind, id);
            }

            if (Preconditions.IfMatch(http.Request, state.Version) == false)
            {
                return Stale(kind, id, state.Version);
            }

            if (state.DeletedAt is null)
            {
                return Problem(StatusCodes.Status409Conflict, $"The {kind.Name} is not deleted", $"The {kind.Name} '{id}' is not deleted; there is nothing to restore.");
            }

            var blockers = await kind.RestoreBlockersAsync(c, tx, id, ct);
            if (blockers.Count > 0)
            {
                return Problem(StatusCodes.Status409Conflict, $"The {kind.Name} refers to deleted records",
                    $"The {kind.Name} '{id}' refers to deleted records: {string.Join(", ", blockers)}. Restore them first.");
            }

            var document = await CurrentDocumentAsync(c, tx, kind, id, state.Version, ct);
            await TimelineWriter.SetDeletedAsync(c, tx, kind.Name, id, deleted: false, document, Actor(http), ct);
            return Written(id);
        }, allowDeleted: true, ct);

    private async Task<Step> ReplaceWithAsync<TDetail>(
        IDbConnection c, IDbTransaction tx, RecordKind<TDetail> kind, string id, State state, JsonObject body, HttpContext http, CancellationToken ct)
        where TDetail : class
    {
        if (body["id"] is { } given && (given.GetValueKind() != System.Text.Json.JsonValueKind.String || given.GetValue<string>() != id))
        {
            return Unprocessable(new() { ["id"] = [$"cannot change: this is the {kind.Name} '{id}'"] });
        }

        body["id"] = id;
        var (valid, errors) = await kind.ValidateAsync(c, tx, body, ct);
        if (valid is null || errors.Count > 0)
        {
            return Unprocessable(errors);
        }

        if (await kind.ReplaceProblemsAsync(c, tx, valid, ct) is { } problems)
        {
            return Unprocessable(problems);
        }

        var current = await CurrentDocumentAsync(c, tx, kind, id, state.Version, ct);
        if (current == Documents.Serialize(ToDocument(valid)))
        {
            // Nothing changes: no new version, no revision.
            return Written(id, changed: false);
        }

        await kind.WriteAsync(c, tx, valid, "update", Actor(http), ct);
        return Written(id);
    }

    private static object ToDocument(object valid) => valid switch
    {
        ValidEvent e => Documents.From(e),
        ValidEntity e => Documents.From(e),
        ValidSource s => Documents.From(s),
        _ => throw new ArgumentException("unknown record", nameof(valid)),
    };

    /// <summary>Runs a write that reads a JSON body of the given media type.</summary>
    private async Task<WriteResult<TDetail>> WithBodyAsync<TDetail>(
        RecordKind<TDetail> kind, HttpContext http, string mediaType, Func<IDbConnection, IDbTransaction, JsonObject, Task<Step>> write, CancellationToken ct)
        where TDetail : class
    {
        var contentType = http.Request.ContentType ?? string.Empty;
        var accepted = mediaType == "application/json"
            ? contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            : contentType.StartsWith(mediaType, StringComparison.OrdinalIgnoreCase);
        if (!accepted)
        {
            return new WriteResult<TDetail>(null, null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: $"Send the body as {mediaType}{(mediaType == "application/json" ? "" : " (RFC 7396 JSON Merge Patch)")}; got '{contentType}'."));
        }

        var read = await JsonBodies.ReadObjectAsync(http.Request, ct);
        if (read.Node is not { } body)
        {
            return new WriteResult<TDetail>(null, null, read.ToProblem());
        }

        var id = body["id"] is JsonValue v && v.TryGetValue<string>(out var given) ? given : string.Empty;
        return await InTransactionAsync(kind, id, (c, tx) => write(c, tx, body), allowDeleted: false, ct);
    }

    /// <summary>Runs one write step in an immediate transaction; commits only when it wrote, then reads the result in a snapshot.</summary>
    private async Task<WriteResult<TDetail>> InTransactionAsync<TDetail>(
        RecordKind<TDetail> kind, string id, Func<IDbConnection, IDbTransaction, Task<Step>> step, bool allowDeleted, CancellationToken ct)
        where TDetail : class
    {
        await using var connection = await database.OpenAsync(ct);
        Step outcome;
        await using (var transaction = connection.BeginTransaction(deferred: false))
        {
            outcome = await step(connection, transaction);
            if (outcome.Problem is not null)
            {
                await transaction.RollbackAsync(ct);
                return new WriteResult<TDetail>(null, null, outcome.Problem);
            }

            if (outcome.Changed)
            {
                await TimelineWriter.TouchAsync(connection, transaction, new Change(string.Empty, clock.GetUtcNow()), ct);
            }

            await transaction.CommitAsync(ct);
            state.Invalidate();
        }

        // The answer comes from one snapshot: the record and the data version it was read at.
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var dataVersion = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT data_version FROM store_state WHERE id = 1;", transaction: snapshot, cancellationToken: ct));
        var recordId = outcome.Id ?? id;
        var (detail, version) = await kind.ReadAsync(connection, snapshot, recordId, ct);
        if (detail is null && allowDeleted)
        {
            version = (await StateAsync(connection, snapshot, kind, recordId, ct))?.Version ?? 0;
        }

        await snapshot.CommitAsync(ct);
        return new WriteResult<TDetail>(detail, Preconditions.Tag(version, dataVersion), null);
    }

    private Change Actor(HttpContext http) => new(http.User.Identity?.Name ?? "anonymous", clock.GetUtcNow());

    private static async Task<(State? State, Step? Refused)> PreconditionAsync<TDetail>(
        IDbConnection c, IDbTransaction tx, RecordKind<TDetail> kind, string id, HttpContext http, bool required, CancellationToken ct)
        where TDetail : class
    {
        var state = await StateAsync(c, tx, kind, id, ct);
        if (state is null)
        {
            return (null, NotFound(kind, id));
        }

        if (state.DeletedAt is not null)
        {
            return (null, Problem(StatusCodes.Status410Gone, $"The {kind.Name} was deleted",
                $"The {kind.Name} '{id}' was deleted at {state.DeletedAt} by {state.DeletedBy}; POST /{kind.Plural}/{id}/restore brings it back.",
                new() { ["deletedAt"] = state.DeletedAt, ["deletedBy"] = state.DeletedBy }));
        }

        switch (Preconditions.IfMatch(http.Request, state.Version))
        {
            case null when required:
                return (null, Problem(StatusCodes.Status428PreconditionRequired, "If-Match required",
                    $"Send If-Match with the ETag of the {kind.Name} you are changing (GET /{kind.Plural}/{id}), so that a change made meanwhile by someone else is never overwritten."));
            case false:
                return (null, Stale(kind, id, state.Version));
            default:
                return (state, null);
        }
    }

    private static Step Stale<TDetail>(RecordKind<TDetail> kind, string id, long version)
        where TDetail : class =>
        Problem(StatusCodes.Status412PreconditionFailed, "The record has changed",
            $"The {kind.Name} '{id}' is at version {version}, not the one your If-Match names; someone changed it meanwhile. GET it again, reapply your change, and send the new ETag.",
            new() { ["currentVersion"] = version });

    private static Step NotFound<TDetail>(RecordKind<TDetail> kind, string id)
        where TDetail : class =>
        Problem(StatusCodes.Status404NotFound, $"No such {kind.Name}", $"There is no {kind.Name} with id '{id}'.");

    private static async Task<State?> StateAsync<TDetail>(IDbConnection c, IDbTransaction tx, RecordKind<TDetail> kind, string id, CancellationToken ct)
        where TDetail : class =>
        await c.QuerySingleOrDefaultAsync<State>(new CommandDefinition(
            $"SELECT version, deleted_at AS DeletedAt, deleted_by AS DeletedBy FROM {TimelineWriter.Table(kind.Name)} WHERE id = @id;",
            new { id },
            tx,
            cancellationToken: ct));

    private static async Task<string> CurrentDocumentAsync<TDetail>(IDbConnection c, IDbTransaction tx, RecordKind<TDetail> kind, string id, long version, CancellationToken ct)
        where TDetail : class =>
        await c.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT document FROM revisions WHERE resource = @resource AND resource_id = @id AND version = @version;",
            new { resource = kind.Name, id, version },
            tx,
            cancellationToken: ct)) ?? "{}";

    private static Step Written(string id, bool changed = true) => new(id, changed, null);

    private static Step Unprocessable(Dictionary<string, string[]> errors) =>
        new(null, false, TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The document is not valid",
            Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
        }));

    private static Step Problem(int status, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        new(null, false, TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: extensions));

    /// <summary>One step's outcome: the record written (and whether anything changed), or a problem.</summary>
    private sealed record Step(string? Id, bool Changed, ProblemHttpResult? Problem);
}

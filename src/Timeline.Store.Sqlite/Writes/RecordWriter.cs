using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The one write path for events, entities and sources (<see cref="IRecordWriter{TRecord}"/>): each write runs in
/// one immediate transaction that checks the precondition against the stored version, validates the whole document,
/// writes the record, its search row and its revision, and moves the data version; the answer is read afterwards
/// from one snapshot (the record and the data version it was read at).
/// </summary>
internal sealed class RecordWriter<TValid, TRecord>(RecordKind<TValid, TRecord> kind, SqliteConnections database, TimeProvider clock, DataVersionCache state)
    : IRecordWriter<TRecord>
    where TValid : class
    where TRecord : class
{
    private sealed class RecordState
    {
        public long Version { get; init; }

        public string? DeletedAt { get; init; }

        public string? DeletedBy { get; init; }
    }

    /// <summary>One step's outcome inside the transaction: the record written (and whether anything changed), or a refusal.</summary>
    private readonly record struct Step(string? Id, bool Changed, WriteOutcome<TRecord>? Refused, bool Created = false);

    public string Resource => kind.Name;

    public Task<WriteOutcome<TRecord>> CreateAsync(JsonObject document, WriteContext context, CancellationToken ct)
    {
        var givenId = document["id"] is JsonValue v && v.TryGetValue<string>(out var given) ? given : string.Empty;
        return InTransactionAsync(givenId, (c, tx) => CreateStepAsync(c, tx, document, context, ct), allowDeleted: false, context, ct);
    }

    private async Task<Step> CreateStepAsync(SqliteConnection c, SqliteTransaction tx, JsonObject document, WriteContext context, CancellationToken ct)
    {
        if (document["id"]?.GetValueKind() is not JsonValueKind.String)
        {
            return Invalid(new() { ["id"] = ["is required: a slug such as smic-added-to-us-sanctions-list"] });
        }

        var id = document["id"]!.GetValue<string>();
        var current = await StateAsync(c, tx, id, ct);
        if (current is not null)
        {
            return Refuse(new WriteOutcome<TRecord>.Conflict(current.DeletedAt is null ? new WriteConflict.IdTaken(id) : new WriteConflict.IdDeleted(id)));
        }

        var (valid, errors) = await kind.ValidateAsync(c, tx, document, ct);
        if (valid is null || errors.Count > 0)
        {
            return Invalid(errors);
        }

        if (await kind.CreateConflictAsync(c, tx, valid, ct) is { } conflict)
        {
            return Refuse(new WriteOutcome<TRecord>.Conflict(conflict));
        }

        if (await RetiresReferredAsync(c, tx, id, document, ct) is { } retiresReferred)
        {
            return retiresReferred;
        }

        await kind.WriteAsync(c, tx, valid, "create", Change(context), ct);
        return new Step(id, Changed: true, null, Created: true);
    }

    public Task<WriteOutcome<TRecord>> ReplaceAsync(string id, JsonObject document, IfMatch ifMatch, WriteContext context, CancellationToken ct) =>
        InTransactionAsync(id, async (c, tx) =>
        {
            var (current, refused) = await PreconditionAsync(c, tx, id, ifMatch, ct);
            return refused ?? await ReplaceWithAsync(c, tx, id, current!, document, context, ct);
        }, allowDeleted: false, context, ct);

    public Task<WriteOutcome<TRecord>> MergePatchAsync(string id, JsonObject patch, IfMatch ifMatch, WriteContext context, CancellationToken ct) =>
        InTransactionAsync(id, async (c, tx) =>
        {
            var (current, refused) = await PreconditionAsync(c, tx, id, ifMatch, ct);
            if (refused is not null)
            {
                return refused.Value;
            }

            var stored = JsonNode.Parse(await CurrentDocumentAsync(c, tx, id, current!.Version, ct));
            var merged = DocumentJson.MergePatch(stored, patch) as JsonObject ?? [];
            return await ReplaceWithAsync(c, tx, id, current, merged, context, ct);
        }, allowDeleted: false, context, ct);

    public Task<WriteOutcome<TRecord>> JsonPatchAsync(string id, JsonPatch patch, IfMatch ifMatch, WriteContext context, CancellationToken ct) =>
        InTransactionAsync(id, async (c, tx) =>
        {
            var (current, refused) = await PreconditionAsync(c, tx, id, ifMatch, ct);
            if (refused is not null)
            {
                return refused.Value;
            }

            // Applied to the document stored at the version the precondition matched, in this transaction.
            var stored = JsonNode.Parse(await CurrentDocumentAsync(c, tx, id, current!.Version, ct));
            var (patched, failure) = patch.Apply(stored);
            if (failure is not null)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.PatchNotApplicable(id, failure)));
            }

            return patched is JsonObject document
                ? await ReplaceWithAsync(c, tx, id, current, document, context, ct)
                : Invalid(new() { ["body"] = [$"the patched document is {(patched is null ? "null" : "not a JSON object")}; a {kind.Name} is a JSON object"] });
        }, allowDeleted: false, context, ct);

    public Task<WriteOutcome<TRecord>> DeleteAsync(string id, IfMatch ifMatch, WriteContext context, CancellationToken ct) =>
        InTransactionAsync(id, async (c, tx) =>
        {
            var (current, refused) = await PreconditionAsync(c, tx, id, ifMatch, ct);
            if (refused is not null)
            {
                return refused.Value;
            }

            var blockers = await kind.DeleteBlockersAsync(c, tx, id, ct);
            if (blockers.Count > 0)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.StillReferredTo(id, blockers)));
            }

            var document = await CurrentDocumentAsync(c, tx, id, current!.Version, ct);
            await TimelineWriter.SetDeletedAsync(c, tx, kind.Name, id, deleted: true, document, Change(context), ct);
            return new Step(id, Changed: true, null);
        }, allowDeleted: true, context, ct);

    public Task<WriteOutcome<TRecord>> RestoreAsync(string id, IfMatch ifMatch, WriteContext context, CancellationToken ct) =>
        InTransactionAsync(id, async (c, tx) =>
        {
            var current = await StateAsync(c, tx, id, ct);
            if (current is null)
            {
                return Refuse(new WriteOutcome<TRecord>.NotFound(id));
            }

            if (ifMatch.Matches(current.Version) == false)
            {
                return Refuse(await PreconditionFailedAsync(c, tx, id, ifMatch, current.Version, ct));
            }

            if (current.DeletedAt is null)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.NotDeleted(id)));
            }

            // A rename may have made this id a former id of a live record: its GET leads there, and must go on doing so.
            var renamedTo = await c.ExecuteScalarAsync<string?>(new CommandDefinition(
                $"SELECT f.current_id FROM former_ids f JOIN {TimelineWriter.Table(kind.Name)} r ON r.id = f.current_id AND r.deleted_at IS NULL WHERE f.resource = @resource AND f.former_id = @id;",
                new { resource = kind.Name, id },
                tx,
                cancellationToken: ct));
            if (renamedTo is not null)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.IdRenamed(id, renamedTo)));
            }

            var blockers = await kind.RestoreBlockersAsync(c, tx, id, ct);
            if (blockers.Count > 0)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.RefersToDeleted(id, blockers)));
            }

            var document = await CurrentDocumentAsync(c, tx, id, current.Version, ct);
            await TimelineWriter.SetDeletedAsync(c, tx, kind.Name, id, deleted: false, document, Change(context), ct);
            return new Step(id, Changed: true, null);
        }, allowDeleted: true, context, ct);

    private async Task<Step> ReplaceWithAsync(SqliteConnection c, SqliteTransaction tx, string id, RecordState current, JsonObject body, WriteContext context, CancellationToken ct)
    {
        if (body["id"] is { } given && (given.GetValueKind() != JsonValueKind.String || given.GetValue<string>() != id))
        {
            return Invalid(new() { ["id"] = [$"cannot change: this is the {kind.Name} '{id}'"] });
        }

        body["id"] = id;
        var (valid, errors) = await kind.ValidateAsync(c, tx, body, ct);
        if (valid is null || errors.Count > 0)
        {
            return Invalid(errors);
        }

        if (await kind.ReplaceProblemsAsync(c, tx, valid, ct) is { } problems)
        {
            return Invalid(problems);
        }

        if (await RetiresReferredAsync(c, tx, id, body, ct) is { } retiresReferred)
        {
            return retiresReferred;
        }

        var stored = await CurrentDocumentAsync(c, tx, id, current.Version, ct);
        if (stored == kind.DocumentOf(valid))
        {
            // Nothing changes: no new version, no revision.
            return new Step(id, Changed: false, null);
        }

        await kind.WriteAsync(c, tx, valid, "update", Change(context), ct);
        return new Step(id, Changed: true, null);
    }

    /// <summary>
    /// Runs one write step in an immediate transaction; commits only when it wrote, then reads the result in a snapshot.
    /// A dry run reads the result inside the transaction and rolls it back: the answer is what would be stored.
    /// </summary>
    private async Task<WriteOutcome<TRecord>> InTransactionAsync(
        string id, Func<SqliteConnection, SqliteTransaction, Task<Step>> step, bool allowDeleted, WriteContext context, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var outcome = await step(connection, transaction);
        if (outcome.Refused is { } refused)
        {
            await transaction.RollbackAsync(ct);
            return refused;
        }

        if (outcome.Changed)
        {
            await TimelineWriter.TouchAsync(connection, transaction, Change(context), ct);
        }

        if (context.DryRun)
        {
            var wouldBe = await ResultAsync(connection, transaction, outcome, id, allowDeleted, ct);
            await transaction.RollbackAsync(ct);
            return wouldBe;
        }

        await transaction.CommitAsync(ct);
        state.Invalidate();

        // The answer comes from one snapshot: the record and the data version it was read at.
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var answer = await ResultAsync(connection, snapshot, outcome, id, allowDeleted, ct);
        await snapshot.CommitAsync(ct);
        return answer;
    }

    /// <summary>The outcome of a step that wrote (or found nothing to change), read in the transaction given.</summary>
    private async Task<WriteOutcome<TRecord>> ResultAsync(SqliteConnection connection, SqliteTransaction tx, Step outcome, string id, bool allowDeleted, CancellationToken ct)
    {
        var dataVersion = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT data_version FROM store_state WHERE id = 1;", transaction: tx, cancellationToken: ct));
        var recordId = outcome.Id ?? id;
        var (record, version) = await kind.ReadAsync(connection, tx, recordId, ct);
        if (record is null && allowDeleted)
        {
            version = (await StateAsync(connection, tx, recordId, ct))?.Version ?? 0;
        }

        if (record is null)
        {
            return new WriteOutcome<TRecord>.Deleted(version, dataVersion);
        }

        return outcome.Created ? new WriteOutcome<TRecord>.Created(recordId, record, version, dataVersion)
            : outcome.Changed ? new WriteOutcome<TRecord>.Updated(record, version, dataVersion)
            : new WriteOutcome<TRecord>.Unchanged(record, version, dataVersion);
    }

    public async Task<BatchOutcome<TRecord>> WriteManyAsync(IReadOnlyList<BatchItem> items, WriteContext context, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var steps = new List<Step>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var step = item.IfMatch.IsPresent
                ? await ReplaceStepAsync(connection, transaction, item, context, ct)
                : await CreateStepAsync(connection, transaction, item.Document, context, ct);
            if (step.Refused is { } refused)
            {
                await transaction.RollbackAsync(ct);
                return new BatchOutcome<TRecord>.Refused(i, refused);
            }

            steps.Add(step);
        }

        // A later item whose formerIds name a record an earlier item wrote retires it (a tombstone) inside the batch: the
        // batch would then answer for a record it deleted (it answered 500 after committing), so it is refused whole.
        for (var i = 0; i < steps.Count; i++)
        {
            if (await StateAsync(connection, transaction, steps[i].Id!, ct) is { DeletedAt: not null })
            {
                var retiring = Enumerable.Range(i + 1, items.Count - i - 1)
                    .FirstOrDefault(j => items[j].Document["formerIds"] is JsonArray former
                        && former.Any(f => f is JsonValue v && v.TryGetValue<string>(out var text) && text == steps[i].Id), i);
                await transaction.RollbackAsync(ct);
                return new BatchOutcome<TRecord>.Refused(retiring, new WriteOutcome<TRecord>.Invalid(new Dictionary<string, string[]>
                {
                    ["formerIds"] = [$"names '{steps[i].Id}', which items[{i}] of this batch writes: a batch cannot write a record and retire it; write the record that takes over its id in another request"],
                }));
            }
        }

        if (steps.Any(s => s.Changed))
        {
            await TimelineWriter.TouchAsync(connection, transaction, Change(context), ct);
        }

        if (!context.DryRun)
        {
            await transaction.CommitAsync(ct);
            state.Invalidate();
        }

        // The answers: inside the transaction for a dry run (then rolled back), else from one snapshot after the commit.
        await using var snapshot = context.DryRun ? null : connection.BeginTransaction(deferred: true);
        var reading = snapshot ?? transaction;
        var answers = new List<WriteOutcome<TRecord>>(steps.Count);
        foreach (var step in steps)
        {
            answers.Add(await ResultAsync(connection, reading, step, step.Id!, allowDeleted: false, ct));
        }

        var dataVersion = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT data_version FROM store_state WHERE id = 1;", transaction: reading, cancellationToken: ct));
        if (snapshot is null)
        {
            await transaction.RollbackAsync(ct);
        }
        else
        {
            await snapshot.CommitAsync(ct);
        }

        return new BatchOutcome<TRecord>.Written(answers, dataVersion);
    }

    private async Task<Step> ReplaceStepAsync(SqliteConnection c, SqliteTransaction tx, BatchItem item, WriteContext context, CancellationToken ct)
    {
        if (item.Document["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id))
        {
            return Invalid(new() { ["id"] = ["is required: the id of the record the precondition names"] });
        }

        var (current, refused) = await PreconditionAsync(c, tx, id, item.IfMatch, ct);
        return refused ?? await ReplaceWithAsync(c, tx, id, current!, item.Document, context, ct);
    }

    private Change Change(WriteContext context) => new(context.Actor, clock.GetUtcNow(), context.Reason);

    private async Task<(RecordState? State, Step? Refused)> PreconditionAsync(SqliteConnection c, SqliteTransaction tx, string id, IfMatch ifMatch, CancellationToken ct)
    {
        var current = await StateAsync(c, tx, id, ct);
        if (current is null)
        {
            return (null, Refuse(new WriteOutcome<TRecord>.NotFound(id)));
        }

        if (current.DeletedAt is not null)
        {
            return (null, Refuse(new WriteOutcome<TRecord>.Gone(id, current.DeletedAt, current.DeletedBy)));
        }

        return ifMatch.Matches(current.Version) switch
        {
            null => (null, Refuse(new WriteOutcome<TRecord>.PreconditionRequired(id))),
            false => (null, Refuse(await PreconditionFailedAsync(c, tx, id, ifMatch, current.Version, ct))),
            true => (current, null),
        };
    }

    /// <summary>A failed precondition, judged against the store's data version: an older version of the record, or no ETag of it.</summary>
    private static async Task<WriteOutcome<TRecord>> PreconditionFailedAsync(SqliteConnection c, SqliteTransaction tx, string id, IfMatch ifMatch, long version, CancellationToken ct)
    {
        var dataVersion = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT data_version FROM store_state WHERE id = 1;", transaction: tx, cancellationToken: ct));
        return new WriteOutcome<TRecord>.PreconditionFailed(id, version) { Mismatch = ifMatch.Mismatch(version, dataVersion) };
    }

    private Task<RecordState?> StateAsync(SqliteConnection c, SqliteTransaction tx, string id, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<RecordState?>(new CommandDefinition(
            $"SELECT version, deleted_at AS DeletedAt, deleted_by AS DeletedBy FROM {TimelineWriter.Table(kind.Name)} WHERE id = @id;",
            new { id },
            tx,
            cancellationToken: ct));

    private async Task<string> CurrentDocumentAsync(SqliteConnection c, SqliteTransaction tx, string id, long version, CancellationToken ct) =>
        await c.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT document FROM revisions WHERE resource = @resource AND resource_id = @id AND version = @version;",
            new { resource = kind.Name, id, version },
            tx,
            cancellationToken: ct)) ?? "{}";

    private static Step Refuse(WriteOutcome<TRecord> refusal) => new(null, false, refusal);

    /// <summary>
    /// The refusal of a write whose <c>formerIds</c> would retire (rename away) a live entity or source that live events
    /// still refer to, as a delete of it would be refused: their links stay on the old id, which for an entity or a source
    /// no read follows (the events showed the tombstone, the new record none of them, and the export did not import).
    /// Events are left out: a link to an event's former id leads to it (relatedFrom, supersededBy), as a merge needs.
    /// </summary>
    private async Task<Step?> RetiresReferredAsync(SqliteConnection c, SqliteTransaction tx, string id, JsonObject document, CancellationToken ct)
    {
        if (kind.Name == "event" || document["formerIds"] is not JsonArray formerIds)
        {
            return null;
        }

        foreach (var former in formerIds)
        {
            if (former is JsonValue value && value.TryGetValue<string>(out var formerId) && formerId != id
                && await StateAsync(c, tx, formerId, ct) is { DeletedAt: null }
                && await kind.DeleteBlockersAsync(c, tx, formerId, ct) is { Count: > 0 } blockers)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.StillReferredTo(formerId, blockers)));
            }
        }

        return null;
    }

    private static Step Invalid(Dictionary<string, string[]> errors) => Refuse(new WriteOutcome<TRecord>.Invalid(errors));
}

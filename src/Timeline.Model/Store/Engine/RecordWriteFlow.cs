using System.Text.Json;
using System.Text.Json.Nodes;
using Timeline.Model.Dataset;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// The one write path for events, entities and sources (<see cref="IRecordWriter{TRecord}"/>), the same in every
/// engine: each write runs in one write transaction of the engine (<see cref="WriteSession"/>, holding the store's write
/// lock) that checks the precondition against the stored version, validates the whole document, writes the record,
/// its search row and its revision, and moves the data version; the answer is read afterwards from one snapshot (the
/// record and the data version it was read at). A dry run does all of it, reads the answer inside the transaction and
/// rolls back.
/// </summary>
/// <param name="kind">The kind of record, in the engine's SQL.</param>
/// <param name="begin">Begins a write transaction of the engine (the write lock held).</param>
/// <param name="clock">The time every change is stamped with.</param>
public sealed class RecordWriteFlow<TValid, TRecord, TSession>(RecordKind<TValid, TRecord, TSession> kind, Func<CancellationToken, Task<TSession>> begin, TimeProvider clock)
    : IRecordWriter<TRecord>
    where TValid : class
    where TRecord : class
    where TSession : WriteSession
{
    /// <summary>One step's outcome inside the transaction: the record written (and whether anything changed), or a refusal.</summary>
    private readonly record struct Step(string? Id, bool Changed, WriteOutcome<TRecord>? Refused, bool Created = false);

    public string Resource => kind.Name;

    public Task<WriteOutcome<TRecord>> CreateAsync(JsonObject document, WriteContext context, CancellationToken cancellationToken)
    {
        var givenId = document["id"] is JsonValue v && v.TryGetValue<string>(out var given) ? given : string.Empty;
        return InTransactionAsync(givenId, s => CreateStepAsync(s, document, context, cancellationToken), allowDeleted: false, context, cancellationToken);
    }

    private async Task<Step> CreateStepAsync(TSession s, JsonObject document, WriteContext context, CancellationToken ct)
    {
        if (document["id"]?.GetValueKind() is not JsonValueKind.String)
        {
            return Invalid(new() { ["id"] = ["is required: a slug such as smic-added-to-us-sanctions-list"] });
        }

        var id = document["id"]!.GetValue<string>();
        var current = await StateAsync(s, id, ct);
        if (current is not null)
        {
            return Refuse(new WriteOutcome<TRecord>.Conflict(current.DeletedAt is null ? new WriteConflict.IdTaken(id) : new WriteConflict.IdDeleted(id)));
        }

        var (valid, errors) = await kind.ValidateAsync(s, document, ct);
        if (valid is null || errors.Count > 0)
        {
            return Invalid(errors);
        }

        if (await kind.CreateConflictAsync(s, valid, ct) is { } conflict)
        {
            return Refuse(new WriteOutcome<TRecord>.Conflict(conflict));
        }

        if (await RetiresReferredAsync(s, id, document, ct) is { } retiresReferred)
        {
            return retiresReferred;
        }

        await kind.WriteAsync(s, valid, "create", Change(context), ct);
        return new Step(id, Changed: true, null, Created: true);
    }

    public Task<WriteOutcome<TRecord>> ReplaceAsync(string id, JsonObject document, IfMatch ifMatch, WriteContext context, CancellationToken cancellationToken) =>
        InTransactionAsync(id, async s =>
        {
            var (current, refused) = await PreconditionAsync(s, id, ifMatch, cancellationToken);
            return refused ?? await ReplaceWithAsync(s, id, current!, document, context, cancellationToken);
        }, allowDeleted: false, context, cancellationToken);

    public Task<WriteOutcome<TRecord>> MergePatchAsync(string id, JsonObject patch, IfMatch ifMatch, WriteContext context, CancellationToken cancellationToken) =>
        InTransactionAsync(id, async s =>
        {
            var (current, refused) = await PreconditionAsync(s, id, ifMatch, cancellationToken);
            if (refused is not null)
            {
                return refused.Value;
            }

            var stored = JsonNode.Parse(await CurrentDocumentAsync(s, id, current!.Version, cancellationToken));
            var merged = DocumentJson.MergePatch(stored, patch) as JsonObject ?? [];
            return await ReplaceWithAsync(s, id, current, merged, context, cancellationToken);
        }, allowDeleted: false, context, cancellationToken);

    public Task<WriteOutcome<TRecord>> JsonPatchAsync(string id, JsonPatch patch, IfMatch ifMatch, WriteContext context, CancellationToken cancellationToken) =>
        InTransactionAsync(id, async s =>
        {
            var (current, refused) = await PreconditionAsync(s, id, ifMatch, cancellationToken);
            if (refused is not null)
            {
                return refused.Value;
            }

            // Applied to the document stored at the version the precondition matched, in this transaction.
            var stored = JsonNode.Parse(await CurrentDocumentAsync(s, id, current!.Version, cancellationToken));
            var (patched, failure) = patch.Apply(stored);
            if (failure is not null)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.PatchNotApplicable(id, failure)));
            }

            return patched is JsonObject document
                ? await ReplaceWithAsync(s, id, current, document, context, cancellationToken)
                : Invalid(new() { ["body"] = [$"the patched document is {(patched is null ? "null" : "not a JSON object")}; a {kind.Name} is a JSON object"] });
        }, allowDeleted: false, context, cancellationToken);

    public Task<WriteOutcome<TRecord>> DeleteAsync(string id, IfMatch ifMatch, WriteContext context, CancellationToken cancellationToken) =>
        InTransactionAsync(id, async s =>
        {
            var (current, refused) = await PreconditionAsync(s, id, ifMatch, cancellationToken);
            if (refused is not null)
            {
                return refused.Value;
            }

            var blockers = await kind.DeleteBlockersAsync(s, id, cancellationToken);
            if (blockers.Count > 0)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.StillReferredTo(id, blockers)));
            }

            var document = await CurrentDocumentAsync(s, id, current!.Version, cancellationToken);
            await s.SetDeletedAsync(kind.Name, id, deleted: true, document, Change(context), cancellationToken);
            return new Step(id, Changed: true, null);
        }, allowDeleted: true, context, cancellationToken);

    public Task<WriteOutcome<TRecord>> RestoreAsync(string id, IfMatch ifMatch, WriteContext context, CancellationToken cancellationToken) =>
        InTransactionAsync(id, async s =>
        {
            var current = await StateAsync(s, id, cancellationToken);
            if (current is null)
            {
                return Refuse(new WriteOutcome<TRecord>.NotFound(id));
            }

            if (ifMatch.Matches(current.Version) == false)
            {
                return Refuse(await PreconditionFailedAsync(s, id, ifMatch, current.Version, cancellationToken));
            }

            if (current.DeletedAt is null)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.NotDeleted(id)));
            }

            // A rename may have made this id a former id of a live record: its GET leads there, and must go on doing so.
            var renamedTo = await s.RenamedToAsync(kind.Name, id, cancellationToken);
            if (renamedTo is not null)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.IdRenamed(id, renamedTo)));
            }

            var blockers = await kind.RestoreBlockersAsync(s, id, cancellationToken);
            if (blockers.Count > 0)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.RefersToDeleted(id, blockers)));
            }

            var document = await CurrentDocumentAsync(s, id, current.Version, cancellationToken);
            await s.SetDeletedAsync(kind.Name, id, deleted: false, document, Change(context), cancellationToken);
            return new Step(id, Changed: true, null);
        }, allowDeleted: true, context, cancellationToken);

    private async Task<Step> ReplaceWithAsync(TSession s, string id, RecordState current, JsonObject body, WriteContext context, CancellationToken ct)
    {
        if (body["id"] is { } given && (given.GetValueKind() != JsonValueKind.String || given.GetValue<string>() != id))
        {
            return Invalid(new() { ["id"] = [$"cannot change: this is the {kind.Name} '{id}'"] });
        }

        body["id"] = id;
        var (valid, errors) = await kind.ValidateAsync(s, body, ct);
        if (valid is null || errors.Count > 0)
        {
            return Invalid(errors);
        }

        if (await kind.ReplaceProblemsAsync(s, valid, ct) is { } problems)
        {
            return Invalid(problems);
        }

        if (await RetiresReferredAsync(s, id, body, ct) is { } retiresReferred)
        {
            return retiresReferred;
        }

        var stored = await CurrentDocumentAsync(s, id, current.Version, ct);
        if (stored == kind.DocumentOf(valid))
        {
            // Nothing changes: no new version, no revision.
            return new Step(id, Changed: false, null);
        }

        await kind.WriteAsync(s, valid, "update", Change(context), ct);
        return new Step(id, Changed: true, null);
    }

    /// <summary>
    /// Runs one write step in a write transaction; commits only when it wrote, then reads the result in a snapshot.
    /// A dry run reads the result inside the transaction and rolls it back: the answer is what would be stored.
    /// </summary>
    private async Task<WriteOutcome<TRecord>> InTransactionAsync(
        string id, Func<TSession, Task<Step>> step, bool allowDeleted, WriteContext context, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var s = await begin(ct);
            Step outcome;
            try
            {
                outcome = await step(s);
                if (outcome.Refused is { } refused)
                {
                    await s.RollbackAsync(ct);
                    return refused;
                }

                if (outcome.Changed)
                {
                    await s.TouchAsync(Change(context), ct);
                }

                if (context.DryRun)
                {
                    var wouldBe = await ResultAsync(s, outcome, id, allowDeleted, ct);
                    await s.RollbackAsync(ct);
                    return wouldBe;
                }

                await s.CommitAsync(ct);
            }
            catch (Exception ex) when (attempt < WriteSession.MaxAttempts && s.IsRetryable(ex))
            {
                continue; // nothing was kept: the write is made again from the start, and decides anew (a conflict is then answered as one)
            }

            // The answer comes from one snapshot: the record and the data version it was read at.
            await s.BeginSnapshotAsync(ct);
            var answer = await ResultAsync(s, outcome, id, allowDeleted, ct);
            await s.EndSnapshotAsync(ct);
            return answer;
        }
    }

    /// <summary>The outcome of a step that wrote (or found nothing to change), read in the transaction given.</summary>
    private async Task<WriteOutcome<TRecord>> ResultAsync(TSession s, Step outcome, string id, bool allowDeleted, CancellationToken ct)
    {
        var dataVersion = await s.DataVersionAsync(ct);
        var recordId = outcome.Id ?? id;
        var (record, version) = await kind.ReadAsync(s, recordId, ct);
        if (record is null && allowDeleted)
        {
            version = (await StateAsync(s, recordId, ct))?.Version ?? 0;
        }

        if (record is null)
        {
            return new WriteOutcome<TRecord>.Deleted(version, dataVersion);
        }

        return outcome.Created ? new WriteOutcome<TRecord>.Created(recordId, record, version, dataVersion)
            : outcome.Changed ? new WriteOutcome<TRecord>.Updated(record, version, dataVersion)
            : new WriteOutcome<TRecord>.Unchanged(record, version, dataVersion);
    }

    public async Task<BatchOutcome<TRecord>> WriteManyAsync(IReadOnlyList<BatchItem> items, WriteContext context, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var s = await begin(cancellationToken);
            try
            {
                return await WriteManyAsync(s, items, context, cancellationToken);
            }
            catch (Exception ex) when (attempt < WriteSession.MaxAttempts && s.IsRetryable(ex) && !s.Committed)
            {
                // nothing was kept: the batch is made again from the start
            }
        }
    }

    private async Task<BatchOutcome<TRecord>> WriteManyAsync(TSession s, IReadOnlyList<BatchItem> items, WriteContext context, CancellationToken cancellationToken)
    {
        var steps = new List<Step>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var step = item.IfMatch.IsPresent
                ? await ReplaceStepAsync(s, item, context, cancellationToken)
                : await CreateStepAsync(s, item.Document, context, cancellationToken);
            if (step.Refused is { } refused)
            {
                await s.RollbackAsync(cancellationToken);
                return new BatchOutcome<TRecord>.Refused(i, refused);
            }

            steps.Add(step);
        }

        // A later item whose formerIds name a record an earlier item wrote retires it (a tombstone) inside the batch: the
        // batch would then answer for a record it deleted (it answered 500 after committing), so it is refused whole.
        for (var i = 0; i < steps.Count; i++)
        {
            if (await StateAsync(s, steps[i].Id!, cancellationToken) is { DeletedAt: not null })
            {
                var retiring = Enumerable.Range(i + 1, items.Count - i - 1)
                    .FirstOrDefault(j => items[j].Document["formerIds"] is JsonArray former
                        && former.Any(f => f is JsonValue v && v.TryGetValue<string>(out var text) && text == steps[i].Id), i);
                await s.RollbackAsync(cancellationToken);
                return new BatchOutcome<TRecord>.Refused(retiring, new WriteOutcome<TRecord>.Invalid(new Dictionary<string, string[]>
                {
                    ["formerIds"] = [$"names '{steps[i].Id}', which items[{i}] of this batch writes: a batch cannot write a record and retire it; write the record that takes over its id in another request"],
                }));
            }
        }

        if (steps.Any(s => s.Changed))
        {
            await s.TouchAsync(Change(context), cancellationToken);
        }

        if (!context.DryRun)
        {
            await s.CommitAsync(cancellationToken);
            await s.BeginSnapshotAsync(cancellationToken);
        }

        // The answers: inside the transaction for a dry run (then rolled back), else from one snapshot after the commit.
        var answers = new List<WriteOutcome<TRecord>>(steps.Count);
        foreach (var step in steps)
        {
            answers.Add(await ResultAsync(s, step, step.Id!, allowDeleted: false, cancellationToken));
        }

        var dataVersion = await s.DataVersionAsync(cancellationToken);
        if (context.DryRun)
        {
            await s.RollbackAsync(cancellationToken);
        }
        else
        {
            await s.EndSnapshotAsync(cancellationToken);
        }

        return new BatchOutcome<TRecord>.Written(answers, dataVersion);
    }

    private async Task<Step> ReplaceStepAsync(TSession s, BatchItem item, WriteContext context, CancellationToken ct)
    {
        if (item.Document["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id))
        {
            return Invalid(new() { ["id"] = ["is required: the id of the record the precondition names"] });
        }

        var (current, refused) = await PreconditionAsync(s, id, item.IfMatch, ct);
        return refused ?? await ReplaceWithAsync(s, id, current!, item.Document, context, ct);
    }

    private Change Change(WriteContext context) => new(context.Actor, clock.GetUtcNow(), context.Reason);

    private async Task<(RecordState? State, Step? Refused)> PreconditionAsync(TSession s, string id, IfMatch ifMatch, CancellationToken ct)
    {
        var current = await StateAsync(s, id, ct);
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
            false => (null, Refuse(await PreconditionFailedAsync(s, id, ifMatch, current.Version, ct))),
            true => (current, null),
        };
    }

    /// <summary>A failed precondition, judged against the store's data version: an older version of the record, or no ETag of it.</summary>
    private static async Task<WriteOutcome<TRecord>> PreconditionFailedAsync(TSession s, string id, IfMatch ifMatch, long version, CancellationToken ct)
    {
        var dataVersion = await s.DataVersionAsync(ct);
        return new WriteOutcome<TRecord>.PreconditionFailed(id, version) { Mismatch = ifMatch.Mismatch(version, dataVersion) };
    }

    private Task<RecordState?> StateAsync(TSession s, string id, CancellationToken ct) => s.StateAsync(kind.Name, id, ct);

    private async Task<string> CurrentDocumentAsync(TSession s, string id, long version, CancellationToken ct) =>
        await s.DocumentAsync(kind.Name, id, version, ct) ?? "{}";

    private static Step Refuse(WriteOutcome<TRecord> refusal) => new(null, false, refusal);

    /// <summary>
    /// The refusal of a write whose <c>formerIds</c> would retire (rename away) a live entity or source that live events
    /// still refer to, as a delete of it would be refused: their links stay on the old id, which for an entity or a source
    /// no read follows (the events showed the tombstone, the new record none of them, and the export did not import).
    /// Events are left out: a link to an event's former id leads to it (relatedFrom, supersededBy), as a merge needs.
    /// </summary>
    private async Task<Step?> RetiresReferredAsync(TSession s, string id, JsonObject document, CancellationToken ct)
    {
        if (kind.Name == "event" || document["formerIds"] is not JsonArray formerIds)
        {
            return null;
        }

        foreach (var former in formerIds)
        {
            if (former is JsonValue value && value.TryGetValue<string>(out var formerId) && formerId != id
                && await StateAsync(s, formerId, ct) is { DeletedAt: null }
                && await kind.DeleteBlockersAsync(s, formerId, ct) is { Count: > 0 } blockers)
            {
                return Refuse(new WriteOutcome<TRecord>.Conflict(new WriteConflict.StillReferredTo(formerId, blockers)));
            }
        }

        return null;
    }

    private static Step Invalid(Dictionary<string, string[]> errors) => Refuse(new WriteOutcome<TRecord>.Invalid(errors));
}

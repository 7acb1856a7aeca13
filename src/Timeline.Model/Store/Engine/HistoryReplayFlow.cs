using System.Globalization;
using System.Text.Json.Nodes;
using Timeline.Model.Dataset;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// Restores an exported history into an empty store by replaying it, in every engine: every revision, in commit order,
/// goes through the same validation and writer as the write that first made it, with its own actor, time, reason and
/// position in the change feed. Replaying rebuilds the records, their versions, their tombstones and former ids exactly
/// as the writes built them, and each revision is checked on the way (its version, and its document against the one the
/// store now holds); at the end the live records must be the dataset's. Any difference is a problem naming the
/// revision, and nothing is kept (the caller rolls its transaction back). An engine gives the store's side.
/// </summary>
/// <typeparam name="TSession">The engine's write session, which its record kinds validate and write in.</typeparam>
public abstract class HistoryReplayFlow<TSession>(
    EventRecordKind<TSession> events, EntityRecordKind<TSession> entities, SourceRecordKind<TSession> sources, TSession session)
    where TSession : WriteSession
{
    /// <summary>How many revisions the store holds (a history is restored only into an empty store).</summary>
    protected abstract Task<long> HeldRevisionsAsync(CancellationToken ct);

    /// <summary>
    /// Validates the body of a create or update as a write of the resource does and writes it, through the resource's
    /// record kind; its problems keyed by field, or the version written and the document stored.
    /// </summary>
    private Task<(Dictionary<string, string[]>? Errors, long Version, string Stored)> WriteAsync(
        string resource, JsonObject body, string action, Change change, CancellationToken ct) => resource switch
        {
            "event" => WriteAsync(events, body, action, change, ct),
            "entity" => WriteAsync(entities, body, action, change, ct),
            _ => WriteAsync(sources, body, action, change, ct),
        };

    private async Task<(Dictionary<string, string[]>? Errors, long Version, string Stored)> WriteAsync<TValid, TRecord>(
        RecordKind<TValid, TRecord, TSession> kind, JsonObject body, string action, Change change, CancellationToken ct)
        where TValid : class
        where TRecord : class
    {
        var (valid, errors) = await kind.ValidateAsync(session, body, ct);
        if (valid is null || errors.Count > 0)
        {
            return (errors, 0, string.Empty);
        }

        var version = await kind.WriteAsync(session, valid, action, change, ct);
        return (null, version, kind.DocumentOf(valid));
    }

    /// <summary>Deletes or restores the record (with the document of its current version); the version written and that document.</summary>
    protected abstract Task<(long Version, string Stored)> SetDeletedAsync(string resource, string id, bool deleted, Change change, CancellationToken ct);

    /// <summary>The live records of the resource with their current documents, by id.</summary>
    protected abstract Task<Dictionary<string, string>> LiveDocumentsAsync(string resource, CancellationToken ct);

    public async Task<(ImportReport? Report, IReadOnlyList<DatasetError> Errors)> ApplyAsync(DatasetDocument document, CancellationToken ct)
    {
        var history = document.History!;
        var held = await HeldRevisionsAsync(ct);
        if (held > 0)
        {
            return (null, [new DatasetError("history", $"a history can only be restored into an empty store, and this one holds {held} revisions; import the dataset without its history, or start from an empty store (Timeline:Seed=none)")]);
        }

        var shape = Shape(history);
        if (shape.Count > 0)
        {
            return (null, shape);
        }

        var counts = new Dictionary<string, (int Created, int Updated)>(StringComparer.Ordinal) { ["source"] = (0, 0), ["entity"] = (0, 0), ["event"] = (0, 0) };
        for (var i = 0; i < history.Count; i++)
        {
            var revision = history[i];
            var change = new Change(revision.Actor!, DateTimeOffset.Parse(revision.At!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal), revision.Reason, revision.Seq);
            var problems = await ReplayAsync(revision, change, ct);
            if (problems.Count > 0)
            {
                return (null, [.. problems.SelectMany(p => p.Value.Select(m => new DatasetError(p.Key.Length == 0 ? $"history[{i}]" : $"history[{i}].document.{p.Key}", m)))]);
            }

            var (created, updated) = counts[revision.Resource!];
            counts[revision.Resource!] = revision.Action == "create" ? (created + 1, updated) : (created, updated + 1);
        }

        var differences = await CompareWithDatasetAsync(document, ct);
        if (differences.Count > 0)
        {
            return (null, differences);
        }

        ImportCounts Of(string resource) => new(counts[resource].Created, counts[resource].Updated, 0);
        return (new ImportReport(Of("source"), Of("entity"), Of("event")), []);
    }

    /// <summary>
    /// The largest change-feed position a history may carry. The feed's positions come from SQLite's AUTOINCREMENT, which
    /// has none left after 2^63 - 1: a history ending there was replayed, and every write after it failed as "disk full".
    /// </summary>
    public const long MaxSeq = (1L << 53) - 1;

    /// <summary>What is wrong with the history as a sequence: each revision complete, positions rising, versions 1, 2, 3... per record, actions in an order writes can make.</summary>
    private static List<DatasetError> Shape(List<RevisionDocument> history)
    {
        var errors = new List<DatasetError>();
        var records = new Dictionary<(string, string), (long Version, bool Deleted)>();
        long lastSeq = 0;
        for (var i = 0; i < history.Count; i++)
        {
            var r = history[i];
            var path = $"history[{i}]";
            if (r is null)
            {
                errors.Add(new DatasetError(path, "is null, not a revision"));
                continue;
            }

            var missing = new List<string>();
            if (r.Resource is not ("event" or "entity" or "source"))
            {
                missing.Add("resource (event, entity or source)");
            }

            if (string.IsNullOrEmpty(r.Id))
            {
                missing.Add("id");
            }

            if (r.Version is null or < 1)
            {
                missing.Add("version (from 1)");
            }

            if (r.Action is not ("create" or "update" or "delete" or "restore"))
            {
                missing.Add("action (create, update, delete or restore)");
            }

            if (string.IsNullOrEmpty(r.Actor))
            {
                missing.Add("actor");
            }

            if (r.At is null || !DateTimeOffset.TryParseExact(r.At, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            {
                missing.Add("at (UTC, as 2026-12-06T21:14:03.123Z)");
            }

            if (r.Document is null)
            {
                missing.Add("document");
            }

            if (WriteContext.ReasonProblem(r.Reason) is { } reasonProblem)
            {
                errors.Add(new DatasetError($"{path}.reason", reasonProblem));
            }

            if (r.Seq is { } seq)
            {
                if (seq > MaxSeq)
                {
                    errors.Add(new DatasetError($"{path}.seq", $"is {seq}; a position in the change feed is at most {MaxSeq} (2^53 - 1, the largest integer every JSON reader keeps exact), so that the writes after the import have positions to take"));
                }
                else if (seq <= lastSeq)
                {
                    errors.Add(new DatasetError($"{path}.seq", $"is {seq}, not after the previous revision's {lastSeq}: the history is in commit order"));
                }

                lastSeq = seq;
            }

            if (missing.Count > 0)
            {
                errors.Add(new DatasetError(path, $"needs {string.Join(", ", missing)}"));
                continue;
            }

            var key = (r.Resource!, r.Id!);
            var known = records.TryGetValue(key, out var state);
            var expected = known ? state.Version + 1 : 1;
            if (r.Version != expected)
            {
                errors.Add(new DatasetError($"{path}.version", $"is {r.Version}; the {r.Resource} '{r.Id}' is at version {expected - 1} here, so its next revision is version {expected}"));
            }

            var allowed = !known ? r.Action == "create" : state.Deleted ? r.Action == "restore" : r.Action is "update" or "delete";
            if (!allowed)
            {
                errors.Add(new DatasetError($"{path}.action", !known
                    ? $"is {r.Action}, but the {r.Resource} '{r.Id}' does not exist yet: its first revision creates it"
                    : state.Deleted
                        ? $"is {r.Action}, but the {r.Resource} '{r.Id}' is deleted here: only a restore can follow"
                        : $"is {r.Action}, but the {r.Resource} '{r.Id}' exists here: an update or a delete can follow"));
            }

            records[key] = (r.Version!.Value, r.Action == "delete");
        }

        return errors;
    }

    /// <summary>Replays one revision as the write that made it; its problems keyed by field ("" for the revision itself).</summary>
    private async Task<Dictionary<string, string[]>> ReplayAsync(RevisionDocument revision, Change change, CancellationToken ct)
    {
        long version;
        string stored;
        if (revision.Action is "create" or "update")
        {
            var body = (JsonObject)revision.Document!.DeepClone();
            if (body["id"] is not JsonValue id || !id.TryGetValue<string>(out var given) || given != revision.Id)
            {
                return new() { ["id"] = [$"must be the revision's id, '{revision.Id}'"] };
            }

            var (errors, written, document) = await WriteAsync(revision.Resource!, body, revision.Action, change, ct);
            if (errors is { Count: > 0 })
            {
                return errors;
            }

            (version, stored) = (written, document);
        }
        else
        {
            (version, stored) = await SetDeletedAsync(revision.Resource!, revision.Id!, revision.Action == "delete", change, ct);
        }

        if (version != revision.Version)
        {
            return new() { [string.Empty] = [$"replayed as version {version} of the {revision.Resource} '{revision.Id}', not {revision.Version}"] };
        }

        return JsonNode.DeepEquals(JsonNode.Parse(stored), revision.Document)
            ? []
            : new() { [string.Empty] = [$"the {revision.Resource} '{revision.Id}' at version {version} is stored as {Shorten(stored)}, not as the revision's document says: the history was not made by these rules"] };
    }

    /// <summary>The dataset's live records against those the replay left: each must be the other's.</summary>
    private async Task<List<DatasetError>> CompareWithDatasetAsync(DatasetDocument document, CancellationToken ct)
    {
        var errors = new List<DatasetError>();
        async Task CompareAsync<T>(string resource, List<T>? given, Func<T, string?> idOf)
        {
            var table = StoredColumns.Table(resource);
            var live = await LiveDocumentsAsync(resource, ct);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (record, i) in (given ?? []).Select((r, i) => (r, i)))
            {
                var id = idOf(record);
                if (id is null || !live.TryGetValue(id, out var stored))
                {
                    errors.Add(new DatasetError($"{table}[{i}]", $"the {resource} '{id}' is not live at the end of the history"));
                    continue;
                }

                seen.Add(id);
                if (!JsonNode.DeepEquals(JsonNode.Parse(stored), JsonNode.Parse(Documents.Serialize(record))))
                {
                    errors.Add(new DatasetError($"{table}[{i}]", $"the {resource} '{id}' differs from its last revision in the history"));
                }
            }

            foreach (var id in live.Keys.Where(id => !seen.Contains(id)).Order(StringComparer.Ordinal).Take(20))
            {
                errors.Add(new DatasetError(table, $"the {resource} '{id}' is live at the end of the history but missing here"));
            }
        }

        await CompareAsync("source", document.Sources, s => s.Id);
        await CompareAsync("entity", document.Entities, e => e.Id);
        await CompareAsync("event", document.Events, e => e.Id);
        return errors;
    }

    private static string Shorten(string json) => json.Length <= 200 ? json : json[..200] + "…";
}

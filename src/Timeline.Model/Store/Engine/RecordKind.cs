using System.Text.Json.Nodes;
using Timeline.Model.Dataset;
using Timeline.Model.Entities;
using Timeline.Model.Events;
using Timeline.Model.Sources;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// What the write flows need to know about one kind of record: how to validate a document against the store (the
/// dataset validator, fed with the store's live sources and entities), write it, show it, and what refuses a create, a
/// replacement, a delete or a restore besides the record's own state. The rules are here, once; each engine gives the
/// lookups and writes in its own SQL (EventKind, PostgresEventKind, ...).
/// </summary>
/// <typeparam name="TValid">The validated record (ValidEvent, ValidEntity, ValidSource).</typeparam>
/// <typeparam name="TRecord">The record as the API shows it.</typeparam>
/// <typeparam name="TSession">The engine's write session.</typeparam>
public abstract class RecordKind<TValid, TRecord, TSession>
    where TValid : class
    where TRecord : class
    where TSession : WriteSession
{
    /// <summary>"event", "entity" or "source": the resource name in revisions.</summary>
    public abstract string Name { get; }

    /// <summary>Binds and validates a whole document against the store; the valid record, or every problem keyed by field.</summary>
    public abstract Task<(TValid? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(TSession s, JsonObject body, CancellationToken ct);

    /// <summary>Writes the record with its revision; returns its new version.</summary>
    public abstract Task<long> WriteAsync(TSession s, TValid valid, string action, Change change, CancellationToken ct);

    /// <summary>The record's document as its revision stores it.</summary>
    public abstract string DocumentOf(TValid valid);

    /// <summary>The record as the API shows it, or null when unknown or deleted.</summary>
    public abstract Task<(TRecord? Record, long Version)> ReadAsync(TSession s, string id, CancellationToken ct);

    /// <summary>The live events that refer to the record (so it cannot be deleted now), empty when it can.</summary>
    public virtual Task<IReadOnlyList<string>> DeleteBlockersAsync(TSession s, string id, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>The deleted records it refers to (so it cannot be restored now), empty when it can.</summary>
    public virtual Task<IReadOnlyList<RecordRef>> RestoreBlockersAsync(TSession s, string id, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<RecordRef>>([]);

    /// <summary>A conflict a new record would cause besides its id (a source whose text is already stored), or null.</summary>
    public virtual Task<WriteConflict?> CreateConflictAsync(TSession s, TValid valid, CancellationToken ct) =>
        Task.FromResult<WriteConflict?>(null);

    /// <summary>A rule a replacement must keep besides the document's own (a source's text never changes), or null.</summary>
    public virtual Task<Dictionary<string, string[]>?> ReplaceProblemsAsync(TSession s, TValid valid, CancellationToken ct) =>
        Task.FromResult<Dictionary<string, string[]>?>(null);

    /// <summary>The binding problems and the rules' problems together; the record counts as valid only when there are none.</summary>
    protected static (TValid? Valid, Dictionary<string, string[]> Errors) Merge(TValid? valid, Dictionary<string, string[]> bindErrors, List<DatasetError> ruleErrors)
    {
        foreach (var (key, messages) in DocumentJson.Keyed(ruleErrors))
        {
            bindErrors[key] = bindErrors.TryGetValue(key, out var existing) ? [.. existing, .. messages] : messages;
        }

        return bindErrors.Count == 0 ? (valid, bindErrors) : (null, bindErrors);
    }
}

/// <summary>Events: validated against the live sources (verbatim quotes), entities and link targets in the store.</summary>
public abstract class EventRecordKind<TSession> : RecordKind<ValidEvent, EventDetail, TSession>
    where TSession : WriteSession
{
    public override string Name => "event";

    /// <summary>The texts of the live sources among these ids.</summary>
    protected abstract Task<Dictionary<string, string>> LiveSourceTextsAsync(TSession s, string[] ids, CancellationToken ct);

    /// <summary>The live entities among these ids.</summary>
    protected abstract Task<HashSet<string>> LiveEntitiesAsync(TSession s, string[] ids, CancellationToken ct);

    /// <summary>Every live entity's names, for "did you mean" (read only when an entity id is unknown).</summary>
    protected abstract Task<IReadOnlyList<EntityNames>> EntityNamesAsync(TSession s, CancellationToken ct);

    /// <summary>The link lookups the rules of <see cref="EventLinkRules"/> need, in the session.</summary>
    protected abstract EventLinkRules.ILookups Links(TSession s);

    public override async Task<(ValidEvent? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(TSession s, JsonObject body, CancellationToken ct)
    {
        var (document, errors) = DocumentJson.Bind<EventDocument>(body);
        if (document is null)
        {
            return (null, errors);
        }

        var sourceIds = (document.Citations ?? []).Where(x => x?.Source is not null).Select(x => x!.Source!).Distinct().ToArray();
        var texts = await LiveSourceTextsAsync(s, sourceIds, ct);
        var entityIds = (document.Entities ?? []).Where(x => x?.Id is not null).Select(x => x!.Id!).Distinct().ToArray();
        var entities = await LiveEntitiesAsync(s, entityIds, ct);

        var found = new List<DatasetError>();
        // An unknown entity id is answered with the nearest live ones ("did you mean 'smic'"): read only when one occurs.
        Func<string, string>? nearest = null;
        if (entityIds.Any(id => !entities.Contains(id)))
        {
            var matcher = new EntityMatcher(await EntityNamesAsync(s, ct));
            nearest = matcher.DidYouMean;
        }

        var valid = DatasetValidator.ValidateEvent(document, "body", texts, entities.Contains, found, nearest);
        if (valid is not null)
        {
            found.AddRange(await EventLinkRules.CheckAsync(Links(s), valid, ct));
        }

        return Merge(valid, errors, found);
    }

    public override string DocumentOf(ValidEvent valid) => Documents.Serialize(Documents.From(valid));
}

/// <summary>Entities: validated by the document's own rules; deleting one that live events involve is refused.</summary>
public abstract class EntityRecordKind<TSession> : RecordKind<ValidEntity, EntityItem, TSession>
    where TSession : WriteSession
{
    public override string Name => "entity";

    public override Task<(ValidEntity? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(TSession s, JsonObject body, CancellationToken ct)
    {
        var (document, errors) = DocumentJson.Bind<EntityDocument>(body);
        if (document is null)
        {
            return Task.FromResult<(ValidEntity?, Dictionary<string, string[]>)>((null, errors));
        }

        var found = new List<DatasetError>();
        var valid = DatasetValidator.ValidateEntity(document, "body", found);
        return Task.FromResult(Merge(valid, errors, found));
    }

    public override string DocumentOf(ValidEntity valid) => Documents.Serialize(Documents.From(valid));
}

/// <summary>Sources: the text is fixed at creation (quotes and offsets point into it) and unique across sources.</summary>
public abstract class SourceRecordKind<TSession> : RecordKind<ValidSource, SourceDetail, TSession>
    where TSession : WriteSession
{
    public override string Name => "source";

    /// <summary>The stored source that has this text (by its SHA-256), and whether it is deleted; null when none.</summary>
    protected abstract Task<(string Id, bool Deleted)?> SourceWithTextAsync(TSession s, string sha256, CancellationToken ct);

    /// <summary>The SHA-256 of the stored source's text.</summary>
    protected abstract Task<string?> StoredHashAsync(TSession s, string id, CancellationToken ct);

    public override Task<(ValidSource? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(TSession s, JsonObject body, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.ContainsKey("textFile"))
        {
            errors["textFile"] = ["is only for dataset files, which name a file beside them; here " + DatasetValidator.WriteTextHint];
        }

        var (document, bindErrors) = DocumentJson.Bind<SourceDocument>(body);
        foreach (var (key, value) in bindErrors)
        {
            errors[key] = value;
        }

        if (document is null)
        {
            return Task.FromResult<(ValidSource?, Dictionary<string, string[]>)>((null, errors));
        }

        var found = new List<DatasetError>();
        var valid = DatasetValidator.ValidateSource(document, "body", found, DatasetValidator.WriteTextHint);
        return Task.FromResult(Merge(valid, errors, found));
    }

    public override string DocumentOf(ValidSource valid) => Documents.Serialize(Documents.From(valid));

    public override async Task<WriteConflict?> CreateConflictAsync(TSession s, ValidSource valid, CancellationToken ct) =>
        await SourceWithTextAsync(s, valid.Sha256, ct) is { } found ? new WriteConflict.TextAlreadyStored(found.Id, valid.Sha256, found.Deleted) : null;

    public override async Task<Dictionary<string, string[]>?> ReplaceProblemsAsync(TSession s, ValidSource valid, CancellationToken ct) =>
        await StoredHashAsync(s, valid.Id, ct) == valid.Sha256
            ? null
            : new Dictionary<string, string[]> { ["text"] = ["a source's text never changes once stored (citations point into it); create a new source for a new text"] };
}

using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// What the record writer needs to know about one kind of record: how to validate a document against the store
/// (the dataset validator, fed with the store's live sources and entities), write it, show it, and what refuses a
/// create, a replacement, a delete or a restore besides the record's own state.
/// </summary>
/// <typeparam name="TValid">The validated record (ValidEvent, ValidEntity, ValidSource).</typeparam>
/// <typeparam name="TRecord">The record as the API shows it.</typeparam>
internal abstract class RecordKind<TValid, TRecord>
    where TValid : class
    where TRecord : class
{
    /// <summary>"event", "entity" or "source": the resource name in revisions.</summary>
    public abstract string Name { get; }

    /// <summary>Binds and validates a whole document against the store; the valid record, or every problem keyed by field.</summary>
    public abstract Task<(TValid? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(
        SqliteConnection c, SqliteTransaction tx, JsonObject body, CancellationToken ct);

    /// <summary>Writes the record with its revision; returns its new version.</summary>
    public abstract Task<long> WriteAsync(SqliteConnection c, SqliteTransaction tx, TValid valid, string action, Change change, CancellationToken ct);

    /// <summary>The record's document as its revision stores it.</summary>
    public abstract string DocumentOf(TValid valid);

    /// <summary>The record as the API shows it, or null when unknown or deleted.</summary>
    public abstract Task<(TRecord? Record, long Version)> ReadAsync(SqliteConnection c, SqliteTransaction? tx, string id, CancellationToken ct);

    /// <summary>The live events that refer to the record (so it cannot be deleted now), empty when it can.</summary>
    public virtual Task<IReadOnlyList<string>> DeleteBlockersAsync(SqliteConnection c, SqliteTransaction tx, string id, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>The deleted records it refers to (so it cannot be restored now), empty when it can.</summary>
    public virtual Task<IReadOnlyList<RecordRef>> RestoreBlockersAsync(SqliteConnection c, SqliteTransaction tx, string id, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<RecordRef>>([]);

    /// <summary>A conflict a new record would cause besides its id (a source whose text is already stored), or null.</summary>
    public virtual Task<WriteConflict?> CreateConflictAsync(SqliteConnection c, SqliteTransaction tx, TValid valid, CancellationToken ct) =>
        Task.FromResult<WriteConflict?>(null);

    /// <summary>A rule a replacement must keep besides the document's own (a source's text never changes), or null.</summary>
    public virtual Task<Dictionary<string, string[]>?> ReplaceProblemsAsync(SqliteConnection c, SqliteTransaction tx, TValid valid, CancellationToken ct) =>
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

/// <summary>Events: validated against the live sources (verbatim quotes) and entities in the store.</summary>
internal sealed class EventKind : RecordKind<ValidEvent, EventDetail>
{
    public override string Name => "event";

    public override async Task<(ValidEvent? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(SqliteConnection c, SqliteTransaction tx, JsonObject body, CancellationToken ct)
    {
        var (document, errors) = DocumentJson.Bind<EventDocument>(body);
        if (document is null)
        {
            return (null, errors);
        }

        var sourceIds = (document.Citations ?? []).Where(x => x?.Source is not null).Select(x => x!.Source!).Distinct().ToArray();
        var texts = (await c.QueryAsync<(string Id, string Text)>(new CommandDefinition(
            "SELECT id, text FROM sources WHERE id IN @sourceIds AND deleted_at IS NULL;", new { sourceIds }, tx, cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => r.Text, StringComparer.Ordinal);
        var entityIds = (document.Entities ?? []).Where(x => x?.Id is not null).Select(x => x!.Id!).Distinct().ToArray();
        var entities = (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM entities WHERE id IN @entityIds AND deleted_at IS NULL;", new { entityIds }, tx, cancellationToken: ct)))
            .ToHashSet(StringComparer.Ordinal);

        var found = new List<DatasetError>();
        // An unknown entity id is answered with the nearest live ones ("did you mean 'smic'"): read only when one occurs.
        Func<string, string>? nearest = null;
        if (entityIds.Any(id => !entities.Contains(id)))
        {
            var matcher = new EntityMatcher(await SqliteEntityReader.NamesAsync(c, tx, ct));
            nearest = matcher.DidYouMean;
        }

        var valid = DatasetValidator.ValidateEvent(document, "body", texts, entities.Contains, found, nearest);
        if (valid is not null)
        {
            found.AddRange(await EventLinkRules.CheckAsync(c, tx, valid, ct));
        }

        return Merge(valid, errors, found);
    }

    public override Task<long> WriteAsync(SqliteConnection c, SqliteTransaction tx, ValidEvent valid, string action, Change change, CancellationToken ct) =>
        TimelineWriter.WriteEventAsync(c, tx, valid, action, change, ct);

    public override string DocumentOf(ValidEvent valid) => Documents.Serialize(Documents.From(valid));

    public override async Task<(EventDetail? Record, long Version)> ReadAsync(SqliteConnection c, SqliteTransaction? tx, string id, CancellationToken ct)
    {
        var (detail, _) = await SqliteEventDetails.GetAsync(c, tx, id, ct);
        return (detail, detail?.Version ?? 0);
    }

    public override Task<IReadOnlyList<string>> DeleteBlockersAsync(SqliteConnection c, SqliteTransaction tx, string id, CancellationToken ct) =>
        EventLinks.LinkedFromAsync(c, tx, id, ct);

    public override async Task<IReadOnlyList<RecordRef>> RestoreBlockersAsync(SqliteConnection c, SqliteTransaction tx, string id, CancellationToken ct) =>
        [.. await RecordBlockersAsync(c, tx, id, ct), .. (await EventLinks.DeletedTargetsAsync(c, tx, id, ct)).Select(t => new RecordRef("event", t))];

    private static async Task<IReadOnlyList<RecordRef>> RecordBlockersAsync(SqliteConnection c, SqliteTransaction tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<(string Resource, string Id)>(new CommandDefinition(
            """
            SELECT 'entity', n.id FROM event_entities ee JOIN entities n ON n.id = ee.entity_id WHERE ee.event_id = @id AND n.deleted_at IS NOT NULL
            UNION
            SELECT 'source', s.id FROM citations ci JOIN sources s ON s.id = ci.source_id WHERE ci.event_id = @id AND s.deleted_at IS NOT NULL
            ORDER BY 1, 2;
            """,
            new { id },
            tx,
            cancellationToken: ct))).Select(r => new RecordRef(r.Resource, r.Id)).ToList();
}

/// <summary>Entities: deleting one that live events involve is refused.</summary>
internal sealed class EntityKind : RecordKind<ValidEntity, EntityItem>
{
    public override string Name => "entity";

    public override Task<(ValidEntity? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(SqliteConnection c, SqliteTransaction tx, JsonObject body, CancellationToken ct)
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

    public override Task<long> WriteAsync(SqliteConnection c, SqliteTransaction tx, ValidEntity valid, string action, Change change, CancellationToken ct) =>
        TimelineWriter.WriteEntityAsync(c, tx, valid, action, change, ct);

    public override string DocumentOf(ValidEntity valid) => Documents.Serialize(Documents.From(valid));

    public override async Task<(EntityItem? Record, long Version)> ReadAsync(SqliteConnection c, SqliteTransaction? tx, string id, CancellationToken ct)
    {
        var (detail, _) = await SqliteEntityReader.GetAsync(c, tx, id, ct);
        return (detail, detail?.Version ?? 0);
    }

    public override async Task<IReadOnlyList<string>> DeleteBlockersAsync(SqliteConnection c, SqliteTransaction tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT e.id FROM event_entities ee JOIN events e ON e.id = ee.event_id WHERE ee.entity_id = @id AND e.deleted_at IS NULL ORDER BY e.id;",
            new { id },
            tx,
            cancellationToken: ct))).AsList();
}

/// <summary>Sources: the text is fixed at creation (quotes and offsets point into it) and unique across sources.</summary>
internal sealed class SourceKind : RecordKind<ValidSource, SourceDetail>
{
    public override string Name => "source";

    public override Task<(ValidSource? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(SqliteConnection c, SqliteTransaction tx, JsonObject body, CancellationToken ct)
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

    public override Task<long> WriteAsync(SqliteConnection c, SqliteTransaction tx, ValidSource valid, string action, Change change, CancellationToken ct) =>
        TimelineWriter.WriteSourceAsync(c, tx, valid, action, change, ct);

    public override string DocumentOf(ValidSource valid) => Documents.Serialize(Documents.From(valid));

    public override async Task<(SourceDetail? Record, long Version)> ReadAsync(SqliteConnection c, SqliteTransaction? tx, string id, CancellationToken ct)
    {
        var (detail, _) = await SqliteSourceReader.GetAsync(c, tx, id, ct);
        return (detail, detail?.Version ?? 0);
    }

    public override async Task<IReadOnlyList<string>> DeleteBlockersAsync(SqliteConnection c, SqliteTransaction tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT e.id FROM citations ci JOIN events e ON e.id = ci.event_id WHERE ci.source_id = @id AND e.deleted_at IS NULL ORDER BY e.id;",
            new { id },
            tx,
            cancellationToken: ct))).AsList();

    public override async Task<WriteConflict?> CreateConflictAsync(SqliteConnection c, SqliteTransaction tx, ValidSource valid, CancellationToken ct)
    {
        var existing = await c.QuerySingleOrDefaultAsync<(string Id, string? DeletedAt)?>(new CommandDefinition(
            "SELECT id, deleted_at FROM sources WHERE sha256 = @Sha256;", new { valid.Sha256 }, tx, cancellationToken: ct));
        return existing is { } found ? new WriteConflict.TextAlreadyStored(found.Id, valid.Sha256, found.DeletedAt is not null) : null;
    }

    public override async Task<Dictionary<string, string[]>?> ReplaceProblemsAsync(SqliteConnection c, SqliteTransaction tx, ValidSource valid, CancellationToken ct)
    {
        var stored = await c.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT sha256 FROM sources WHERE id = @Id;", new { valid.Id }, tx, cancellationToken: ct));
        return stored == valid.Sha256
            ? null
            : new Dictionary<string, string[]> { ["text"] = ["a source's text never changes once stored (citations point into it); create a new source for a new text"] };
    }
}

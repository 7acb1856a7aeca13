using System.Data;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Timeline.Model.Dataset;
using Timeline.Api.Entities;
using Timeline.Api.Events;
using Timeline.Api.Sources;

namespace Timeline.Api.Curation;

/// <summary>What the write engine needs to know about one kind of record (event, entity, source).</summary>
public abstract partial class RecordKind<TDetail>
    where TDetail : class
{
    /// <summary>"event", "entity" or "source": the resource name in revisions.</summary>
    public abstract string Name { get; }

    public string Plural => Problems.QueryProblems.Plural(Name);

    /// <summary>Binds and validates a whole document against the store; the valid record, or every problem keyed by field.</summary>
    public abstract Task<(object? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(
        IDbConnection c, IDbTransaction tx, JsonObject body, CancellationToken ct);

    public abstract Task<long> WriteAsync(IDbConnection c, IDbTransaction tx, object valid, string action, Change change, CancellationToken ct);

    /// <summary>The record as the API shows it, or null when unknown or deleted.</summary>
    public abstract Task<(TDetail? Detail, long Version)> ReadAsync(IDbConnection c, IDbTransaction? tx, string id, CancellationToken ct);

    /// <summary>Why the record cannot be deleted now (live records that refer to it), empty when it can.</summary>
    public virtual Task<IReadOnlyList<string>> DeleteBlockersAsync(IDbConnection c, IDbTransaction tx, string id, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>Why the record cannot be restored now (deleted records it refers to), empty when it can.</summary>
    public virtual Task<IReadOnlyList<string>> RestoreBlockersAsync(IDbConnection c, IDbTransaction tx, string id, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>A conflict a new record would cause besides its id (a source whose text is already stored), or null.</summary>
    public virtual Task<(string Detail, string Existing)?> CreateConflictAsync(IDbConnection c, IDbTransaction tx, object valid, CancellationToken ct) =>
        Task.FromResult<(string, string)?>(null);

    /// <summary>A rule a replacement must keep besides the document's own (a source's text never changes), or null.</summary>
    public virtual Task<Dictionary<string, string[]>?> ReplaceProblemsAsync(IDbConnection c, IDbTransaction tx, object valid, CancellationToken ct) =>
        Task.FromResult<Dictionary<string, string[]>?>(null);

    /// <summary>The binding problems and the rules' problems together; the record counts as valid only when there are none.</summary>
    protected static (object? Valid, Dictionary<string, string[]> Errors) Merge(object? valid, Dictionary<string, string[]> bindErrors, List<DatasetError> ruleErrors)
    {
        foreach (var (key, messages) in Keyed(ruleErrors))
        {
            bindErrors[key] = bindErrors.TryGetValue(key, out var existing) ? [.. existing, .. messages] : messages;
        }

        return bindErrors.Count == 0 ? (valid, bindErrors) : (null, bindErrors);
    }

    /// <summary>Turns validator paths ("body 'x'.citations[0].quote") into field names ("citations[0].quote").</summary>
    protected static Dictionary<string, string[]> Keyed(IEnumerable<DatasetError> errors) =>
        errors.GroupBy(e => FieldKey(e.Path))
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);

    private static string FieldKey(string path)
    {
        var key = BodyPrefix().Replace(path, string.Empty);
        return key.Length == 0 ? "body" : key;
    }

    [GeneratedRegex(@"^body( '[^']*')?\.?")]
    private static partial Regex BodyPrefix();
}

/// <summary>Events: validated against the live sources (verbatim quotes) and entities in the store.</summary>
public sealed class EventKind : RecordKind<EventDetail>
{
    public override string Name => "event";

    public override async Task<(object? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(IDbConnection c, IDbTransaction tx, JsonObject body, CancellationToken ct)
    {
        var (document, errors) = JsonBodies.Bind<EventDocument>(body);
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
        var valid = DatasetValidator.ValidateEvent(document, "body", texts, entities.Contains, found);
        return Merge(valid, errors, found);
    }

    public override Task<long> WriteAsync(IDbConnection c, IDbTransaction tx, object valid, string action, Change change, CancellationToken ct) =>
        TimelineWriter.WriteEventAsync(c, tx, (ValidEvent)valid, action, change, ct);

    public override async Task<(EventDetail? Detail, long Version)> ReadAsync(IDbConnection c, IDbTransaction? tx, string id, CancellationToken ct)
    {
        var (detail, _) = await EventQueries.GetAsync(c, tx, id, ct);
        return (detail, detail?.Version ?? 0);
    }

    public override async Task<IReadOnlyList<string>> RestoreBlockersAsync(IDbConnection c, IDbTransaction tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<string>(new CommandDefinition(
            """
            SELECT 'entity ' || n.id FROM event_entities ee JOIN entities n ON n.id = ee.entity_id WHERE ee.event_id = @id AND n.deleted_at IS NOT NULL
            UNION
            SELECT 'source ' || s.id FROM citations ci JOIN sources s ON s.id = ci.source_id WHERE ci.event_id = @id AND s.deleted_at IS NOT NULL
            ORDER BY 1;
            """,
            new { id },
            tx,
            cancellationToken: ct))).AsList();
}

/// <summary>Entities: deleting one that live events involve is refused.</summary>
public sealed class EntityKind : RecordKind<EntityItem>
{
    public override string Name => "entity";

    public override Task<(object? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(IDbConnection c, IDbTransaction tx, JsonObject body, CancellationToken ct)
    {
        var (document, errors) = JsonBodies.Bind<EntityDocument>(body);
        if (document is null)
        {
            return Task.FromResult<(object?, Dictionary<string, string[]>)>((null, errors));
        }

        var found = new List<DatasetError>();
        var valid = DatasetValidator.ValidateEntity(document, "body", found);
        return Task.FromResult(Merge(valid, errors, found));
    }

    public override Task<long> WriteAsync(IDbConnection c, IDbTransaction tx, object valid, string action, Change change, CancellationToken ct) =>
        TimelineWriter.WriteEntityAsync(c, tx, (ValidEntity)valid, action, change, ct);

    public override async Task<(EntityItem? Detail, long Version)> ReadAsync(IDbConnection c, IDbTransaction? tx, string id, CancellationToken ct)
    {
        var (detail, _) = await EntityQueries.GetAsync(c, tx, id, ct);
        return (detail, detail?.Version ?? 0);
    }

    public override async Task<IReadOnlyList<string>> DeleteBlockersAsync(IDbConnection c, IDbTransaction tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT e.id FROM event_entities ee JOIN events e ON e.id = ee.event_id WHERE ee.entity_id = @id AND e.deleted_at IS NULL ORDER BY e.id;",
            new { id },
            tx,
            cancellationToken: ct))).AsList();
}

/// <summary>Sources: the text is fixed at creation (quotes and offsets point into it) and unique across sources.</summary>
public sealed class SourceKind : RecordKind<SourceDetail>
{
    public override string Name => "source";

    public override Task<(object? Valid, Dictionary<string, string[]> Errors)> ValidateAsync(IDbConnection c, IDbTransaction tx, JsonObject body, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.ContainsKey("textFile"))
        {
            errors["textFile"] = ["is only for dataset files; send the full text in 'text'"];
        }

        var (document, bindErrors) = JsonBodies.Bind<SourceDocument>(body);
        foreach (var (key, value) in bindErrors)
        {
            errors[key] = value;
        }

        if (document is null)
        {
            return Task.FromResult<(object?, Dictionary<string, string[]>)>((null, errors));
        }

        var found = new List<DatasetError>();
        var valid = DatasetValidator.ValidateSource(document, "body", found);
        return Task.FromResult(Merge(valid, errors, found));
    }

    public override Task<long> WriteAsync(IDbConnection c, IDbTransaction tx, object valid, string action, Change change, CancellationToken ct) =>
        TimelineWriter.WriteSourceAsync(c, tx, (ValidSource)valid, action, change, ct);

    public override async Task<(SourceDetail? Detail, long Version)> ReadAsync(IDbConnection c, IDbTransaction? tx, string id, CancellationToken ct)
    {
        var (detail, _) = await SourceQueries.GetAsync(c, tx, id, ct);
        return (detail, detail?.Version ?? 0);
    }

    public override async Task<IReadOnlyList<string>> DeleteBlockersAsync(IDbConnection c, IDbTransaction tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT e.id FROM citations ci JOIN events e ON e.id = ci.event_id WHERE ci.source_id = @id AND e.deleted_at IS NULL ORDER BY e.id;",
            new { id },
            tx,
            cancellationToken: ct))).AsList();

    public override async Task<(string Detail, string Existing)?> CreateConflictAsync(IDbConnection c, IDbTransaction tx, object valid, CancellationToken ct)
    {
        var source = (ValidSource)valid;
        var existing = await c.QuerySingleOrDefaultAsync<(string Id, string? DeletedAt)?>(new CommandDefinition(
            "SELECT id, deleted_at FROM sources WHERE sha256 = @Sha256;", new { source.Sha256 }, tx, cancellationToken: ct));
        if (existing is not { } found)
        {
            return null;
        }

        var detail = found.DeletedAt is null
            ? $"This text is already stored as source '{found.Id}' (sha256 {source.Sha256}); cite that source."
            : $"This text is already stored as source '{found.Id}' (sha256 {source.Sha256}), which is deleted; restore it with POST /sources/{found.Id}/restore.";
        return (detail, found.Id);
    }

    public override async Task<Dictionary<string, string[]>?> ReplaceProblemsAsync(IDbConnection c, IDbTransaction tx, object valid, CancellationToken ct)
    {
        var source = (ValidSource)valid;
        var stored = await c.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT sha256 FROM sources WHERE id = @Id;", new { source.Id }, tx, cancellationToken: ct));
        return stored == source.Sha256
            ? null
            : new Dictionary<string, string[]> { ["text"] = ["a source's text never changes once stored (citations point into it); create a new source for a new text"] };
    }
}

using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Timeline.Model.Dataset;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Loads a dataset into the store: validated whole against the store first, then upserted in the
/// caller's transaction, each record created, updated (restored if it was deleted) or left unchanged.
/// The seed is the same operation on an empty store.
/// </summary>
public static class DatasetImport
{
    private sealed class CurrentRow
    {
        public string Id { get; init; } = string.Empty;

        public string Document { get; init; } = string.Empty;

        public string? DeletedAt { get; init; }

        public string? Sha256 { get; init; }
    }

    /// <summary>Validates a dataset against itself and the store; every problem is reported.</summary>
    public static async Task<(ValidatedDataset? Dataset, IReadOnlyList<DatasetError> Errors)> ValidateAsync(
        IDbConnection c, IDbTransaction? tx, DatasetDocument document, CancellationToken ct)
    {
        var ownSources = (document.Sources ?? []).Where(s => s?.Id is not null).Select(s => s.Id!).ToHashSet(StringComparer.Ordinal);
        var ownEntities = (document.Entities ?? []).Where(e => e?.Id is not null).Select(e => e.Id!).ToHashSet(StringComparer.Ordinal);
        var events = (document.Events ?? []).Where(e => e is not null).ToList();
        var sourceIds = events.SelectMany(e => e.Citations ?? []).Where(x => x?.Source is not null).Select(x => x!.Source!).Where(id => !ownSources.Contains(id)).Distinct().ToList();
        var entityIds = events.SelectMany(e => e.Entities ?? []).Where(x => x?.Id is not null).Select(x => x!.Id!).Where(id => !ownEntities.Contains(id)).Distinct().ToList();

        var storedTexts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in sourceIds.Chunk(500))
        {
            foreach (var row in await c.QueryAsync<(string Id, string Text)>(new CommandDefinition(
                "SELECT id, text FROM sources WHERE id IN @chunk AND deleted_at IS NULL;", new { chunk }, tx, cancellationToken: ct)))
            {
                storedTexts[row.Id] = row.Text;
            }
        }

        var storedEntities = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in entityIds.Chunk(500))
        {
            storedEntities.UnionWith(await c.QueryAsync<string>(new CommandDefinition(
                "SELECT id FROM entities WHERE id IN @chunk AND deleted_at IS NULL;", new { chunk }, tx, cancellationToken: ct)));
        }

        // The events the dataset's links name that it does not hold itself, and the store's chains of supersedes.
        var ownEvents = events.Where(e => e.Id is not null).Select(e => e.Id!).ToHashSet(StringComparer.Ordinal);
        var linkedEvents = events.SelectMany(e => (e.Related ?? []).Append(e.Supersedes)).OfType<string>().Where(id => !ownEvents.Contains(id));
        var storedEvents = await EventLinks.LiveAsync(c, tx, linkedEvents, ct);
        var storedSupersedes = events.Any(e => e.Supersedes is not null) ? await EventLinks.AllSupersedesAsync(c, tx, ct) : [];

        var dataset = DatasetValidator.Validate(
            document,
            new StoreLookup(id => storedTexts.GetValueOrDefault(id), storedEntities.Contains)
            {
                EventExists = storedEvents.Contains,
                StoredSupersedes = id => storedSupersedes.GetValueOrDefault(id),
            },
            out var validatorErrors);

        // A stored source keeps its text for ever (quotes and offsets point into it), and one text is one source.
        var problems = new List<DatasetError>(validatorErrors);
        var current = await CurrentSourcesAsync(c, tx, ct);
        var byHash = current.Values.Where(r => r.Sha256 is not null).ToDictionary(r => r.Sha256!, r => r.Id, StringComparer.Ordinal);
        foreach (var source in (document.Sources ?? []).Where(s => s?.Id is not null && s.Text is not null))
        {
            var sha = DatasetValidator.Sha256(source.Text!);
            if (current.TryGetValue(source.Id!, out var stored) && stored.Sha256 != sha)
            {
                problems.Add(new DatasetError($"sources '{source.Id}'.text", "differs from the stored source's text; a source's text never changes (add a new source instead)"));
            }
            else if (byHash.TryGetValue(sha, out var other) && other != source.Id)
            {
                problems.Add(new DatasetError($"sources '{source.Id}'.text", $"is the same text as the stored source '{other}'"));
            }
        }

        return problems.Count > 0 ? (null, problems) : (dataset, []);
    }

    /// <summary>Upserts a validated dataset in the caller's transaction and moves the data version once.</summary>
    public static async Task<ImportReport> ApplyAsync(
        SqliteConnection c, SqliteTransaction tx, ValidatedDataset dataset, Change change, CancellationToken ct, ImportProgress? progress = null)
    {
        // New records go through the bulk writer (prepared statements, search rows built at the end);
        // existing ones through the single-record writer, which replaces their tags, links and citations.
        using var bulk = new BulkEventWriter(c, tx, change);
        var sources = await ApplyKindAsync(c, tx, "source", dataset.Sources, s => s.Id, s => Documents.Serialize(Documents.From(s)),
            async (s, action) =>
            {
                if (action == "create")
                {
                    bulk.Create(s);
                    return 1;
                }

                return await TimelineWriter.WriteSourceAsync(c, tx, s, action, change, ct);
            },
            ct);
        var entities = await ApplyKindAsync(c, tx, "entity", dataset.Entities, e => e.Id, e => Documents.Serialize(Documents.From(e)),
            (e, action) => TimelineWriter.WriteEntityAsync(c, tx, e, action, change, ct), ct);
        progress?.Step("sources and entities written");

        // New events' revision documents are serialised by the bulk writer as it writes them; a stored event's
        // document is compared with the one the dataset would give it.
        static string DocumentOf(ValidEvent e) => Documents.Serialize(Documents.From(e));

        var written = new List<string>();
        var events = await ApplyKindAsync(c, tx, "event", dataset.Events, e => e.Id, DocumentOf,
            async (e, action) =>
            {
                written.Add(e.Id);
                if (action == "create")
                {
                    bulk.Create(e);
                    return 1;
                }

                return await TimelineWriter.WriteEventAsync(c, tx, e, action, change, ct, place: false);
            },
            ct);
        bulk.Finish(count => progress?.Written(count, dataset.Events.Count), progress?.Step);
        if (bulk.StoreHadEvents)
        {
            await TimelineOrder.PlaceAsync(c, tx, written, ct);
        }

        // The former ids of the records the bulk writer created (the single-record writer keeps them itself).
        foreach (var s in dataset.Sources.Where(s => s.FormerIds.Count > 0))
        {
            await FormerIds.WriteAsync(c, tx, "source", s.Id, s.FormerIds, change, ct);
        }

        foreach (var e in dataset.Events.Where(e => e.FormerIds.Count > 0))
        {
            await FormerIds.WriteAsync(c, tx, "event", e.Id, e.FormerIds, change, ct);
        }

        progress?.Written(dataset.Events.Count, dataset.Events.Count);
        if (sources.Created + sources.Updated + entities.Created + entities.Updated + events.Created + events.Updated > 0)
        {
            await TimelineWriter.TouchAsync(c, tx, change, ct);
        }

        return new ImportReport(sources, entities, events);
    }

    /// <summary>Removes every record and its history (the explicit "reseed" starts over), in the caller's transaction.</summary>
    public static Task ClearAsync(IDbConnection c, IDbTransaction tx, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM citations;
            DELETE FROM event_links;
            DELETE FROM event_entities;
            DELETE FROM entity_timeline;
            DELETE FROM event_tags;
            DELETE FROM events;
            DELETE FROM entity_aliases;
            DELETE FROM entities;
            DELETE FROM sources;
            DELETE FROM events_fts;
            DELETE FROM entities_fts;
            DELETE FROM sources_fts;
            DELETE FROM revisions;
            DELETE FROM former_ids;
            """,
            transaction: tx,
            cancellationToken: ct));

    private static async Task<ImportCounts> ApplyKindAsync<T>(
        IDbConnection c,
        IDbTransaction tx,
        string resource,
        IReadOnlyList<T> records,
        Func<T, string> id,
        Func<T, string> document,
        Func<T, string, Task<long>> write,
        CancellationToken ct)
    {
        var current = await CurrentDocumentsAsync(c, tx, resource, ct);
        int created = 0, updated = 0, unchanged = 0;
        foreach (var record in records)
        {
            if (!current.TryGetValue(id(record), out var stored))
            {
                await write(record, "create");
                created++;
            }
            else if (stored.DeletedAt is null && stored.Document == document(record))
            {
                unchanged++;
            }
            else
            {
                await write(record, stored.DeletedAt is null ? "update" : "restore");
                updated++;
            }
        }

        return new ImportCounts(created, updated, unchanged);
    }

    /// <summary>Each record's current document: the document of its latest revision.</summary>
    private static async Task<Dictionary<string, CurrentRow>> CurrentDocumentsAsync(IDbConnection c, IDbTransaction tx, string resource, CancellationToken ct)
    {
        var table = TimelineWriter.Table(resource);
        var rows = await c.QueryAsync<CurrentRow>(new CommandDefinition(
            $"""
            SELECT t.id, r.document, t.deleted_at AS DeletedAt
            FROM {table} t JOIN revisions r ON r.resource = @resource AND r.resource_id = t.id AND r.version = t.version;
            """,
            new { resource },
            tx,
            cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    private static async Task<Dictionary<string, CurrentRow>> CurrentSourcesAsync(IDbConnection c, IDbTransaction? tx, CancellationToken ct) =>
        (await c.QueryAsync<CurrentRow>(new CommandDefinition(
            "SELECT id, '' AS document, deleted_at AS DeletedAt, sha256 FROM sources;", transaction: tx, cancellationToken: ct)))
        .ToDictionary(r => r.Id, StringComparer.Ordinal);
}

using Dapper;
using Npgsql;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>
/// Loads a dataset into the PostgreSQL store, in the caller's write transaction: the counterpart of the SQLite engine's
/// DatasetImport. New records go in by COPY (<see cref="PostgresBulkWriter"/>); the seed is the same load on an empty store.
/// </summary>
public static class PostgresDatasetImport
{
    private sealed class CurrentRow
    {
        public string Id { get; init; } = string.Empty;

        public string Document { get; init; } = string.Empty;

        public string? DeletedAt { get; init; }

        public string? Sha256 { get; init; }
    }

    /// <summary>Validates a dataset against itself and the store; every problem is reported (the SQLite engine's rules).</summary>
    public static async Task<(ValidatedDataset? Dataset, IReadOnlyList<DatasetError> Errors)> ValidateAsync(
        NpgsqlConnection c, NpgsqlTransaction? tx, DatasetDocument document, CancellationToken ct)
    {
        var ownSources = (document.Sources ?? []).Where(s => s?.Id is not null).Select(s => s.Id!).ToHashSet(StringComparer.Ordinal);
        var ownEntities = (document.Entities ?? []).Where(e => e?.Id is not null).Select(e => e.Id!).ToHashSet(StringComparer.Ordinal);
        var events = (document.Events ?? []).Where(e => e is not null).ToList();
        var sourceIds = events.SelectMany(e => e.Citations ?? []).Where(x => x?.Source is not null).Select(x => x!.Source!).Where(id => !ownSources.Contains(id)).Distinct().ToArray();
        var entityIds = events.SelectMany(e => e.Entities ?? []).Where(x => x?.Id is not null).Select(x => x!.Id!).Where(id => !ownEntities.Contains(id)).Distinct().ToArray();

        var storedTexts = (await c.QueryAsync<(string Id, string Text)>(new CommandDefinition(
            "SELECT id, text FROM sources WHERE id = ANY(@sourceIds) AND deleted_at IS NULL;", new { sourceIds = PostgresText.Comparable(sourceIds) }, tx, cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => r.Text, StringComparer.Ordinal);
        var storedEntities = (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM entities WHERE id = ANY(@entityIds) AND deleted_at IS NULL;", new { entityIds = PostgresText.Comparable(entityIds) }, tx, cancellationToken: ct)))
            .ToHashSet(StringComparer.Ordinal);

        // The events the dataset's links name that it does not hold itself, and the store's chains of supersedes.
        var ownEvents = events.Where(e => e.Id is not null).Select(e => e.Id!).ToHashSet(StringComparer.Ordinal);
        var linkedEvents = events.SelectMany(e => (e.Related ?? []).Append(e.Supersedes)).OfType<string>().Where(id => !ownEvents.Contains(id));
        var storedEvents = await PostgresEventLinks.LiveAsync(c, tx, linkedEvents, ct);
        var storedSupersedes = events.Any(e => e.Supersedes is not null) ? await PostgresEventLinks.AllSupersedesAsync(c, tx, ct) : [];

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
        var current = (await c.QueryAsync<CurrentRow>(new CommandDefinition(
            "SELECT id, '' AS document, deleted_at AS DeletedAt, sha256 FROM sources;", transaction: tx, cancellationToken: ct)))
            .ToDictionary(r => r.Id, StringComparer.Ordinal);
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

    /// <summary>
    /// Upserts a validated dataset in the caller's write transaction and moves the data version once: each record
    /// created, updated (restored if it was deleted) or left unchanged, with the revisions the SQLite engine writes, in its
    /// order. New records go in by COPY (<see cref="PostgresBulkWriter"/>); stored ones through
    /// <see cref="PostgresTimelineWriter"/>, which replaces their tags, links and citations. The seed is this on an empty store.
    /// </summary>
    public static async Task<ImportReport> ApplyAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, ValidatedDataset dataset, Change change, CancellationToken ct, ImportProgress? progress = null)
    {
        var empty = await PostgresStoreInitializer.IsEmptyAsync(c, tx, ct);
        var bulk = new PostgresBulkWriter(c, change.Actor, change.Stamp, change.Reason);
        var deferred = empty ? await bulk.DeferIndexesAsync(tx, ct) : [];

        // A first load works out its events' words in the background from here on (PostgresLoadWords).
        using var words = empty ? PostgresLoadWords.Start(dataset) : null;

        // Sources and entities in the order given: a run of new ones is copied in before the next stored one is written,
        // so their revisions keep that order. A new entity with former ids in a filled store goes through the writer,
        // which retires the records that had them before it records the entity (as the SQLite engine does).
        var newSources = new List<ValidSource>();
        var sources = await ApplyKindAsync(c, tx, "source", dataset.Sources, s => s.Id, s => Documents.Serialize(Documents.From(s)),
            _ => true,
            run => bulk.CreateSourcesAsync(run, ct),
            (s, action) => PostgresTimelineWriter.WriteSourceAsync(c, tx, s, action, change, ct),
            newSources,
            ct);
        var newEntities = new List<ValidEntity>();
        var entities = await ApplyKindAsync(c, tx, "entity", dataset.Entities, e => e.Id, e => Documents.Serialize(Documents.From(e)),
            e => empty || e.FormerIds.Count == 0,
            run => bulk.CreateEntitiesAsync(run, ct),
            (e, action) => PostgresTimelineWriter.WriteEntityAsync(c, tx, e, action, change, ct),
            newEntities,
            ct);
        await bulk.FormerIdsAsync("entity", newEntities.Where(e => empty).Select(e => (e.Id, e.FormerIds)), ct);
        progress?.Step("sources and entities written");

        // Stored events are written as they come; new ones are copied in at the end, as the SQLite engine's bulk writer does.
        var newEvents = new List<ValidEvent>();
        var events = await ApplyKindAsync(c, tx, "event", dataset.Events, e => e.Id, e => Documents.Serialize(Documents.From(e)),
            _ => true,
            _ => Task.CompletedTask,
            (e, action) => PostgresTimelineWriter.WriteEventAsync(c, tx, e, action, change, ct),
            newEvents,
            ct,
            deferCreates: true);
        // A first load builds, while its events' words are still being worked out, what needs no event row: the indexes of
        // the tables already filled, and the entities' and sources' search rows.
        var early = deferred.Where(d => !d.ForeignKey && PostgresBulkWriter.FilledBeforeEventRows.Contains(d.Table)).ToList();
        var earlyBuilt = false;
        await bulk.CreateEventsAsync(
            newEvents,
            ct,
            count => progress?.Written(count, dataset.Events.Count),
            progress?.Step,
            words,
            words is null ? null : async () =>
            {
                await bulk.RestoreIndexesAsync(tx, early, ct);
                await PostgresSearchIndex.BuildRecordsAsync(c, tx, dataset, words, ct);
                earlyBuilt = true;
                progress?.Step($"{early.Count} indexes, the entities' and sources' search rows built");
            });

        // The former ids of the new sources and events (the single-record writer keeps its own).
        if (empty)
        {
            await bulk.FormerIdsAsync("source", newSources.Select(s => (s.Id, s.FormerIds)), ct);
            await bulk.FormerIdsAsync("event", newEvents.Select(e => (e.Id, e.FormerIds)), ct);
        }
        else
        {
            foreach (var s in newSources.Where(s => s.FormerIds.Count > 0))
            {
                await PostgresFormerIdWriter.WriteAsync(c, tx, "source", s.Id, s.FormerIds, change, ct);
            }

            foreach (var e in newEvents.Where(e => e.FormerIds.Count > 0))
            {
                await PostgresFormerIdWriter.WriteAsync(c, tx, "event", e.Id, e.FormerIds, change, ct);
            }
        }

        // (CreateEventsAsync calls back only when it writes events.)
        var late = earlyBuilt ? deferred.Except(early).ToList() : [.. deferred];
        if (late.Count > 0)
        {
            await bulk.RestoreIndexesAsync(tx, late, ct);
            progress?.Step($"{late.Count} indexes and foreign keys built");
        }

        // The new records' search rows: built whole from the dataset after a first load, else record by record.
        if (words is not null)
        {
            if (!earlyBuilt)
            {
                await PostgresSearchIndex.BuildRecordsAsync(c, tx, dataset, words, ct);
            }

            await PostgresSearchIndex.BuildEventsAsync(c, tx, words, ct, progress?.Step);
        }
        else
        {
            foreach (var s in newSources)
            {
                await PostgresSearchIndex.RefreshSourceAsync(c, tx, s.Id, ct);
            }

            foreach (var e in newEntities)
            {
                await PostgresSearchIndex.RefreshEntityAsync(c, tx, e.Id, ct);
            }

            if (newEvents.Count > 0)
            {
                await PostgresSearchIndex.RefreshEventsAsync(c, tx, newEvents.Select(e => e.Id).ToList(), ct);
            }
        }

        progress?.Step("search rows written");
        if (newEvents.Count >= 10_000)
        {
            await AnalyzeAsync(c, tx, ct);
        }

        progress?.Written(dataset.Events.Count, dataset.Events.Count);
        if (sources.Created + sources.Updated + entities.Created + entities.Updated + events.Created + events.Updated > 0)
        {
            await PostgresTimelineWriter.TouchAsync(c, tx, change, ct);
        }

        return new ImportReport(sources, entities, events);
    }

    /// <summary>Loads a validated dataset into an empty store (the seed, a reseed) and moves the data version once.</summary>
    public static Task<ImportReport> SeedAsync(NpgsqlConnection c, NpgsqlTransaction tx, ValidatedDataset dataset, string actor, DateTimeOffset at, CancellationToken ct) =>
        ApplyAsync(c, tx, dataset, new Change(actor, at), ct);

    /// <summary>
    /// Sorts one kind's records into created, updated (or restored) and unchanged, in the order given. New records that
    /// <paramref name="copies"/> accepts are gathered into runs copied in by <paramref name="copy"/> before the next
    /// stored one is written (or, with <paramref name="deferCreates"/>, left to the caller in <paramref name="created"/>);
    /// others go through <paramref name="write"/>.
    /// </summary>
    private static async Task<ImportCounts> ApplyKindAsync<T>(
        NpgsqlConnection c,
        NpgsqlTransaction tx,
        string resource,
        IReadOnlyList<T> records,
        Func<T, string> id,
        Func<T, string> document,
        Func<T, bool> copies,
        Func<IReadOnlyList<T>, Task> copy,
        Func<T, string, Task<long>> write,
        List<T> created,
        CancellationToken ct,
        bool deferCreates = false)
    {
        var current = await CurrentDocumentsAsync(c, tx, resource, ct);
        var run = new List<T>();
        async Task FlushAsync()
        {
            if (run.Count > 0)
            {
                await copy(run);
                run = [];
            }
        }

        int updated = 0, unchanged = 0, createdCount = 0;
        foreach (var record in records)
        {
            if (!current.TryGetValue(id(record), out var stored))
            {
                createdCount++;
                if (copies(record))
                {
                    created.Add(record);
                    if (!deferCreates)
                    {
                        run.Add(record);
                    }

                    continue;
                }

                await FlushAsync();
                await write(record, "create");
            }
            else if (stored.DeletedAt is null && stored.Document == document(record))
            {
                unchanged++;
            }
            else
            {
                await FlushAsync();
                await write(record, stored.DeletedAt is null ? "update" : "restore");
                updated++;
            }
        }

        await FlushAsync();
        return new ImportCounts(createdCount, updated, unchanged);
    }

    /// <summary>Each record's current document: the document of its latest revision.</summary>
    private static async Task<Dictionary<string, CurrentRow>> CurrentDocumentsAsync(NpgsqlConnection c, NpgsqlTransaction tx, string resource, CancellationToken ct)
    {
        var rows = await c.QueryAsync<CurrentRow>(new CommandDefinition(
            $"""
            SELECT t.id, r.document, t.deleted_at AS DeletedAt
            FROM {StoredColumns.Table(resource)} t JOIN revisions r ON r.resource = @resource AND r.resource_id = t.id AND r.version = t.version;
            """,
            new { resource },
            tx,
            cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    /// <summary>Removes every record and its history (the explicit "reseed" starts over), in the caller's transaction; the change feed's positions go on from where they were.</summary>
    public static Task ClearAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "TRUNCATE citations, event_links, event_entities, event_tags, events, entity_aliases, entities, sources, revisions, former_ids CASCADE;",
            transaction: tx,
            cancellationToken: ct));

    /// <summary>Fresh planner statistics after a bulk load, so that the first queries on the new rows plan well.</summary>
    internal static Task AnalyzeAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "ANALYZE sources, entities, entity_aliases, events, event_tags, event_entities, entity_timeline, citations, event_links, former_ids, revisions;",
            transaction: tx,
            cancellationToken: ct,
            commandTimeout: 0));
}

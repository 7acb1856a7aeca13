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
    /// <summary>Loads a validated dataset into an empty store (the seed, a reseed, a first import) and moves the data version once.</summary>
    public static async Task<ImportReport> SeedAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, ValidatedDataset dataset, string actor, DateTimeOffset at, CancellationToken ct, string? reason = null, ImportProgress? progress = null)
    {
        var bulk = new PostgresBulkWriter(c, actor, Timestamps.Format(at), reason);
        await bulk.CreateSourcesAsync(dataset.Sources, ct);
        await bulk.CreateEntitiesAsync(dataset.Entities, ct);
        await bulk.FormerIdsAsync("entity", dataset.Entities.Select(e => (e.Id, e.FormerIds)), ct);
        progress?.Step("sources and entities written");
        await bulk.CreateEventsAsync(dataset.Events, ct, count => progress?.Written(count, dataset.Events.Count), progress?.Step);
        await bulk.FormerIdsAsync("source", dataset.Sources.Select(s => (s.Id, s.FormerIds)), ct);
        await bulk.FormerIdsAsync("event", dataset.Events.Select(e => (e.Id, e.FormerIds)), ct);
        await PostgresSearchIndex.RebuildAsync(c, tx, ct);
        progress?.Step("search rows written");
        await AnalyzeAsync(c, tx, ct);
        progress?.Written(dataset.Events.Count, dataset.Events.Count);
        if (dataset.Sources.Count + dataset.Entities.Count + dataset.Events.Count > 0)
        {
            await DataVersionBump.BumpAsync(c, tx, at, ct);
        }

        return new ImportReport(
            new ImportCounts(dataset.Sources.Count, 0, 0),
            new ImportCounts(dataset.Entities.Count, 0, 0),
            new ImportCounts(dataset.Events.Count, 0, 0));
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
            "ANALYZE sources, entities, entity_aliases, events, event_tags, event_entities, citations, event_links, former_ids, revisions;",
            transaction: tx,
            cancellationToken: ct,
            commandTimeout: 0));
}

using Dapper;
using Npgsql;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>
/// How many live events involve each entity and cite each source, as GET /entities and GET /sources show them, kept for
/// one data version: counted once per version (by one grouped statement, or from the facets' in-memory copy when it holds
/// that version) instead of once per entity or source and request, which at 1,000,000 events walks millions of links for
/// every list. Each count is taken in the reader's snapshot, for the data version of that snapshot, so a list and its
/// counts are of one state of the store.
/// </summary>
public sealed class PostgresEventCounts(PostgresDateCategoryIndex copy)
{
    private readonly PerVersion _entities = new();
    private readonly PerVersion _sources = new();

    private sealed record Counted(long DataVersion, IReadOnlyDictionary<string, long> Counts);

    /// <summary>Each entity's number of live events (entities with none left out) at <paramref name="dataVersion"/>, the snapshot's.</summary>
    public async Task<IReadOnlyDictionary<string, long>> EntitiesAsync(NpgsqlConnection connection, NpgsqlTransaction snapshot, long dataVersion, CancellationToken cancellationToken)
    {
        if (copy.Current is { } current && current.DataVersion == dataVersion)
        {
            return EventFacetCounter.EntityEventCounts(current);
        }

        return await CountAsync(
            _entities,
            connection,
            snapshot,
            dataVersion,
            Sql("event_entities", "entity_id"),
            cancellationToken);
    }

    /// <summary>Each source's number of live events citing it (sources with none left out) at <paramref name="dataVersion"/>, the snapshot's.</summary>
    public Task<IReadOnlyDictionary<string, long>> SourcesAsync(NpgsqlConnection connection, NpgsqlTransaction snapshot, long dataVersion, CancellationToken cancellationToken) =>
        CountAsync(
            _sources,
            connection,
            snapshot,
            dataVersion,
            Sql("citations", "source_id"),
            cancellationToken);

    /// <summary>
    /// The statement counting, for each key of the link table, its distinct live events: all its distinct events (an index-
    /// only walk of the link table's (key, event_id) index, already in order: no sort, no join), less those of deleted
    /// events (few, found by the partial index events_deleted of migration 0003).
    /// </summary>
    private static string Sql(string links, string key) =>
        $"""
        SELECT a.key, a.count - COALESCE(d.count, 0) AS count
        FROM (SELECT l.{key} AS key, COUNT(*) AS count
              FROM (SELECT DISTINCT {key}, event_id FROM {links}) l
              GROUP BY l.{key}) a
        LEFT JOIN (SELECT l.{key} AS key, COUNT(*) AS count
                   FROM (SELECT DISTINCT x.{key}, x.event_id FROM events e JOIN {links} x ON x.event_id = e.id WHERE e.deleted_at IS NOT NULL) l
                   GROUP BY l.{key}) d ON d.key = a.key;
        """;

    private static async Task<IReadOnlyDictionary<string, long>> CountAsync(
        PerVersion cache, NpgsqlConnection connection, NpgsqlTransaction snapshot, long dataVersion, string sql, CancellationToken cancellationToken)
    {
        if (cache.Get(dataVersion) is { } counted)
        {
            return counted;
        }

        var rows = await connection.QueryAsync<(string Key, long Count)>(new CommandDefinition(sql, transaction: snapshot, cancellationToken: cancellationToken));
        var counts = rows.ToDictionary(r => r.Key, r => r.Count, StringComparer.Ordinal);
        cache.Keep(dataVersion, counts);
        return counts;
    }

    /// <summary>Counts of the newest data version counted.</summary>
    private sealed class PerVersion
    {
        private Counted? _counted;

        public IReadOnlyDictionary<string, long>? Get(long dataVersion) =>
            Volatile.Read(ref _counted) is { } counted && counted.DataVersion == dataVersion ? counted.Counts : null;

        /// <summary>Keeps the counts unless newer ones are kept (a snapshot on a lagging standby reads an older version).</summary>
        public void Keep(long dataVersion, IReadOnlyDictionary<string, long> counts)
        {
            var counted = new Counted(dataVersion, counts);
            while (true)
            {
                var current = Volatile.Read(ref _counted);
                if ((current is not null && current.DataVersion >= dataVersion) || Interlocked.CompareExchange(ref _counted, counted, current) == current)
                {
                    return;
                }
            }
        }
    }
}

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
            """
            SELECT l.entity_id AS key, COUNT(*) AS count
            FROM (SELECT DISTINCT ee.entity_id, ee.event_id
                  FROM event_entities ee JOIN events e ON e.id = ee.event_id
                  WHERE e.deleted_at IS NULL) l
            GROUP BY l.entity_id;
            """,
            cancellationToken);
    }

    /// <summary>Each source's number of live events citing it (sources with none left out) at <paramref name="dataVersion"/>, the snapshot's.</summary>
    public Task<IReadOnlyDictionary<string, long>> SourcesAsync(NpgsqlConnection connection, NpgsqlTransaction snapshot, long dataVersion, CancellationToken cancellationToken) =>
        CountAsync(
            _sources,
            connection,
            snapshot,
            dataVersion,
            """
            SELECT l.source_id AS key, COUNT(*) AS count
            FROM (SELECT DISTINCT c.source_id, c.event_id
                  FROM citations c JOIN events e ON e.id = c.event_id
                  WHERE e.deleted_at IS NULL) l
            GROUP BY l.source_id;
            """,
            cancellationToken);

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

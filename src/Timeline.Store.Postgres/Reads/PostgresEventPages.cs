using Dapper;

namespace Timeline.Store.Postgres;

/// <summary>Pages of events (<see cref="IEventPages"/>) on PostgreSQL: keyset pages in the timeline's total order or by relevance, planned by <see cref="PostgresPagePlanner"/>.</summary>
public sealed class PostgresEventPages(PostgresConnections database, IDataVersion? dataVersion = null) : IEventPages
{
    /// <summary>How many ids <see cref="_live"/> holds at most (beyond it, ids are checked on every request).</summary>
    private const int LiveIdsKept = 10_000;

    /// <summary>
    /// The entity and source ids found live under one data version (<see cref="MissingReferencesAsync"/>): while the data
    /// version stays the same, a filter naming only them needs no statement. The data version moves with every write
    /// (this replica's at once, another's within Timeline:DataVersionRefreshMilliseconds, as for the response cache),
    /// and a new version starts an empty set.
    /// </summary>
    private LiveIds? _live;

    private sealed record LiveIds(long DataVersion, System.Collections.Concurrent.ConcurrentDictionary<string, bool> Ids);

    public async Task<EventPage<EventSummary>> ListAsync(EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var (rows, next) = await PostgresPagePlanner.ReadPageAsync(connection, filter, after, PostgresPageContent.Summary, cancellationToken);
        return new(rows.Select(r => r.Snippet is null ? r.Summary! : r.Summary! with { Snippet = r.Snippet }).ToList(), next);
    }

    /// <summary>The same page, each event as the UTF-8 JSON object GET /events shows, written as each row is read (<see cref="PostgresEventJson"/>).</summary>
    public async Task<EventPage<byte[]>> ListJsonAsync(EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var (rows, next) = await PostgresPagePlanner.ReadPageAsync(connection, filter, after, PostgresPageContent.Json, cancellationToken);
        return new(rows.Select(r => r.Snippet is null ? r.Item! : EventSummaryJson.WithSnippet(r.Item!, r.Snippet)).ToList(), next);
    }

    /// <summary>Which of the given entity ids and source id the store does not hold (live).</summary>
    public async Task<MissingReferences> MissingReferencesAsync(IReadOnlyList<string> entityIds, string? sourceId, CancellationToken cancellationToken)
    {
        if (entityIds.Count == 0 && sourceId is null)
        {
            return new([], false);
        }

        // An id already found live under the current data version is live (entity:ID, source:ID).
        var keys = entityIds.Select(id => "entity:" + id).Concat(sourceId is null ? [] : ["source:" + sourceId]).ToList();
        var version = dataVersion is null ? (long?)null : (await dataVersion.GetAsync(cancellationToken)).DataVersion;
        var live = Volatile.Read(ref _live);
        if (version is not null && live is not null && live.DataVersion == version && keys.All(live.Ids.ContainsKey))
        {
            return new([], false);
        }

        await using var connection = await database.OpenReadAsync(cancellationToken);
        var missing = new List<string>();
        if (entityIds.Count > 0)
        {
            var known = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT id FROM entities WHERE id = ANY(@EntityIds) AND deleted_at IS NULL;",
                new { EntityIds = PostgresText.Comparable(entityIds) },
                cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
            missing.AddRange(entityIds.Where(id => !known.Contains(id)));
        }

        var sourceMissing = sourceId is not null && !(PostgresText.Comparable(sourceId) && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM sources WHERE id = @SourceId AND deleted_at IS NULL);",
            new { SourceId = sourceId },
            cancellationToken: cancellationToken)));
        if (version is not null && missing.Count == 0 && !sourceMissing)
        {
            if (live is null || live.DataVersion != version)
            {
                live = new LiveIds(version.Value, new(StringComparer.Ordinal));
                Volatile.Write(ref _live, live);
            }

            foreach (var key in keys.Where(_ => live.Ids.Count < LiveIdsKept))
            {
                live.Ids.TryAdd(key, true);
            }
        }

        return new(missing, sourceMissing);
    }
}

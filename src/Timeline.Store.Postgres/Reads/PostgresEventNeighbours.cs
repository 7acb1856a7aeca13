using Dapper;

namespace Timeline.Store.Postgres;

/// <summary>
/// The events near one on the timeline that share its entities (<see cref="IEventNeighbours"/>) on PostgreSQL: the events
/// whose days overlap the range (the GiST index of the days events cover, migration 0002) joined to their entities of the
/// list (event_entities' primary key), or the entities' events checked against the range, as the planner finds cheaper.
/// On the primary: the check warns about a write.
/// </summary>
public sealed class PostgresEventNeighbours(PostgresConnections database) : IEventNeighbours
{
    private const string Sql =
        """
        SELECT e.id, e.date, e.end_date, e.title, e.summary, json_agg(DISTINCT x.entity_id)::text AS shared
        FROM events e JOIN event_entities x ON x.event_id = e.id AND x.entity_id = ANY(@Entities)
        WHERE e.deleted_at IS NULL AND e.id <> @Exclude
          AND timeline_days(e.first_day, e.last_day) && daterange(CAST(@FirstDay AS date), CAST(@LastDay AS date), '[]')
        GROUP BY e.seq
        ORDER BY COUNT(DISTINCT x.entity_id) DESC, e.first_day COLLATE "C", e.date_precision, e.id COLLATE "C"
        LIMIT @Limit;
        """;

    public async Task<IReadOnlyList<DuplicateCandidate>> OverlappingAsync(
        DateOnly firstDay, DateOnly lastDay, IReadOnlyList<string> entityIds, string excludeId, int limit, CancellationToken cancellationToken)
    {
        if (!EventNeighbourQuery.Asks(entityIds, limit))
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, string Date, string? EndDate, string Title, string Summary, string Shared)>(new CommandDefinition(
            Sql, EventNeighbourQuery.Parameters(firstDay, lastDay, entityIds, excludeId, limit), cancellationToken: cancellationToken));
        return rows.Select(EventNeighbourQuery.Candidate).ToList();
    }
}

using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The events near one on the timeline that share its entities (<see cref="IEventNeighbours"/>), read from each
/// entity's events in timeline order (entity_timeline, keyed by entity and event number, with the last day beside the
/// number): the events that can overlap the range are those numbered from the first event that begins no earlier than
/// the range's first day less the longest event's span (the events_span index) to the last that begins by its last
/// day (two seeks into the timeline index), and of those each entity's rows say which last long enough. Only the
/// events found are read from the events table.
/// </summary>
public sealed class SqliteEventNeighbours(SqliteConnections database) : IEventNeighbours
{
    private const string Sql =
        """
        WITH bounds AS (
            SELECT COALESCE((SELECT b.seq FROM events b
                             WHERE b.deleted_at IS NULL
                               AND b.first_day >= date(@FirstDay, '-' || (SELECT COALESCE(CAST(MAX(julianday(s.last_day) - julianday(s.first_day)) AS INTEGER), 0)
                                                                         FROM events s WHERE s.deleted_at IS NULL) || ' days')
                             ORDER BY b.first_day, b.date_precision, b.id LIMIT 1), 9223372036854775807) AS lo,
                   COALESCE((SELECT b.seq FROM events b
                             WHERE b.deleted_at IS NULL AND b.first_day <= @LastDay
                             ORDER BY b.first_day DESC, b.date_precision DESC, b.id DESC LIMIT 1), -1) AS hi
        ),
        near AS (
            SELECT t.event_seq AS seq, json_group_array(t.entity_id) AS shared, COUNT(*) AS n
            FROM bounds JOIN entity_timeline t ON t.event_seq BETWEEN bounds.lo AND bounds.hi
            WHERE t.entity_id IN @Entities AND t.last_day >= @FirstDay
            GROUP BY t.event_seq
        )
        SELECT e.id, e.date, e.end_date, e.title, e.summary, near.shared
        FROM near JOIN events e ON e.seq = near.seq
        WHERE e.deleted_at IS NULL AND e.id <> @Exclude
        ORDER BY near.n DESC, near.seq
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

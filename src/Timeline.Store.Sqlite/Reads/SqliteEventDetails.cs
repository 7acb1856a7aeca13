using System.Data;
using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>One event in full (<see cref="IEventDetails"/>): one statement reads its row with its entities and citations.</summary>
public sealed class SqliteEventDetails(ReadSessions sessions) : IEventDetails
{
    /// <summary>One event with its tags, entities and citations; or its tombstone if deleted; or neither if unknown.</summary>
    public async Task<RecordLookup<EventDetail>> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var session = await sessions.RentAsync(cancellationToken);
        var parameters = new DynamicParameters();
        parameters.Add("id", id);
        return await session.QueryAsync(DetailSql, parameters, StoredEvents.ReadDetail, cancellationToken); // one statement: no transaction needed
    }

    /// <summary>
    /// The same, on the caller's connection and transaction (writes answer with the event as committed).
    /// </summary>
    public static async Task<RecordLookup<EventDetail>> GetAsync(IDbConnection connection, IDbTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(DetailSql, new { id }, transaction, cancellationToken: cancellationToken));
        return StoredEvents.ReadDetail((System.Data.Common.DbDataReader)reader);
    }

    /// <summary>One statement reads an event's row with its entities and citations as JSON arrays, in their order (the columns of <see cref="StoredEvents.DetailColumns"/>).</summary>
    private const string DetailSql =
        """
        SELECT e.id, e.date, e.date_precision, e.end_date, e.title, e.summary, e.category, e.caveats, e.tags,
               e.version, e.created_at, e.updated_at, e.deleted_at, e.deleted_by,
               (SELECT json_group_array(json_array(l.id, l.name, l.kind, l.role))
                FROM (SELECT n.id, n.name, n.kind, ee.role FROM event_entities ee JOIN entities n ON n.id = ee.entity_id
                      WHERE ee.event_id = e.id ORDER BY ee.ordinal) l) AS entities,
               (SELECT json_group_array(json_array(q.source_id, q.title, q.quote, q.start_offset, q.end_offset))
                FROM (SELECT c.source_id, s.title, c.quote, c.start_offset, c.end_offset FROM citations c JOIN sources s ON s.id = c.source_id
                      WHERE c.event_id = e.id ORDER BY c.ordinal) q) AS citations,
               e.refs,
               (SELECT json_group_array(f.former_id)
                FROM (SELECT former_id FROM former_ids WHERE resource = 'event' AND current_id = e.id ORDER BY ordinal, former_id) f) AS former_ids,
               (SELECT json_group_array(l.target_id)
                FROM (SELECT target_id FROM event_links WHERE event_id = e.id AND kind = 'related' ORDER BY ordinal) l) AS related,
               (SELECT target_id FROM event_links WHERE event_id = e.id AND kind = 'supersedes') AS supersedes,
               (SELECT json_group_array(i.event_id)
                FROM (SELECT DISTINCT l.event_id FROM event_links l JOIN events s ON s.id = l.event_id AND s.deleted_at IS NULL
                      WHERE l.kind = 'related' AND l.target_id IN (SELECT e.id UNION ALL SELECT former_id FROM former_ids WHERE resource = 'event' AND current_id = e.id)
                        AND l.event_id <> e.id
                      ORDER BY l.event_id) i) AS related_from,
               (SELECT json_group_array(i.event_id)
                FROM (SELECT DISTINCT l.event_id FROM event_links l JOIN events s ON s.id = l.event_id AND s.deleted_at IS NULL
                      WHERE l.kind = 'supersedes' AND l.target_id IN (SELECT e.id UNION ALL SELECT former_id FROM former_ids WHERE resource = 'event' AND current_id = e.id)
                        AND l.event_id <> e.id
                      ORDER BY l.event_id) i) AS superseded_by
        FROM events e WHERE e.id = @id;
        """;
}

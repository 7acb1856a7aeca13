using System.Data.Common;
using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>One event in full (<see cref="IEventDetails"/>) on PostgreSQL: one statement reads its row with its entities, citations and links.</summary>
public sealed class PostgresEventDetails(PostgresConnections database) : IEventDetails
{
    /// <summary>One event with its tags, entities and citations; or its tombstone if deleted; or neither if unknown.</summary>
    public async Task<RecordLookup<EventDetail>> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return await GetAsync(connection, null, id, cancellationToken); // one statement: one snapshot
    }

    /// <summary>The same, on the caller's connection and transaction (writes answer with the event as committed).</summary>
    public static async Task<RecordLookup<EventDetail>> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(DetailSql, new { id }, transaction, cancellationToken: cancellationToken));
        return StoredEvents.ReadDetail((DbDataReader)reader);
    }

    /// <summary>One statement reads an event's row with its entities and citations as JSON arrays, in their order (the columns of <see cref="StoredEvents.DetailColumns"/>).</summary>
    private const string DetailSql =
        """
        SELECT e.id, e.date, e.date_precision::bigint, e.end_date, e.title, e.summary, e.category, e.caveats, e.tags,
               e.version, e.created_at, e.updated_at, e.deleted_at, e.deleted_by,
               (SELECT COALESCE(json_agg(json_build_array(n.id, n.name, n.kind, ee.role) ORDER BY ee.ordinal), '[]')::text
                FROM event_entities ee JOIN entities n ON n.id = ee.entity_id
                WHERE ee.event_id = e.id) AS entities,
               (SELECT COALESCE(json_agg(json_build_array(c.source_id, s.title, c.quote, c.start_offset, c.end_offset) ORDER BY c.ordinal), '[]')::text
                FROM citations c JOIN sources s ON s.id = c.source_id
                WHERE c.event_id = e.id) AS citations,
               e.refs,
               (SELECT COALESCE(json_agg(f.former_id ORDER BY f.ordinal, f.former_id COLLATE "C"), '[]')::text
                FROM former_ids f WHERE f.resource = 'event' AND f.current_id = e.id) AS former_ids,
               (SELECT COALESCE(json_agg(l.target_id ORDER BY l.ordinal), '[]')::text
                FROM event_links l WHERE l.event_id = e.id AND l.kind = 'related') AS related,
               (SELECT l.target_id FROM event_links l WHERE l.event_id = e.id AND l.kind = 'supersedes' LIMIT 1) AS supersedes,
               (SELECT COALESCE(json_agg(i.event_id ORDER BY i.event_id COLLATE "C"), '[]')::text
                FROM (SELECT DISTINCT l.event_id FROM event_links l JOIN events s ON s.id = l.event_id AND s.deleted_at IS NULL
                      WHERE l.kind = 'related' AND l.event_id <> e.id
                        AND (l.target_id = e.id OR l.target_id IN (SELECT former_id FROM former_ids WHERE resource = 'event' AND current_id = e.id))) i) AS related_from,
               (SELECT COALESCE(json_agg(i.event_id ORDER BY i.event_id COLLATE "C"), '[]')::text
                FROM (SELECT DISTINCT l.event_id FROM event_links l JOIN events s ON s.id = l.event_id AND s.deleted_at IS NULL
                      WHERE l.kind = 'supersedes' AND l.event_id <> e.id
                        AND (l.target_id = e.id OR l.target_id IN (SELECT former_id FROM former_ids WHERE resource = 'event' AND current_id = e.id))) i) AS superseded_by
        FROM events e WHERE e.id = @id;
        """;
}

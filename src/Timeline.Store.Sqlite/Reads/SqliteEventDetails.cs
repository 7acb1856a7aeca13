using System.Data;
using System.Text.Json;
using Dapper;
using Timeline.Model.Dates;

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
        return await session.QueryAsync(DetailSql, parameters, ReadDetail, cancellationToken); // one statement: no transaction needed
    }

    /// <summary>
    /// The same, on the caller's connection and transaction (writes answer with the event as committed).
    /// </summary>
    public static async Task<RecordLookup<EventDetail>> GetAsync(IDbConnection connection, IDbTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(DetailSql, new { id }, transaction, cancellationToken: cancellationToken));
        return ReadDetail((System.Data.Common.DbDataReader)reader);
    }

    /// <summary>One statement reads an event's row with its entities and citations as JSON arrays, in their order.</summary>
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

    /// <summary>The event <see cref="DetailSql"/> read, or its tombstone, or neither.</summary>
    private static RecordLookup<EventDetail> ReadDetail(System.Data.Common.DbDataReader reader)
    {
        if (!reader.Read())
        {
            return default;
        }

        var version = reader.GetInt64(9);
        if (!reader.IsDBNull(12))
        {
            return new(null, new Tombstone(reader.GetString(12), reader.IsDBNull(13) ? string.Empty : reader.GetString(13), version));
        }

        return new(new EventDetail(
            reader.GetString(0),
            reader.GetString(1),
            PartialDate.PrecisionName((DatePrecision)reader.GetInt64(2)),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetString(4),
            reader.GetString(5),
            reader.GetString(6),
            EventRows.ReadList(reader.GetString(8)),
            EventRows.ReadList(reader.GetString(7)),
            ReadArrays(reader.GetString(14), a => new EventEntity(a[0].GetString()!, a[1].GetString()!, a[2].GetString()!, a[3].GetString()!)),
            ReadArrays(reader.GetString(15), a => new EventCitation(a[0].GetString()!, a[1].GetString()!, a[2].GetString()!, a[3].GetInt64(), a[4].GetInt64())),
            version,
            reader.GetString(10),
            reader.GetString(11))
        {
            References = ReadReferences(reader.GetString(16)),
            FormerIds = EventRows.ReadList(reader.GetString(17)),
            Related = EventRows.ReadList(reader.GetString(18)),
            Supersedes = reader.IsDBNull(19) ? null : reader.GetString(19),
            RelatedFrom = EventRows.ReadList(reader.GetString(20)),
            SupersededBy = EventRows.ReadList(reader.GetString(21)),
        }, null);
    }

    /// <summary>The references as the events table keeps them (a JSON array in the dataset format), as the API shows them.</summary>
    public static IReadOnlyList<EventReference> ReadReferences(string json) =>
        json == "[]"
            ? []
            : (Documents.Deserialize<List<ReferenceDocument>>(json) ?? [])
                .Select(r => new EventReference(r.Title!, r.Publisher!, r.Date!, r.Url, r.Citation, r.DocumentNumber, r.Supports!))
                .ToList();

    /// <summary>A JSON array of arrays (as json_group_array(json_array(...)) builds it), one item per inner array.</summary>
    private static List<T> ReadArrays<T>(string json, Func<JsonElement, T> item)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(item).ToList();
    }
}

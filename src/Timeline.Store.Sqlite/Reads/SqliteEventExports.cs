using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Export reading (<see cref="IEventExports"/>): the events of a filter in batches from one snapshot, each batch enriched
/// with its entities, citations and timestamps by one statement each.
/// </summary>
public sealed class SqliteEventExports(ReadSessions sessions) : IEventExports
{
    /// <summary>
    /// Every event matching the filter with what the exports need besides the summary (entities,
    /// citations, timestamps), read in batches of 500 with one query per batch for each, so memory stays
    /// flat however large the export.
    /// </summary>
    public async IAsyncEnumerable<ExportEvent> StreamAsync(EventFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One read transaction for the whole export: every batch comes from the same snapshot of the store.
        await using var session = await sessions.RentAsync(cancellationToken);
        session.BeginSnapshot();
        var paged = filter with { Limit = 500 };
        var match = filter.Search is null ? null : Fts5Match.Render(filter.Search);
        TimelinePosition? after = null;
        do
        {
            var (rows, next) = await EventPagePlanner.ReadPageAsync(session, paged, match, after, EventRows.SummaryColumns, EventRows.ReadSummaryRows, cancellationToken);
            foreach (var item in await EnrichAsync(session, EventRows.Summaries(rows), cancellationToken))
            {
                yield return item;
            }

            after = next;
        }
        while (after is not null);
    }

    /// <summary>The most recently changed events matching the filter, newest change first (the Atom feed).</summary>
    public async Task<IReadOnlyList<ExportEvent>> RecentlyChangedAsync(EventFilter filter, int count, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        parameters.Add("Take", count);
        var where = EventFilterSql.Build(filter, parameters);
        var sql = new StringBuilder(EventRows.SummaryColumns).Append("\nFROM events e");
        EventFilterSql.Append(sql, where);
        sql.Append("\nORDER BY e.updated_at DESC, e.id DESC\nLIMIT @Take;");

        await using var session = await sessions.RentAsync(cancellationToken);
        session.BeginSnapshot();
        var rows = await session.QueryAsync(sql.ToString(), parameters, EventRows.ReadSummaryRows, cancellationToken);
        return await EnrichAsync(session, EventRows.Summaries(rows), cancellationToken);
    }

    private static async Task<List<ExportEvent>> EnrichAsync(ReadSession session, List<EventSummary> events, CancellationToken cancellationToken)
    {
        // Inside the session's snapshot when it has begun one: Dapper's commands name no transaction and run in the connection's.
        var connection = session.Connection;
        if (events.Count == 0)
        {
            return [];
        }

        // One JSON parameter for the batch's ids: the same statement text whatever the batch's size.
        var ids = JsonSerializer.Serialize(events.Select(e => e.Id));
        var links = (await connection.QueryAsync<(string EventId, string EntityId, string Role)>(new CommandDefinition(
            "SELECT event_id, entity_id, role FROM event_entities WHERE event_id IN (SELECT value FROM json_each(@ids)) ORDER BY event_id, ordinal;",
            new { ids },
            cancellationToken: cancellationToken))).ToLookup(r => r.EventId);
        var citations = (await connection.QueryAsync<StoredEvents.ExportCitation>(new CommandDefinition(
            """
            SELECT c.event_id AS EventId, c.source_id AS SourceId, s.title AS SourceTitle, c.quote AS Quote, c.start_offset AS StartOffset, c.end_offset AS EndOffset
            FROM citations c JOIN sources s ON s.id = c.source_id
            WHERE c.event_id IN (SELECT value FROM json_each(@ids))
            ORDER BY c.event_id, c.ordinal;
            """,
            new { ids },
            cancellationToken: cancellationToken))).ToLookup(r => r.EventId);
        var stamps = (await connection.QueryAsync<StoredEvents.ExportStamp>(new CommandDefinition(
            "SELECT id AS Id, created_at AS CreatedAt, updated_at AS UpdatedAt, refs AS Refs, version AS Version FROM events WHERE id IN (SELECT value FROM json_each(@ids));",
            new { ids },
            cancellationToken: cancellationToken))).ToDictionary(r => r.Id);
        return StoredEvents.Exported(events, links, citations, stamps);
    }
}

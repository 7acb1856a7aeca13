using System.Data;
using System.Runtime.CompilerServices;
using System.Text;
using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// Export reading (<see cref="IEventExports"/>) on PostgreSQL: the events of a filter in keyset batches from one snapshot
/// (a repeatable-read, read-only transaction), each batch enriched with its entities, citations and timestamps by one
/// statement each, so memory stays flat however large the export.
/// </summary>
public sealed class PostgresEventExports(PostgresConnections database) : IEventExports
{
    private const int BatchSize = 500;

    public async IAsyncEnumerable<ExportEvent> StreamAsync(EventFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var snapshot = await BeginSnapshotAsync(connection, cancellationToken);
        var paged = filter with { Limit = BatchSize };
        TimelinePosition? after = null;
        do
        {
            var (rows, next) = await PostgresPagePlanner.ReadPageAsync(connection, paged, after, PostgresPageContent.Summary, cancellationToken);
            var events = rows.Select(r => r.Snippet is null ? r.Summary! : r.Summary! with { Snippet = r.Snippet }).ToList();
            foreach (var item in await EnrichAsync(connection, events, cancellationToken))
            {
                yield return item;
            }

            after = next;
        }
        while (after is not null);

        await snapshot.CommitAsync(cancellationToken);
    }

    /// <summary>The most recently changed events matching the filter, newest change first (the Atom feed).</summary>
    public async Task<IReadOnlyList<ExportEvent>> RecentlyChangedAsync(EventFilter filter, int count, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        parameters.Add("Take", count);
        var where = PostgresEventFilterSql.Build(filter, parameters);
        var sql = new StringBuilder("SELECT e.id, e.date, e.date_precision::bigint, e.end_date, e.title, e.summary, e.category, e.tags, e.caveats\nFROM events e");
        PostgresEventFilterSql.Append(sql, where);
        sql.Append("\nORDER BY e.updated_at COLLATE \"C\" DESC, e.id COLLATE \"C\" DESC\nLIMIT @Take;");

        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var snapshot = await BeginSnapshotAsync(connection, cancellationToken);
        var rows = await connection.QueryAsync<(string Id, string Date, long DatePrecision, string? EndDate, string Title, string Summary, string Category, string Tags, string Caveats)>(
            new CommandDefinition(sql.ToString(), parameters, cancellationToken: cancellationToken));
        var events = rows.Select(r => StoredEvents.Summary(r.Id, r.Date, r.DatePrecision, r.EndDate, r.Title, r.Summary, r.Category, r.Tags, r.Caveats, null)).ToList();
        var exported = await EnrichAsync(connection, events, cancellationToken);
        await snapshot.CommitAsync(cancellationToken);
        return exported;
    }

    /// <summary>A repeatable-read, read-only transaction: every statement of an export sees the same snapshot.</summary>
    private static async Task<NpgsqlTransaction> BeginSnapshotAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY;", transaction: transaction, cancellationToken: cancellationToken));
        return transaction;
    }

    private static async Task<List<ExportEvent>> EnrichAsync(NpgsqlConnection connection, List<EventSummary> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var ids = events.Select(e => e.Id).ToArray();
        var links = (await connection.QueryAsync<(string EventId, string EntityId, string Role)>(new CommandDefinition(
            "SELECT event_id, entity_id, role FROM event_entities WHERE event_id = ANY(@ids) ORDER BY event_id, ordinal;",
            new { ids },
            cancellationToken: cancellationToken))).ToLookup(r => r.EventId);
        var citations = (await connection.QueryAsync<StoredEvents.ExportCitation>(new CommandDefinition(
            """
            SELECT c.event_id AS EventId, c.source_id AS SourceId, s.title AS SourceTitle, c.quote AS Quote,
                   c.start_offset::bigint AS StartOffset, c.end_offset::bigint AS EndOffset
            FROM citations c JOIN sources s ON s.id = c.source_id
            WHERE c.event_id = ANY(@ids)
            ORDER BY c.event_id, c.ordinal;
            """,
            new { ids },
            cancellationToken: cancellationToken))).ToLookup(r => r.EventId);
        var stamps = (await connection.QueryAsync<StoredEvents.ExportStamp>(new CommandDefinition(
            "SELECT id AS Id, created_at AS CreatedAt, updated_at AS UpdatedAt, refs AS Refs, version AS Version FROM events WHERE id = ANY(@ids);",
            new { ids },
            cancellationToken: cancellationToken))).ToDictionary(r => r.Id);
        return StoredEvents.Exported(events, links, citations, stamps);
    }
}

using System.Data;
using System.Text;
using System.Text.Json;
using Dapper;
using Timeline.Api.Dates;
using Timeline.Api.Paging;
using Timeline.Api.Storage;

namespace Timeline.Api.Events;

/// <summary>The SQL behind the event endpoints: keyset pages in the timeline's total order, and one event in full.</summary>
public sealed class EventQueries(Database database)
{
    private sealed class EventRow
    {
        public string Id { get; init; } = string.Empty;

        public string Date { get; init; } = string.Empty;

        public long DatePrecision { get; init; }

        public string? EndDate { get; init; }

        public string FirstDay { get; init; } = string.Empty;

        public string Title { get; init; } = string.Empty;

        public string Summary { get; init; } = string.Empty;

        public string Category { get; init; } = string.Empty;

        public string Caveats { get; init; } = string.Empty;
    }

    private sealed class LinkRow
    {
        public string Id { get; init; } = string.Empty;

        public string Name { get; init; } = string.Empty;

        public string Kind { get; init; } = string.Empty;

        public string Role { get; init; } = string.Empty;
    }

    private sealed class CitationRow
    {
        public string SourceId { get; init; } = string.Empty;

        public string SourceTitle { get; init; } = string.Empty;

        public string Quote { get; init; } = string.Empty;

        public long StartOffset { get; init; }

        public long EndOffset { get; init; }
    }

    private sealed class TagRow
    {
        public string EventId { get; init; } = string.Empty;

        public string Tag { get; init; } = string.Empty;
    }

    private sealed class DetailRow
    {
        public string Id { get; init; } = string.Empty;

        public string Date { get; init; } = string.Empty;

        public long DatePrecision { get; init; }

        public string? EndDate { get; init; }

        public string FirstDay { get; init; } = string.Empty;

        public string Title { get; init; } = string.Empty;

        public string Summary { get; init; } = string.Empty;

        public string Category { get; init; } = string.Empty;

        public string Caveats { get; init; } = string.Empty;

        public long Version { get; init; }

        public string CreatedAt { get; init; } = string.Empty;

        public string UpdatedAt { get; init; } = string.Empty;
    }

    /// <summary>
    /// Up to <c>filter.Limit + 1</c> events after <paramref name="after"/>; the extra row tells whether
    /// a next page exists. Returns the page and the position of its last item when there is more.
    /// </summary>
    public async Task<(IReadOnlyList<EventSummary> Items, TimelinePosition? Next)> ListAsync(
        EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        var where = EventWhere.Build(filter, parameters);
        if (after is not null)
        {
            where.Add(filter.Descending
                ? "(e.first_day, e.date_precision, e.id) < (@AfterDay, @AfterPrecision, @AfterId)"
                : "(e.first_day, e.date_precision, e.id) > (@AfterDay, @AfterPrecision, @AfterId)");
            parameters.Add("AfterDay", after.FirstDay);
            parameters.Add("AfterPrecision", after.Precision);
            parameters.Add("AfterId", after.Id);
        }

        parameters.Add("Take", filter.Limit + 1);
        var direction = filter.Descending ? "DESC" : "ASC";
        var sql = new StringBuilder(
            """
            SELECT e.id, e.date, e.date_precision, e.end_date, e.first_day, e.title, e.summary, e.category, e.caveats
            FROM events e
            """);
        EventWhere.Append(sql, where);
        sql.Append($"\nORDER BY e.first_day {direction}, e.date_precision {direction}, e.id {direction}\nLIMIT @Take;");

        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<EventRow>(new CommandDefinition(sql.ToString(), parameters, cancellationToken: cancellationToken))).AsList();
        var hasMore = rows.Count > filter.Limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var tags = await TagsAsync(connection, rows.Select(r => r.Id).ToArray(), cancellationToken);
        var items = rows.Select(r => new EventSummary(
            r.Id,
            r.Date,
            PartialDate.PrecisionName((DatePrecision)r.DatePrecision),
            r.EndDate,
            r.Title,
            r.Summary,
            r.Category,
            tags.TryGetValue(r.Id, out var t) ? t : [],
            ReadList(r.Caveats))).ToList();

        var next = hasMore ? new TimelinePosition(rows[^1].FirstDay, (int)rows[^1].DatePrecision, rows[^1].Id) : null;
        return (items, next);
    }

    /// <summary>One event with its tags, entities and citations, or null.</summary>
    public async Task<EventDetail?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<DetailRow>(new CommandDefinition(
            """
            SELECT id, date, date_precision, end_date, first_day, title, summary, category, caveats, version, created_at, updated_at
            FROM events WHERE id = @id;
            """,
            new { id },
            cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var tags = await TagsAsync(connection, [id], cancellationToken);
        var entities = await connection.QueryAsync<LinkRow>(new CommandDefinition(
            """
            SELECT n.id, n.name, n.kind, ee.role
            FROM event_entities ee JOIN entities n ON n.id = ee.entity_id
            WHERE ee.event_id = @id
            ORDER BY ee.ordinal;
            """,
            new { id },
            cancellationToken: cancellationToken));
        var citations = await connection.QueryAsync<CitationRow>(new CommandDefinition(
            """
            SELECT c.source_id AS SourceId, s.title AS SourceTitle, c.quote, c.start_offset AS StartOffset, c.end_offset AS EndOffset
            FROM citations c JOIN sources s ON s.id = c.source_id
            WHERE c.event_id = @id
            ORDER BY c.ordinal;
            """,
            new { id },
            cancellationToken: cancellationToken));

        return new EventDetail(
            row.Id,
            row.Date,
            PartialDate.PrecisionName((DatePrecision)row.DatePrecision),
            row.EndDate,
            row.Title,
            row.Summary,
            row.Category,
            tags.TryGetValue(id, out var t) ? t : [],
            ReadList(row.Caveats),
            entities.Select(e => new EventEntity(e.Id, e.Name, e.Kind, e.Role)).ToList(),
            citations.Select(c => new EventCitation(c.SourceId, c.SourceTitle, c.Quote, c.StartOffset, c.EndOffset)).ToList(),
            row.Version,
            row.CreatedAt,
            row.UpdatedAt);
    }

    /// <summary>Which of the given entity ids and source id the store does not hold.</summary>
    public async Task<(IReadOnlyList<string> Entities, bool SourceMissing)> MissingReferencesAsync(
        IReadOnlyList<string> entityIds, string? sourceId, CancellationToken cancellationToken)
    {
        if (entityIds.Count == 0 && sourceId is null)
        {
            return ([], false);
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var missing = new List<string>();
        if (entityIds.Count > 0)
        {
            var known = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT id FROM entities WHERE id IN @entityIds;", new { entityIds }, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
            missing.AddRange(entityIds.Where(id => !known.Contains(id)));
        }

        var sourceMissing = sourceId is not null && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sources WHERE id = @sourceId;", new { sourceId }, cancellationToken: cancellationToken)) == 0;
        return (missing, sourceMissing);
    }

    private static async Task<Dictionary<string, IReadOnlyList<string>>> TagsAsync(IDbConnection connection, string[] ids, CancellationToken cancellationToken)
    {
        if (ids.Length == 0)
        {
            return [];
        }

        var rows = await connection.QueryAsync<TagRow>(new CommandDefinition(
            "SELECT event_id AS EventId, tag FROM event_tags WHERE event_id IN @ids ORDER BY event_id, tag;",
            new { ids },
            cancellationToken: cancellationToken));
        return rows.GroupBy(r => r.EventId).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Tag).ToList());
    }

    private static List<string> ReadList(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];
}

/// <summary>
/// The WHERE clause of the one filter model, shared by every query over events. Only fixed SQL fragments
/// are added; every value goes in as a parameter.
/// </summary>
public static class EventWhere
{
    public static List<string> Build(EventFilter filter, DynamicParameters parameters)
    {
        var where = new List<string>();
        if (filter.From is { } from)
        {
            where.Add("e.last_day >= @FromDay");
            parameters.Add("FromDay", PartialDate.FormatDay(from.FirstDay));
        }

        if (filter.To is { } to)
        {
            where.Add("e.first_day <= @ToDay");
            parameters.Add("ToDay", PartialDate.FormatDay(to.LastDay));
        }

        if (filter.Categories.Count > 0)
        {
            where.Add("e.category IN @Categories");
            parameters.Add("Categories", filter.Categories);
        }

        if (filter.Entities.Count > 0)
        {
            where.Add("EXISTS (SELECT 1 FROM event_entities fe WHERE fe.event_id = e.id AND fe.entity_id IN @Entities)");
            parameters.Add("Entities", filter.Entities);
        }

        if (filter.Tags.Count > 0)
        {
            where.Add("EXISTS (SELECT 1 FROM event_tags ft WHERE ft.event_id = e.id AND ft.tag IN @Tags)");
            parameters.Add("Tags", filter.Tags);
        }

        if (filter.Source is not null)
        {
            where.Add("EXISTS (SELECT 1 FROM citations fc WHERE fc.event_id = e.id AND fc.source_id = @Source)");
            parameters.Add("Source", filter.Source);
        }

        if (filter.ScopeEntity is not null)
        {
            where.Add("EXISTS (SELECT 1 FROM event_entities se WHERE se.event_id = e.id AND se.entity_id = @ScopeEntity)");
            parameters.Add("ScopeEntity", filter.ScopeEntity);
        }

        if (filter.ScopeSource is not null)
        {
            where.Add("EXISTS (SELECT 1 FROM citations sc WHERE sc.event_id = e.id AND sc.source_id = @ScopeSource)");
            parameters.Add("ScopeSource", filter.ScopeSource);
        }

        return where;
    }

    public static void Append(StringBuilder sql, List<string> where)
    {
        if (where.Count > 0)
        {
            sql.Append("\nWHERE ").AppendJoin("\n  AND ", where);
        }
    }
}

using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dapper;
using Timeline.Api.Dates;
using Timeline.Api.Paging;
using Timeline.Api.Search;
using Timeline.Api.Storage;

namespace Timeline.Api.Events;

/// <summary>The SQL behind the event endpoints: keyset pages in the timeline's total order, and one event in full.</summary>
public sealed class EventQueries(Database database)
{
    private sealed class ExportLinkRow
    {
        public string EventId { get; init; } = string.Empty;

        public string EntityId { get; init; } = string.Empty;

        public string Role { get; init; } = string.Empty;
    }

    /// <summary>A citation as read for a batch of events (exports).</summary>
    private sealed class ExportCitationRow
    {
        public string EventId { get; init; } = string.Empty;

        public string SourceId { get; init; } = string.Empty;

        public string SourceTitle { get; init; } = string.Empty;

        public string Quote { get; init; } = string.Empty;

        public long StartOffset { get; init; }

        public long EndOffset { get; init; }
    }

    private sealed class StampRow
    {
        public string Id { get; init; } = string.Empty;

        public string CreatedAt { get; init; } = string.Empty;

        public string UpdatedAt { get; init; } = string.Empty;
    }

    private sealed class SnippetRow
    {
        public long Seq { get; init; }

        public string Snippet { get; init; } = string.Empty;
    }

    /// <summary>The columns of an event's row that every read of it shows.</summary>
    private abstract class EventColumns
    {
        public string Id { get; init; } = string.Empty;

        public string Date { get; init; } = string.Empty;

        public long DatePrecision { get; init; }

        public string? EndDate { get; init; }

        public string Title { get; init; } = string.Empty;

        public string Summary { get; init; } = string.Empty;

        public string Category { get; init; } = string.Empty;

        public string Caveats { get; init; } = string.Empty;

        /// <summary>The event's tags, sorted, as a JSON array (the events table's copy of event_tags).</summary>
        public string Tags { get; init; } = "[]";
    }

    /// <summary>An event in a list: its number (for snippets), its first day (for the cursor) and its relevance.</summary>
    private sealed class EventRow : EventColumns
    {
        public long Seq { get; init; }

        public double? Score { get; init; }

        public string FirstDay { get; init; } = string.Empty;
    }

    /// <summary>One event in full: entities and citations as JSON arrays, its version, stamps and tombstone.</summary>
    private sealed class DetailRow : EventColumns
    {
        public string Entities { get; init; } = "[]";

        public string Citations { get; init; } = "[]";

        public long Version { get; init; }

        public string CreatedAt { get; init; } = string.Empty;

        public string UpdatedAt { get; init; } = string.Empty;

        public string? DeletedAt { get; init; }

        public string? DeletedBy { get; init; }
    }

    /// <summary>The relevance of a full-text match: BM25 with title, summary, tags and quotes weighted 10, 4, 3, 2 (lower is better).</summary>
    private const string Score = "bm25(events_fts, 10.0, 4.0, 3.0, 2.0)";

    /// <summary>
    /// Up to <c>filter.Limit + 1</c> events after <paramref name="after"/>; the extra row tells whether
    /// a next page exists. Returns the page and the position of its last item when there is more.
    /// </summary>
    public async Task<(IReadOnlyList<EventSummary> Items, TimelinePosition? Next)> ListAsync(
        EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (filter.Match is null)
        {
            // One statement (tags come in the page's own rows): consistent by itself, no transaction needed.
            return await ListAsync(connection, null, filter, after, cancellationToken);
        }

        await using var snapshot = connection.BeginTransaction(deferred: true);
        return await ListAsync(connection, snapshot, filter, after, cancellationToken);
    }

    /// <summary>The same within the caller's read transaction, so that rows, tags and snippets come from one snapshot.</summary>
    private static async Task<(IReadOnlyList<EventSummary> Items, TimelinePosition? Next)> ListAsync(
        IDbConnection connection, IDbTransaction? snapshot, EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        parameters.Add("Take", filter.Limit + 1);
        var sql = filter.Order == EventOrder.Relevance
            ? RelevanceSql(filter, after, parameters)
            : TimelineSql(filter, after, parameters);

        var rows = (await connection.QueryAsync<EventRow>(new CommandDefinition(sql, parameters, snapshot, cancellationToken: cancellationToken))).AsList();
        var hasMore = rows.Count > filter.Limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var items = await SummariesAsync(connection, snapshot, rows, filter.Match, cancellationToken);
        TimelinePosition? next = null;
        if (hasMore)
        {
            var last = rows[^1];
            next = new TimelinePosition(last.FirstDay, (int)last.DatePrecision, last.Id, filter.Order == EventOrder.Relevance ? last.Score : null);
        }

        return (items, next);
    }


    private const string ListColumns =
        "SELECT e.seq, e.id, e.date, e.date_precision, e.end_date, e.first_day, e.title, e.summary, e.category, e.caveats, e.tags";

    /// <summary>
    /// A page in timeline order. Events are numbered in timeline order (Storage/TimelineOrder.cs), so a search
    /// or one entity's events are read from their own index in that order, bounded by the dates and the cursor,
    /// and stop at the page's end; everything else walks the timeline index.
    /// </summary>
    private static string TimelineSql(EventFilter filter, TimelinePosition? after, DynamicParameters parameters)
    {
        var direction = filter.Descending ? "DESC" : "ASC";
        var drivingEntity = filter.Match is null ? filter.ScopeEntity ?? (filter.Entities.Count == 1 ? filter.Entities[0] : null) : null;
        List<string> where;
        string from, order;
        if (filter.Match is not null)
        {
            where = EventWhere.Build(filter with { Match = null }, parameters);
            where.Insert(0, "events_fts MATCH @Match");
            parameters.Add("Match", filter.Match);
            where.InsertRange(1, EventWhere.SeqBounds("events_fts.rowid", filter, after));
            from = "events_fts CROSS JOIN events e ON e.seq = events_fts.rowid";
            order = $"events_fts.rowid {direction}";
        }
        else if (drivingEntity is not null)
        {
            // The entity's own timeline; a second entity filter (any of several) stays a condition on each row.
            where = EventWhere.Build(
                filter.ScopeEntity is null ? filter with { Entities = [] } : filter with { ScopeEntity = null },
                parameters);
            where.Insert(0, "x.entity_id = @DrivingEntity");
            parameters.Add("DrivingEntity", drivingEntity);
            where.InsertRange(1, EventWhere.SeqBounds("x.event_seq", filter, after));
            from = "entity_timeline x CROSS JOIN events e ON e.seq = x.event_seq";
            order = $"x.event_seq {direction}";
        }
        else
        {
            where = EventWhere.Build(filter, parameters);
            from = "events e";
            order = $"e.first_day {direction}, e.date_precision {direction}, e.id {direction}";
        }

        if (after is not null)
        {
            where.Add(filter.Descending
                ? "(e.first_day, e.date_precision, e.id) < (@AfterDay, @AfterPrecision, @AfterId)"
                : "(e.first_day, e.date_precision, e.id) > (@AfterDay, @AfterPrecision, @AfterId)");
            EventWhere.AddCursor(parameters, after);
        }

        var sql = new StringBuilder(ListColumns).Append("\nFROM ").Append(from);
        EventWhere.Append(sql, where);
        sql.Append(CultureInfo.InvariantCulture, $"\nORDER BY {order}\nLIMIT @Take;");
        return sql.ToString();
    }

    private static string RelevanceSql(EventFilter filter, TimelinePosition? after, DynamicParameters parameters)
    {
        // Ranked inside SQLite, ties in timeline order (by number), and only the page's rows are read after the limit.
        // Deleted events are not in the search index, so unless a filter needs each match's row (category, entity,
        // tag, source), the ranking reads the search index alone, with the dates as bounds on the numbers.
        var where = EventWhere.Build(filter with { Match = null }, parameters);
        parameters.Add("Match", filter.Match);
        string from, seq;
        if (filter.Categories.Count > 0 || (filter with { Match = null }).NarrowsBeyondDatesAndCategories)
        {
            from = "events_fts JOIN events e ON e.seq = events_fts.rowid";
            seq = "e.seq";
        }
        else
        {
            where = [];
            if (filter.From is not null)
            {
                where.Add(EventWhere.ReachesFrom("events_fts.rowid"));
            }

            from = "events_fts";
            seq = "events_fts.rowid";
        }

        where.Insert(0, "events_fts MATCH @Match");
        where.InsertRange(1, EventWhere.SeqBounds("events_fts.rowid", filter, null));
        var sql = new StringBuilder($"WITH matches AS (\n    SELECT {seq} AS seq, {Score} AS score\n    FROM {from}");
        EventWhere.Append(sql, where);
        sql.Append("\n),\npage AS (\n    SELECT seq, score FROM matches");
        if (after is not null)
        {
            // Ties continue after the cursor's place on the timeline (the last live event at or before it), not after
            // its event's current number: that event may have moved or gone since the page was read.
            sql.Append(CultureInfo.InvariantCulture, $"\n    WHERE (score, seq) > (@AfterScore, {EventWhere.CursorNumber})");
            parameters.Add("AfterScore", after.Score ?? double.MinValue);
            EventWhere.AddCursor(parameters, after);
        }

        sql.Append(
            $"""

                ORDER BY score, seq
                LIMIT @Take
            )
            {ListColumns}, page.score
            FROM page CROSS JOIN events e ON e.seq = page.seq
            ORDER BY page.score, page.seq;
            """);
        return sql.ToString();
    }

    private static async Task<List<EventSummary>> SummariesAsync(IDbConnection connection, IDbTransaction? snapshot, List<EventRow> rows, string? match, CancellationToken cancellationToken)
    {
        var snippets = match is null || rows.Count == 0
            ? []
            : await SnippetsAsync(connection, snapshot, match, rows.Select(r => r.Seq).ToArray(), cancellationToken);
        return rows.Select(r => new EventSummary(
            r.Id,
            r.Date,
            PartialDate.PrecisionName((DatePrecision)r.DatePrecision),
            r.EndDate,
            r.Title,
            r.Summary,
            r.Category,
            ReadList(r.Tags),
            ReadList(r.Caveats))
        {
            Snippet = snippets.GetValueOrDefault(r.Seq),
        }).ToList();
    }

    private static async Task<Dictionary<long, string>> SnippetsAsync(IDbConnection connection, IDbTransaction? snapshot, string match, long[] seqs, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<SnippetRow>(new CommandDefinition(
            $"""
            SELECT rowid AS seq, snippet(events_fts, -1, '{Snippets.Open}', '{Snippets.Close}', '…', 16) AS snippet
            FROM events_fts
            WHERE events_fts MATCH @match AND rowid IN @seqs;
            """,
            new { match, seqs },
            snapshot,
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Seq, r => Snippets.ToHtml(r.Snippet));
    }

    /// <summary>
    /// Every event matching the filter with what the exports need besides the summary (entities,
    /// citations, timestamps), read in batches of 500 with one query per batch for each, so memory stays
    /// flat however large the export.
    /// </summary>
    public async IAsyncEnumerable<ExportEvent> StreamForExportAsync(EventFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One read transaction for the whole export: every batch comes from the same snapshot of the store.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var paged = filter with { Limit = 500 };
        TimelinePosition? after = null;
        do
        {
            var (items, next) = await ListAsync(connection, snapshot, paged, after, cancellationToken);
            foreach (var item in await EnrichAsync(connection, snapshot, items, cancellationToken))
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
        var where = EventWhere.Build(filter, parameters);
        var sql = new StringBuilder(ListColumns).Append("\nFROM events e");
        EventWhere.Append(sql, where);
        sql.Append("\nORDER BY e.updated_at DESC, e.id DESC\nLIMIT @Take;");

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var rows = (await connection.QueryAsync<EventRow>(new CommandDefinition(sql.ToString(), parameters, snapshot, cancellationToken: cancellationToken))).AsList();
        var summaries = await SummariesAsync(connection, snapshot, rows, null, cancellationToken);
        return await EnrichAsync(connection, snapshot, summaries, cancellationToken);
    }

    private static async Task<List<ExportEvent>> EnrichAsync(IDbConnection connection, IDbTransaction snapshot, IReadOnlyList<EventSummary> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        // One JSON parameter for the batch's ids: the same statement text whatever the batch's size.
        var ids = JsonSerializer.Serialize(events.Select(e => e.Id));
        var links = (await connection.QueryAsync<ExportLinkRow>(new CommandDefinition(
            "SELECT event_id AS EventId, entity_id AS EntityId, role FROM event_entities WHERE event_id IN (SELECT value FROM json_each(@ids)) ORDER BY event_id, ordinal;",
            new { ids },
            snapshot,
            cancellationToken: cancellationToken))).ToLookup(r => r.EventId);
        var citations = (await connection.QueryAsync<ExportCitationRow>(new CommandDefinition(
            """
            SELECT c.event_id AS EventId, c.source_id AS SourceId, s.title AS SourceTitle, c.quote, c.start_offset AS StartOffset, c.end_offset AS EndOffset
            FROM citations c JOIN sources s ON s.id = c.source_id
            WHERE c.event_id IN (SELECT value FROM json_each(@ids))
            ORDER BY c.event_id, c.ordinal;
            """,
            new { ids },
            snapshot,
            cancellationToken: cancellationToken))).ToLookup(r => r.EventId);
        var stamps = (await connection.QueryAsync<StampRow>(new CommandDefinition(
            "SELECT id, created_at AS CreatedAt, updated_at AS UpdatedAt FROM events WHERE id IN (SELECT value FROM json_each(@ids));",
            new { ids },
            snapshot,
            cancellationToken: cancellationToken))).ToDictionary(r => r.Id);

        return events.Select(e => new ExportEvent(
            e,
            links[e.Id].Select(l => new ExportEntityLink(l.EntityId, l.Role)).ToList(),
            citations[e.Id].Select(c => new EventCitation(c.SourceId, c.SourceTitle, c.Quote, c.StartOffset, c.EndOffset)).ToList(),
            stamps[e.Id].CreatedAt,
            stamps[e.Id].UpdatedAt)).ToList();
    }

    /// <summary>One event with its tags, entities and citations; or its tombstone if deleted; or neither if unknown.</summary>
    public async Task<(EventDetail? Detail, Tombstone? Deleted)> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await GetAsync(connection, null, id, cancellationToken); // one statement: no transaction needed
    }

    /// <summary>
    /// The same, on the caller's connection and transaction (writes answer with the event as committed). One
    /// statement reads the row with its entities and citations as JSON arrays, in their order.
    /// </summary>
    public static async Task<(EventDetail? Detail, Tombstone? Deleted)> GetAsync(IDbConnection connection, IDbTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<DetailRow>(new CommandDefinition(
            """
            SELECT e.id, e.date, e.date_precision, e.end_date, e.title, e.summary, e.category, e.caveats, e.tags,
                   e.version, e.created_at, e.updated_at, e.deleted_at, e.deleted_by,
                   (SELECT json_group_array(json_array(l.id, l.name, l.kind, l.role))
                    FROM (SELECT n.id, n.name, n.kind, ee.role FROM event_entities ee JOIN entities n ON n.id = ee.entity_id
                          WHERE ee.event_id = e.id ORDER BY ee.ordinal) l) AS entities,
                   (SELECT json_group_array(json_array(q.source_id, q.title, q.quote, q.start_offset, q.end_offset))
                    FROM (SELECT c.source_id, s.title, c.quote, c.start_offset, c.end_offset FROM citations c JOIN sources s ON s.id = c.source_id
                          WHERE c.event_id = e.id ORDER BY c.ordinal) q) AS citations
            FROM events e WHERE e.id = @id;
            """,
            new { id },
            transaction,
            cancellationToken: cancellationToken));
        if (row is null)
        {
            return (null, null);
        }

        if (row.DeletedAt is not null)
        {
            return (null, new Tombstone(row.DeletedAt, row.DeletedBy ?? string.Empty, row.Version));
        }

        return (new EventDetail(
            row.Id,
            row.Date,
            PartialDate.PrecisionName((DatePrecision)row.DatePrecision),
            row.EndDate,
            row.Title,
            row.Summary,
            row.Category,
            ReadList(row.Tags),
            ReadList(row.Caveats),
            ReadArrays(row.Entities, a => new EventEntity(a[0].GetString()!, a[1].GetString()!, a[2].GetString()!, a[3].GetString()!)),
            ReadArrays(row.Citations, a => new EventCitation(a[0].GetString()!, a[1].GetString()!, a[2].GetString()!, a[3].GetInt64(), a[4].GetInt64())),
            row.Version,
            row.CreatedAt,
            row.UpdatedAt), null);
    }

    /// <summary>A JSON array of arrays (as json_group_array(json_array(...)) builds it), one item per inner array.</summary>
    private static List<T> ReadArrays<T>(string json, Func<JsonElement, T> item)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(item).ToList();
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
                "SELECT id FROM entities WHERE id IN @entityIds AND deleted_at IS NULL;", new { entityIds }, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
            missing.AddRange(entityIds.Where(id => !known.Contains(id)));
        }

        var sourceMissing = sourceId is not null && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sources WHERE id = @sourceId AND deleted_at IS NULL;", new { sourceId }, cancellationToken: cancellationToken)) == 0;
        return (missing, sourceMissing);
    }

    private static List<string> ReadList(string json) => json == "[]" ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];
}

/// <summary>
/// The WHERE clause of the one filter model, shared by every query over events. Only fixed SQL fragments
/// are added; every value goes in as a parameter.
/// </summary>
public static class EventWhere
{
    public static List<string> Build(EventFilter filter, DynamicParameters parameters)
    {
        var where = new List<string> { "e.deleted_at IS NULL" };
        if (filter.From is { } from)
        {
            // The second bound follows from the first (no event covers more days than the longest one) and lets
            // the timeline index seek to the range instead of scanning from the first event.
            where.Add("e.last_day >= @FromDay");
            where.Add($"e.first_day >= {FirstDayFloor}");
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

        if (filter.Match is not null)
        {
            where.Add("e.seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH @Match)");
            parameters.Add("Match", filter.Match);
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

    /// <summary>The earliest first day of an event that can reach @FromDay: no event covers more days than the longest one.</summary>
    private const string FirstDayFloor =
        "date(@FromDay, '-' || (SELECT COALESCE(CAST(MAX(julianday(s.last_day) - julianday(s.first_day)) AS INTEGER), 0) FROM events s WHERE s.deleted_at IS NULL) || ' days')";

    /// <summary>The number of the first live event meeting the condition (on alias b), or a number above all.</summary>
    private static string FirstNumber(string condition) =>
        $"COALESCE((SELECT b.seq FROM events b WHERE b.deleted_at IS NULL AND {condition} ORDER BY b.first_day, b.date_precision, b.id LIMIT 1), 9223372036854775807)";

    /// <summary>The number of the last live event meeting the condition (on alias b), or a number below all.</summary>
    private static string LastNumber(string condition) =>
        $"COALESCE((SELECT b.seq FROM events b WHERE b.deleted_at IS NULL AND {condition} ORDER BY b.first_day DESC, b.date_precision DESC, b.id DESC LIMIT 1), -1)";

    /// <summary>
    /// The cursor's place as an event number: the last live event at or before it on the timeline. Right even when
    /// the event the cursor names has moved or gone since its page was read.
    /// </summary>
    public static readonly string CursorNumber = LastNumber("(b.first_day, b.date_precision, b.id) <= (@AfterDay, @AfterPrecision, @AfterId)");

    /// <summary>The cursor's position as the parameters the keyset conditions use.</summary>
    public static void AddCursor(DynamicParameters parameters, Paging.TimelinePosition after)
    {
        parameters.Add("AfterDay", after.FirstDay);
        parameters.Add("AfterPrecision", after.Precision);
        parameters.Add("AfterId", after.Id);
    }

    /// <summary>
    /// Bounds on an event number (<paramref name="column"/>) equivalent to the date filter's seekable bounds and
    /// to the cursor: live events are numbered in timeline order (Storage/TimelineOrder.cs), so the first and last
    /// numbers in range are two seeks into the timeline index. Call after <see cref="Build"/> (it adds @FromDay and
    /// @ToDay); the cursor's parameters come from <see cref="AddCursor"/>.
    /// </summary>
    public static IEnumerable<string> SeqBounds(string column, EventFilter filter, Paging.TimelinePosition? after)
    {
        if (filter.From is not null)
        {
            yield return $"{column} >= {FirstNumber($"b.first_day >= {FirstDayFloor}")}";
        }

        if (filter.To is not null)
        {
            yield return $"{column} <= {LastNumber("b.first_day <= @ToDay")}";
        }

        if (after is not null)
        {
            yield return filter.Descending
                ? $"{column} < {FirstNumber("(b.first_day, b.date_precision, b.id) >= (@AfterDay, @AfterPrecision, @AfterId)")}"
                : $"{column} > {CursorNumber}";
        }
    }

    /// <summary>
    /// Whether the event numbered <paramref name="column"/>, known to start no earlier than the floor of @FromDay,
    /// reaches @FromDay: certainly if it starts on or after it, else its row says.
    /// </summary>
    public static string ReachesFrom(string column) =>
        $"CASE WHEN {column} >= {FirstNumber("b.first_day >= @FromDay")} THEN 1 ELSE (SELECT r.last_day >= @FromDay FROM events r WHERE r.seq = {column}) END";

    public static void Append(StringBuilder sql, List<string> where)
    {
        if (where.Count > 0)
        {
            sql.Append("\nWHERE ").AppendJoin("\n  AND ", where);
        }
    }
}

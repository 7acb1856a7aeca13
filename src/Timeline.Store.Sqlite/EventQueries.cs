using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Timeline.Model.Dates;

namespace Timeline.Store.Sqlite;

/// <summary>The SQL behind the event endpoints: keyset pages in the timeline's total order, and one event in full.</summary>
public sealed class EventQueries(ReadSessions sessions)
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

    /// <summary>What every row of a page carries: its number (for snippets), its place (for the cursor), and its relevance or snippet.</summary>
    private abstract class PageRow
    {
        public long Seq { get; set; }

        public string Id { get; set; } = string.Empty;

        public string FirstDay { get; set; } = string.Empty;

        public long DatePrecision { get; set; }

        public double? Score { get; set; }

        public string? Snippet { get; set; }
    }

    /// <summary>An event in a list, read column by column (<see cref="SummaryColumns"/>).</summary>
    private sealed class EventRow : PageRow
    {
        public string Date { get; init; } = string.Empty;

        public string? EndDate { get; init; }

        public string Title { get; init; } = string.Empty;

        public string Summary { get; init; } = string.Empty;

        public string Category { get; init; } = string.Empty;

        public string Caveats { get; init; } = "[]";

        /// <summary>The event's tags, sorted, as a JSON array (the events table's copy of event_tags).</summary>
        public string Tags { get; init; } = "[]";
    }

    /// <summary>An event in a list as the JSON object the store writes for it (<see cref="JsonColumns"/>).</summary>
    private sealed class JsonRow : PageRow
    {
        public byte[] Item { get; init; } = [];
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
        await using var session = await sessions.RentAsync(cancellationToken);
        var (rows, next) = await PageAsync(session, filter, after, SummaryColumns, ReadSummaryRows, cancellationToken);
        return (Summaries(rows), next);
    }

    /// <summary>
    /// The same page as <see cref="ListAsync(EventFilter, TimelinePosition?, CancellationToken)"/>, each event as the UTF-8 JSON object
    /// GET /events shows (an <see cref="EventSummary"/>), written by SQLite as it reads the row: a list response is the
    /// rows' bytes put together, with no object, column or serializer in between.
    /// </summary>
    public async Task<(IReadOnlyList<byte[]> Items, TimelinePosition? Next)> ListJsonAsync(
        EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken)
    {
        await using var session = await sessions.RentAsync(cancellationToken);
        var (rows, next) = await PageAsync(session, filter, after, JsonColumns, ReadJsonRows, cancellationToken);
        return (rows.Select(r => r.Snippet is null ? r.Item : EventJson.WithSnippet(r.Item, r.Snippet)).ToList(), next);
    }

    /// <summary>
    /// Up to <c>filter.Limit</c> rows after <paramref name="after"/> within the session (and its snapshot, if it has begun
    /// one), with the position of the last when there is more (one more row is read to tell).
    /// </summary>
    private static async Task<(List<TRow> Rows, TimelinePosition? Next)> PageAsync<TRow>(
        ReadSession session, EventFilter filter, TimelinePosition? after, string columns, Func<SqliteDataReader, List<TRow>> read, CancellationToken cancellationToken)
        where TRow : PageRow
    {
        var parameters = new DynamicParameters();
        var match = filter.Search is null ? null : Fts5Match.Render(filter.Search);
        var relevance = match is not null && filter.Order == EventOrder.Relevance;
        var driving = filter.Order == EventOrder.Relevance ? null : await DrivingSetAsync(session, filter, cancellationToken);
        string[] statements = filter.Order == EventOrder.Relevance
            ? [RelevanceSql(filter, match, after, parameters, columns)]
            : TimelineSql(filter, match, after, parameters, columns, driving);

        // A page that runs more than one statement reads them all from one snapshot: the statements that each read a
        // later stretch of the timeline, run in turn until the page is full, or the ranked rows and then their
        // snippets. Every other page is one statement (tags in the page's own rows), consistent by itself.
        if (statements.Length > 1 || relevance)
        {
            session.BeginSnapshot();
        }

        var rows = new List<TRow>();
        foreach (var sql in statements)
        {
            parameters.Add("Take", filter.Limit + 1 - rows.Count);
            rows.AddRange(await session.QueryAsync(sql, parameters, read, cancellationToken));
            if (rows.Count > filter.Limit)
            {
                break;
            }
        }

        var hasMore = rows.Count > filter.Limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        if (relevance && rows.Count > 0)
        {
            await AddSnippetsAsync(session, match!, rows, cancellationToken);
        }

        TimelinePosition? next = null;
        if (hasMore)
        {
            var last = rows[^1];
            next = new TimelinePosition(last.FirstDay, (int)last.DatePrecision, last.Id, filter.Order == EventOrder.Relevance ? last.Score : null);
        }

        return (rows, next);
    }

    /// <summary>Events a filter's tags or source hold are read from their own index when they are at most this many.</summary>
    private const int DrivingSetLimit = 10_000;

    /// <summary>
    /// For a list in timeline order that neither a search nor one entity's timeline drives: the few events its tags, its
    /// source or its entities hold (their numbers, read from the tag and citation indexes and sorted), when there are at most
    /// <see cref="DrivingSetLimit"/>. Otherwise the timeline is walked and each event checked, which finds a page of a
    /// common tag at once but walked every event for a rare or unknown one (3.6 s at 1,000,000 events).
    /// </summary>
    private static async Task<string?> DrivingSetAsync(ReadSession session, EventFilter filter, CancellationToken cancellationToken)
    {
        if (filter.Search is not null || filter.ScopeEntity is not null || filter.Entities.Count == 1)
        {
            return null;
        }

        string? best = null;
        var fewest = long.MaxValue;
        var source = filter.Source ?? filter.ScopeSource;
        foreach (var (set, count) in new[]
        {
            (filter.Tags.Count > 0 ? TagSet : null, "SELECT COUNT(*) FROM (SELECT 1 FROM event_tags WHERE tag IN @DrivingTags LIMIT @DrivingLimit);"),
            (source is not null ? SourceSet : null, "SELECT COUNT(*) FROM (SELECT 1 FROM citations WHERE source_id = @DrivingSource LIMIT @DrivingLimit);"),
            (filter.Entities.Count > 1 ? EntitySet : null, "SELECT COUNT(*) FROM (SELECT 1 FROM entity_timeline WHERE entity_id IN @DrivingEntities LIMIT @DrivingLimit);"),
        })
        {
            if (set is null)
            {
                continue;
            }

            var parameters = new DynamicParameters();
            parameters.Add("DrivingTags", filter.Tags);
            parameters.Add("DrivingSource", source);
            parameters.Add("DrivingEntities", filter.Entities);
            parameters.Add("DrivingLimit", DrivingSetLimit + 1);
            var found = await session.QueryAsync(count, parameters, reader => reader.Read() ? reader.GetInt64(0) : 0, cancellationToken);
            if (found <= DrivingSetLimit && found < fewest)
            {
                (best, fewest) = (set, found);
            }
        }

        return best;
    }

    private const string TagSet = "(SELECT DISTINCT de.seq FROM event_tags dt JOIN events de ON de.id = dt.event_id WHERE dt.tag IN @DrivingTags AND de.deleted_at IS NULL)";

    private const string EntitySet = "(SELECT DISTINCT event_seq AS seq FROM entity_timeline WHERE entity_id IN @DrivingEntities)";

    private const string SourceSet = "(SELECT DISTINCT de.seq FROM citations dc JOIN events de ON de.id = dc.event_id WHERE dc.source_id = @DrivingSource AND de.deleted_at IS NULL)";

    /// <summary>The page's own columns (0 to 3) that begin every list statement's columns.</summary>
    private const string PageColumns = "SELECT e.seq, e.id, e.first_day, e.date_precision";

    /// <summary>An event's list fields, one column each (4 to 10).</summary>
    private const string SummaryColumns = PageColumns + ", e.date, e.end_date, e.title, e.summary, e.category, e.caveats, e.tags";

    /// <summary>An event's list fields as the JSON object of an <see cref="EventSummary"/> (column 4).</summary>
    private static readonly string JsonColumns = PageColumns + ", " + EventJson.SummaryObject("e") + " AS item";

    /// <summary>Rows of <paramref name="contentColumns"/> columns after the page's, then a score or a snippet if the statement adds one.</summary>
    private static List<TRow> ReadRows<TRow>(SqliteDataReader reader, int contentColumns, Func<SqliteDataReader, TRow> content)
        where TRow : PageRow
    {
        var extraAt = 4 + contentColumns;
        var extra = reader.FieldCount > extraAt ? reader.GetName(extraAt) : null;
        var rows = new List<TRow>();
        while (reader.Read())
        {
            var row = content(reader);
            row.Seq = reader.GetInt64(0);
            row.Id = reader.GetString(1);
            row.FirstDay = reader.GetString(2);
            row.DatePrecision = reader.GetInt64(3);
            row.Score = extra == "score" ? reader.GetDouble(extraAt) : null;
            row.Snippet = extra == "snippet" ? Snippets.ToHtml(reader.GetFieldValue<byte[]>(extraAt)) : null;
            rows.Add(row);
        }

        return rows;
    }

    private static List<EventRow> ReadSummaryRows(SqliteDataReader reader) => ReadRows(reader, 7, r => new EventRow
    {
        Date = r.GetString(4),
        EndDate = r.IsDBNull(5) ? null : r.GetString(5),
        Title = r.GetString(6),
        Summary = r.GetString(7),
        Category = r.GetString(8),
        Caveats = r.GetString(9),
        Tags = r.GetString(10),
    });

    private static List<JsonRow> ReadJsonRows(SqliteDataReader reader) => ReadRows(reader, 1, r => new JsonRow { Item = r.GetFieldValue<byte[]>(4) });

    /// <summary>
    /// Where an ascending list from a date reads, in turn: events that began more than 366 days before the date and
    /// still go on at it, then those that began 31 to 366 days before, then everything from 31 days before on.
    /// Each stretch's events last longer than the days between its start and the date, so the first two are read
    /// from the indexes of long events (migration 0005) instead of walking every event since the longest one began.
    /// </summary>
    private static readonly string[] FromDateStretches =
    [
        "julianday(e.last_day) - julianday(e.first_day) > 366 AND e.first_day < date(@FromDay, '-366 days')",
        "julianday(e.last_day) - julianday(e.first_day) > 31 AND e.first_day >= date(@FromDay, '-366 days') AND e.first_day < date(@FromDay, '-31 days')",
        "e.first_day >= date(@FromDay, '-31 days')",
    ];

    /// <summary>
    /// A page in timeline order. Events are numbered in timeline order (Storage/TimelineOrder.cs), so a search
    /// or one entity's events are read from their own index in that order, bounded by the dates and the cursor,
    /// and stop at the page's end; everything else walks the timeline index, an ascending list from a date in
    /// the stretches of <see cref="FromDateStretches"/> (one statement each, to be run in turn).
    /// </summary>
    private static string[] TimelineSql(EventFilter filter, string? match, TimelinePosition? after, DynamicParameters parameters, string columns, string? driving)
    {
        var direction = filter.Descending ? "DESC" : "ASC";
        var drivingEntity = match is null ? filter.ScopeEntity ?? (filter.Entities.Count == 1 ? filter.Entities[0] : null) : null;
        List<string> where;
        string from, order;
        if (match is not null)
        {
            where = EventWhere.Build(filter with { Search = null }, parameters);
            where.Insert(0, "events_fts MATCH @Match");
            parameters.Add("Match", match);
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
            if (filter.From is not null)
            {
                // Decided from the entity's own rows (migration 0006), so an event that ended before the date is
                // passed over without reading it.
                where.Insert(1, "x.last_day >= @FromDay");
            }
            from = "entity_timeline x CROSS JOIN events e ON e.seq = x.event_seq";
            order = $"x.event_seq {direction}";
        }
        else if (driving is not null)
        {
            // The few events of the filter's tags or source, in timeline order by number; every filter stays a condition.
            where = EventWhere.Build(filter, parameters);
            parameters.Add("DrivingTags", filter.Tags);
            parameters.Add("DrivingSource", filter.Source ?? filter.ScopeSource);
            parameters.Add("DrivingEntities", filter.Entities);
            where.InsertRange(0, EventWhere.SeqBounds("x.seq", filter, after));
            from = $"{driving} x CROSS JOIN events e ON e.seq = x.seq";
            order = $"x.seq {direction}";
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

        var sql = new StringBuilder(columns);
        if (match is not null)
        {
            // The search index drives the page, so each row's snippet comes with it (computed for the page's rows only).
            sql.Append(", ").Append(SnippetColumn);
        }

        sql.Append("\nFROM ").Append(from);
        if (from == "events e" && filter.From is not null && !filter.Descending)
        {
            return FromDateStretches.Select(stretch =>
            {
                var stretchSql = new StringBuilder(sql.ToString());
                EventWhere.Append(stretchSql, [.. where, stretch]);
                return stretchSql.Append(CultureInfo.InvariantCulture, $"\nORDER BY {order}\nLIMIT @Take;").ToString();
            }).ToArray();
        }

        EventWhere.Append(sql, where);
        sql.Append(CultureInfo.InvariantCulture, $"\nORDER BY {order}\nLIMIT @Take;");
        return [sql.ToString()];
    }

    private static string RelevanceSql(EventFilter filter, string? match, TimelinePosition? after, DynamicParameters parameters, string columns)
    {
        // Ranked inside SQLite, ties in timeline order (by number), and only the page's rows are read after the limit.
        // Deleted events are not in the search index, so unless a filter needs each match's row (category, entity,
        // tag, source), the ranking reads the search index alone, with the dates as bounds on the numbers.
        var where = EventWhere.Build(filter with { Search = null }, parameters);
        parameters.Add("Match", match);
        string from, seq;
        if (filter.Categories.Count > 0 || (filter with { Search = null }).NarrowsBeyondDatesAndCategories)
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
            {columns}, page.score
            FROM page CROSS JOIN events e ON e.seq = page.seq
            ORDER BY page.score, page.seq;
            """);
        return sql.ToString();
    }

    private static List<EventSummary> Summaries(List<EventRow> rows) => rows.Select(r => new EventSummary(
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
            Snippet = r.Snippet,
        }).ToList();

    /// <summary>An excerpt of the matching event around the matched words, with markers that text cannot contain (<see cref="Snippets"/>).</summary>
    private static readonly string SnippetColumn = Snippets.Column("events_fts", 16) + " AS snippet";

    /// <summary>The snippets of a ranked page (ranking reads no snippet: it would make one for every match).</summary>
    private static async Task AddSnippetsAsync<TRow>(ReadSession session, string match, List<TRow> rows, CancellationToken cancellationToken)
        where TRow : PageRow
    {
        var parameters = new DynamicParameters();
        parameters.Add("Match", match);
        parameters.Add("Seqs", JsonSerializer.Serialize(rows.Select(r => r.Seq)));
        // FTS5 sets a search up anew for each row it is asked for by number: cheap for words, but a prefix merges every
        // word it stands for each time (20 rows of a four-letter prefix took seconds on a million events). A search with a
        // prefix therefore walks its matches once, between the page's first and last number, and keeps the page's rows.
        var prefix = match.Contains("\"*", StringComparison.Ordinal);
        if (prefix)
        {
            parameters.Add("MinSeq", rows.Min(r => r.Seq));
            parameters.Add("MaxSeq", rows.Max(r => r.Seq));
        }

        var snippets = await session.QueryAsync(
            prefix
                ? $"SELECT rowid, {SnippetColumn} FROM events_fts WHERE events_fts MATCH @Match AND rowid >= @MinSeq AND rowid <= @MaxSeq AND +rowid IN (SELECT value FROM json_each(@Seqs));"
                : $"SELECT rowid, {SnippetColumn} FROM events_fts WHERE events_fts MATCH @Match AND rowid IN (SELECT value FROM json_each(@Seqs));",
            parameters,
            reader =>
            {
                var found = new Dictionary<long, string>();
                while (reader.Read())
                {
                    found[reader.GetInt64(0)] = Snippets.ToHtml(reader.GetFieldValue<byte[]>(1));
                }

                return found;
            },
            cancellationToken);
        foreach (var row in rows)
        {
            row.Snippet = snippets.GetValueOrDefault(row.Seq);
        }
    }

    /// <summary>
    /// Every event matching the filter with what the exports need besides the summary (entities,
    /// citations, timestamps), read in batches of 500 with one query per batch for each, so memory stays
    /// flat however large the export.
    /// </summary>
    public async IAsyncEnumerable<ExportEvent> StreamForExportAsync(EventFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One read transaction for the whole export: every batch comes from the same snapshot of the store.
        await using var session = await sessions.RentAsync(cancellationToken);
        session.BeginSnapshot();
        var paged = filter with { Limit = 500 };
        TimelinePosition? after = null;
        do
        {
            var (rows, next) = await PageAsync(session, paged, after, SummaryColumns, ReadSummaryRows, cancellationToken);
            foreach (var item in await EnrichAsync(session, Summaries(rows), cancellationToken))
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
        var sql = new StringBuilder(SummaryColumns).Append("\nFROM events e");
        EventWhere.Append(sql, where);
        sql.Append("\nORDER BY e.updated_at DESC, e.id DESC\nLIMIT @Take;");

        await using var session = await sessions.RentAsync(cancellationToken);
        session.BeginSnapshot();
        var rows = await session.QueryAsync(sql.ToString(), parameters, ReadSummaryRows, cancellationToken);
        return await EnrichAsync(session, Summaries(rows), cancellationToken);
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
        var links = (await connection.QueryAsync<ExportLinkRow>(new CommandDefinition(
            "SELECT event_id AS EventId, entity_id AS EntityId, role FROM event_entities WHERE event_id IN (SELECT value FROM json_each(@ids)) ORDER BY event_id, ordinal;",
            new { ids },
            cancellationToken: cancellationToken))).ToLookup(r => r.EventId);
        var citations = (await connection.QueryAsync<ExportCitationRow>(new CommandDefinition(
            """
            SELECT c.event_id AS EventId, c.source_id AS SourceId, s.title AS SourceTitle, c.quote, c.start_offset AS StartOffset, c.end_offset AS EndOffset
            FROM citations c JOIN sources s ON s.id = c.source_id
            WHERE c.event_id IN (SELECT value FROM json_each(@ids))
            ORDER BY c.event_id, c.ordinal;
            """,
            new { ids },
            cancellationToken: cancellationToken))).ToLookup(r => r.EventId);
        var stamps = (await connection.QueryAsync<StampRow>(new CommandDefinition(
            "SELECT id, created_at AS CreatedAt, updated_at AS UpdatedAt FROM events WHERE id IN (SELECT value FROM json_each(@ids));",
            new { ids },
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
        await using var session = await sessions.RentAsync(cancellationToken);
        var parameters = new DynamicParameters();
        parameters.Add("id", id);
        return await session.QueryAsync(DetailSql, parameters, ReadDetail, cancellationToken); // one statement: no transaction needed
    }

    /// <summary>
    /// The same, on the caller's connection and transaction (writes answer with the event as committed).
    /// </summary>
    public static async Task<(EventDetail? Detail, Tombstone? Deleted)> GetAsync(IDbConnection connection, IDbTransaction? transaction, string id, CancellationToken cancellationToken)
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
                      WHERE c.event_id = e.id ORDER BY c.ordinal) q) AS citations
        FROM events e WHERE e.id = @id;
        """;

    /// <summary>The event <see cref="DetailSql"/> read, or its tombstone, or neither.</summary>
    private static (EventDetail? Detail, Tombstone? Deleted) ReadDetail(System.Data.Common.DbDataReader reader)
    {
        if (!reader.Read())
        {
            return (null, null);
        }

        var version = reader.GetInt64(9);
        if (!reader.IsDBNull(12))
        {
            return (null, new Tombstone(reader.GetString(12), reader.IsDBNull(13) ? string.Empty : reader.GetString(13), version));
        }

        return (new EventDetail(
            reader.GetString(0),
            reader.GetString(1),
            PartialDate.PrecisionName((DatePrecision)reader.GetInt64(2)),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetString(4),
            reader.GetString(5),
            reader.GetString(6),
            ReadList(reader.GetString(8)),
            ReadList(reader.GetString(7)),
            ReadArrays(reader.GetString(14), a => new EventEntity(a[0].GetString()!, a[1].GetString()!, a[2].GetString()!, a[3].GetString()!)),
            ReadArrays(reader.GetString(15), a => new EventCitation(a[0].GetString()!, a[1].GetString()!, a[2].GetString()!, a[3].GetInt64(), a[4].GetInt64())),
            version,
            reader.GetString(10),
            reader.GetString(11)), null);
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

        await using var session = await sessions.RentAsync(cancellationToken);
        var missing = new List<string>();
        if (entityIds.Count > 0)
        {
            var parameters = new DynamicParameters();
            parameters.Add("EntityIds", entityIds);
            var known = await session.QueryAsync(
                "SELECT id FROM entities WHERE id IN @EntityIds AND deleted_at IS NULL;",
                parameters,
                reader =>
                {
                    var ids = new HashSet<string>(StringComparer.Ordinal);
                    while (reader.Read())
                    {
                        ids.Add(reader.GetString(0));
                    }

                    return ids;
                },
                cancellationToken);
            missing.AddRange(entityIds.Where(id => !known.Contains(id)));
        }

        var sourceMissing = false;
        if (sourceId is not null)
        {
            var parameters = new DynamicParameters();
            parameters.Add("SourceId", sourceId);
            sourceMissing = !await session.QueryAsync(
                "SELECT 1 FROM sources WHERE id = @SourceId AND deleted_at IS NULL;", parameters, reader => reader.Read(), cancellationToken);
        }

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

        if (filter.Search is not null)
        {
            where.Add("e.seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH @Match)");
            parameters.Add("Match", Fts5Match.Render(filter.Search));
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
    public static void AddCursor(DynamicParameters parameters, TimelinePosition after)
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
    public static IEnumerable<string> SeqBounds(string column, EventFilter filter, TimelinePosition? after)
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

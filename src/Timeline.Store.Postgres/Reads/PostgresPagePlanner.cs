using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>A row of a page: its number (for snippets), its place (for the cursor), its relevance, and its content.</summary>
internal sealed class PostgresPageRow
{
    public long Seq { get; init; }

    public string Id { get; init; } = string.Empty;

    public string FirstDay { get; init; } = string.Empty;

    public long DatePrecision { get; init; }

    public double? Score { get; init; }

    public string? Snippet { get; set; }

    /// <summary>The event's <see cref="EventSummary"/> as UTF-8 JSON (<see cref="PostgresPageContent.Json"/>).</summary>
    public byte[]? Item { get; init; }

    /// <summary>The event as a record (<see cref="PostgresPageContent.Summary"/>), its snippet added after reading.</summary>
    public EventSummary? Summary { get; init; }
}

/// <summary>What a page's rows carry besides their place: each event's JSON object, or its list fields as a record.</summary>
internal enum PostgresPageContent
{
    Json,
    Summary,
}

/// <summary>
/// Page planning on PostgreSQL: which index drives a page of events and the statements that read it, in the timeline's
/// total order (first day, precision, id; keyset cursors) or by relevance.
/// <list type="bullet">
/// <item>One entity (and no tag or source holding fewer events) walks that entity's own timeline, in order, from the
/// cursor, checking each event until the page is full.</item>
/// <item>A filter whose tags, source or entities hold at most <see cref="DrivingSetLimit"/> events reads those events
/// (from event_tags, citations, event_entities), checks every other condition on each and sorts them.</item>
/// <item>Otherwise the timeline index is walked in order and each event checked (a page of a common tag is found at
/// once); one category walks its own index, several merge one walk each.</item>
/// <item>A <c>from</c> date reads, in order, the events that began before it and still go on at it (walked on the
/// timeline for the last 31 days before it and on the partial indexes of the events that last more than 31 and 366 days
/// before those), then the timeline from the date on: each part in one statement, run only as far as the page needs.</item>
/// <item>Relevance ranks every match from the search rows (the search area's score, <see cref="PostgresSearchSql"/>),
/// ties in timeline order, and reads the page's rows after the limit.</item>
/// </list>
/// Every page is one statement, so one snapshot; a page of a search reads each event's search texts with it and picks
/// its snippets as it reads them.
/// </summary>
internal static class PostgresPagePlanner
{
    /// <summary>Events a filter's tags, source or entities hold are read from their own index when they are at most this many.</summary>
    public const int DrivingSetLimit = 10_000;

    private const string PageColumns = "SELECT e.seq, e.id, e.first_day, e.date_precision::bigint AS date_precision";

    /// <summary>A page's columns, whatever its content: its place, then the list fields (an item's JSON is written from them, <see cref="PostgresEventJson"/>).</summary>
    private const string SummaryColumns = PageColumns + ", e.date, e.end_date, e.title, e.summary, e.category, e.caveats, e.tags";

    /// <summary>
    /// Up to <c>filter.Limit</c> rows after <paramref name="after"/> on the connection, with the position of the last when
    /// there is more. A page is one statement, so one snapshot (an export holds the connection in a snapshot of its own
    /// across pages).
    /// </summary>
    public static async Task<(List<PostgresPageRow> Rows, TimelinePosition? Next)> ReadPageAsync(
        NpgsqlConnection connection, EventFilter filter, TimelinePosition? after, PostgresPageContent content, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        // A search's page reads each event's search texts with it, and its snippets are picked as it is read.
        var columns = SummaryColumns
            + (filter.Search is not null ? PostgresSearchRows.EventTextsSql("e") : string.Empty);
        string sql;
        if (filter.Order == EventOrder.Relevance && filter.Search is not null)
        {
            sql = RelevanceSql(filter, after, parameters, columns);
        }
        else
        {
            // One entity (GET /entities/{id}/events, or ?entity= once) walks that entity's own timeline, unless a tag or
            // source holds fewer events; with no tag or source there is nothing to count.
            var walkEntity = filter.ScopeEntity ?? (filter.Entities.Count == 1 ? filter.Entities[0] : null);
            var others = filter.Tags.Count > 0 || filter.Source is not null || filter.ScopeSource is not null;
            var driving = walkEntity is null || others ? await DrivingSetAsync(connection, filter, cancellationToken) : null;
            sql = walkEntity is not null && (driving is null || driving == EntitySet || driving == ScopeEntitySet)
                ? EntityWalkSql(filter, walkEntity, after, parameters, columns)
                : TimelineSql(filter, after, parameters, columns, driving);
        }

        List<PostgresPageRow> rows;
        parameters.Add("Take", filter.Limit + 1);
        await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)))
        {
            rows = await ReadRowsAsync(reader, content, filter.Search, cancellationToken);
        }

        var hasMore = rows.Count > filter.Limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        TimelinePosition? next = null;
        if (hasMore)
        {
            var last = rows[^1];
            next = new TimelinePosition(last.FirstDay, (int)last.DatePrecision, last.Id, filter.Order == EventOrder.Relevance ? last.Score : null);
        }

        return (rows, next);
    }

    /// <summary>The rows as read; with a search, each with its snippet picked from its search texts (read beside it).</summary>
    private static async Task<List<PostgresPageRow>> ReadRowsAsync(DbDataReader reader, PostgresPageContent content, SearchExpression? search, CancellationToken cancellationToken)
    {
        var scoreAt = reader.FieldCount > 4 && reader.GetName(reader.FieldCount - 1) == "score" ? reader.FieldCount - 1 : -1;
        var rows = new List<PostgresPageRow>();
        var itemColumns = content == PostgresPageContent.Json ? PostgresEventJson.Ordinals(reader) : null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(1);
            var precision = reader.GetInt64(3);
            rows.Add(new PostgresPageRow
            {
                Seq = reader.GetInt64(0),
                Id = id,
                FirstDay = reader.GetString(2),
                DatePrecision = precision,
                Score = scoreAt < 0 ? null : reader.GetDouble(scoreAt),
                Snippet = search is null ? null : SnippetPicker.Html(PostgresSearchRows.EventColumns(reader), search, 16),
                Item = itemColumns is null ? null : PostgresEventJson.Write(reader, itemColumns),
                Summary = content == PostgresPageContent.Summary
                    ? StoredEvents.Summary(
                        id,
                        reader.GetString(4),
                        precision,
                        reader.IsDBNull(5) ? null : reader.GetString(5),
                        reader.GetString(6),
                        reader.GetString(7),
                        reader.GetString(8),
                        reader.GetString(10),
                        reader.GetString(9),
                        null)
                    : null,
            });
        }

        return rows;
    }

    /// <summary>
    /// A set of events that may drive a page: the SQL of their keys (a column <paramref name="Key"/> that equals the
    /// events' <paramref name="EventKey"/>: their ids, or for a search their numbers), and the statement counting them
    /// (up to a bound) or, for a search, bounding them from above.
    /// </summary>
    private sealed record DrivingSet(string Ids, string Count, string Key = "event_id", string EventKey = "id");

    /// <summary>
    /// A search's matches drive its page in timeline order when few can match: reading a match (its search row from the
    /// GIN index, its event, the sort) costs about as much as the walk's checks of <see cref="WalkChecksPerMatch"/>
    /// events, and a walk checks about (page size x live events / matches) events, so the matches drive while
    /// matches^2 &lt;= page size x live events / <see cref="WalkChecksPerMatch"/> (1,730 matches for a page of 20 among
    /// 1,000,000 events, 550 among 100,000), and never beyond <see cref="DrivingSetLimit"/>. The number of matches is
    /// bounded by the rarest required word's (search_terms); with none required (a lone prefix, an OR of different
    /// words) the timeline is walked.
    /// </summary>
    public const double WalkChecksPerMatch = 7;

    /// <summary>For tests: in this flow a search drives its page whenever its matches are bounded by at most this many (-1: never, it is walked).</summary>
    internal static readonly AsyncLocal<long?> SearchDrivingLimitOverride = new();

    /// <summary>The events that match the search, from its GIN index; bounded by its rarest required word (no event holds it: 0).</summary>
    private static readonly DrivingSet SearchSet = new(
        $"SELECT {PostgresSearchSql.EventTable}.seq FROM {PostgresSearchSql.EventTable} WHERE {PostgresSearchSql.RowMatches(PostgresSearchSql.EventTable)}",
        """
        SELECT (SELECT COALESCE(min(COALESCE(t.documents, 0)), -1) FROM unnest(@DrivingWords::text[]) w LEFT JOIN search_terms t ON t.term = w)::bigint,
               (SELECT GREATEST(c.reltuples, 0) FROM pg_class c WHERE c.oid = 'events'::regclass)::float8;
        """,
        Key: "seq",
        EventKey: "seq");

    private static readonly DrivingSet TagSet = new(
        "SELECT event_id FROM event_tags WHERE tag = ANY(@DrivingTags)",
        "SELECT COUNT(*) FROM (SELECT 1 FROM event_tags WHERE tag = ANY(@DrivingTags) LIMIT @DrivingLimit) x;");

    private static readonly DrivingSet SourceSet = new(
        "SELECT event_id FROM citations WHERE source_id = @DrivingSource",
        "SELECT COUNT(*) FROM (SELECT 1 FROM citations WHERE source_id = @DrivingSource LIMIT @DrivingLimit) x;");

    private static readonly DrivingSet ScopeSourceSet = new(
        "SELECT event_id FROM citations WHERE source_id = @DrivingScopeSource",
        "SELECT COUNT(*) FROM (SELECT 1 FROM citations WHERE source_id = @DrivingScopeSource LIMIT @DrivingLimit) x;");

    private static readonly DrivingSet EntitySet = new(
        "SELECT event_id FROM event_entities WHERE entity_id = ANY(@DrivingEntities)",
        "SELECT COUNT(*) FROM (SELECT 1 FROM event_entities WHERE entity_id = ANY(@DrivingEntities) LIMIT @DrivingLimit) x;");

    private static readonly DrivingSet ScopeEntitySet = new(
        "SELECT event_id FROM event_entities WHERE entity_id = @DrivingScopeEntity",
        "SELECT COUNT(*) FROM (SELECT 1 FROM event_entities WHERE entity_id = @DrivingScopeEntity LIMIT @DrivingLimit) x;");

    private static DynamicParameters DrivingParameters(EventFilter filter)
    {
        var parameters = new DynamicParameters();
        parameters.Add("DrivingTags", filter.Tags.ToArray());
        parameters.Add("DrivingSource", filter.Source);
        parameters.Add("DrivingScopeSource", filter.ScopeSource);
        parameters.Add("DrivingEntities", filter.Entities.ToArray());
        parameters.Add("DrivingScopeEntity", filter.ScopeEntity);
        parameters.Add("DrivingLimit", DrivingSetLimit + 1);
        parameters.Add("DrivingWords", filter.Search is null ? Array.Empty<string>() : PostgresSearchWords.Required(filter.Search).ToArray());
        return parameters;
    }

    /// <summary>
    /// The smallest of the sets of events the filter's tags, source or entities hold, when it holds at most
    /// <see cref="DrivingSetLimit"/> (its rows, counted up to that bound on their own indexes); else null, and the
    /// timeline is walked. Decided by counting rather than left to the planner: under a LIMIT it would walk the timeline
    /// for a rare tag whose events all lie at its far end.
    /// </summary>
    private static async Task<DrivingSet?> DrivingSetAsync(NpgsqlConnection connection, EventFilter filter, CancellationToken cancellationToken)
    {
        DrivingSet? best = null;
        var fewest = long.MaxValue;
        foreach (var set in new[]
        {
            filter.Tags.Count > 0 ? TagSet : null,
            filter.Source is not null ? SourceSet : null,
            filter.ScopeSource is not null ? ScopeSourceSet : null,
            filter.Entities.Count > 0 ? EntitySet : null,
            filter.ScopeEntity is not null ? ScopeEntitySet : null,
            filter.Search is not null ? SearchSet : null,
        })
        {
            if (set is null)
            {
                continue;
            }

            long found, limit = DrivingSetLimit;
            if (set == SearchSet)
            {
                // At most as many as hold the rarest required word (-1: none is required, no bound), against the bound
                // under which reading the matches beats the walk (the planner's estimate of the live events suffices).
                var (bound, events) = await connection.QuerySingleAsync<(long, double)>(new CommandDefinition(set.Count, DrivingParameters(filter), cancellationToken: cancellationToken));
                found = bound < 0 ? long.MaxValue : bound;
                limit = SearchDrivingLimitOverride.Value ?? (long)Math.Min(DrivingSetLimit, Math.Sqrt((filter.Limit + 1) * events / WalkChecksPerMatch));
            }
            else
            {
                found = await connection.ExecuteScalarAsync<long>(new CommandDefinition(set.Count, DrivingParameters(filter), cancellationToken: cancellationToken));
            }

            if (found <= limit && found < fewest)
            {
                (best, fewest) = (set, found);
            }
        }

        return best;
    }

    /// <summary>
    /// The statement of a page of one entity's events in timeline order: a seek into the entity's own timeline
    /// (entity_timeline, migration 0005) at the cursor, the dates decided from its index (a `from` date keeps the events
    /// that still go on at it by their last day), each event on the way joined and checked against the rest of the
    /// filter, stopping when the page is full.
    /// </summary>
    private static string EntityWalkSql(EventFilter filter, string entity, TimelinePosition? after, DynamicParameters parameters, string columns)
    {
        var rest = filter.ScopeEntity is not null ? filter with { ScopeEntity = null } : filter with { Entities = [] };
        var where = PostgresEventFilterSql.Build(rest, parameters, walk: true);
        where.Insert(0, "t.entity_id = @WalkEntity");
        parameters.Add("WalkEntity", entity);
        if (filter.From is not null)
        {
            // An event that still goes on at the date began no earlier than the longest live event lasts before it: the
            // seek starts there rather than at the entity's first event (a page from 2015 of an entity with events since
            // 1990 read 2,540 index entries for 50, now 414).
            where.Add("t.last_day COLLATE \"C\" >= @FromDay");
            where.Add($"t.first_day COLLATE \"C\" >= {SpanFloor}");
        }

        if (filter.To is not null)
        {
            where.Add("t.first_day COLLATE \"C\" <= @ToDay");
        }

        if (after is not null)
        {
            where.Add($"(t.first_day COLLATE \"C\", t.date_precision, t.event_id COLLATE \"C\") {(filter.Descending ? "<" : ">")} (@AfterDay, @AfterPrecision, @AfterId)");
            PostgresEventFilterSql.AddCursor(parameters, after);
        }

        var direction = filter.Descending ? "DESC" : "ASC";
        var sql = new StringBuilder(columns).Append("\nFROM entity_timeline t JOIN events e ON e.id = t.event_id");
        PostgresEventFilterSql.Append(sql, where);
        return sql.Append(CultureInfo.InvariantCulture, $"\nORDER BY t.first_day COLLATE \"C\" {direction}, t.date_precision {direction}, t.event_id COLLATE \"C\" {direction}\nLIMIT @Take;").ToString();
    }

    /// <summary>The statement of a page in timeline order.</summary>
    private static string TimelineSql(EventFilter filter, TimelinePosition? after, DynamicParameters parameters, string columns, DrivingSet? driving)
    {
        if (driving is not null)
        {
            // The few events of the driving set, every filter a condition on each (read from the covering index of ids,
            // migration 0002, without the rows), sorted; only the page's rows are read.
            // The search's own matches are not checked again; its parameter stays, for the set and the snippets' texts.
            var where = PostgresEventFilterSql.Build(driving == SearchSet ? filter with { Search = null } : filter, parameters);
            if (driving == SearchSet)
            {
                parameters.Add(PostgresSearchSql.ParameterName, PostgresSearchSql.Parameter(filter.Search!));
            }

            if (after is not null)
            {
                where.Add(PostgresEventFilterSql.After(after, filter.Descending, parameters));
            }

            parameters.AddDynamicParams(DrivingParameters(filter));
            var candidates = new StringBuilder(
                $"SELECT e.seq, e.first_day, e.date_precision, e.id FROM driving JOIN events e ON e.{driving.EventKey} = driving.{driving.Key}");
            PostgresEventFilterSql.Append(candidates, where);
            return Paged($"driving AS MATERIALIZED (SELECT DISTINCT d.{driving.Key} FROM ({driving.Ids}) d)", candidates.ToString(), columns, filter.Descending);
        }

        // The timeline walked in order; categories each walk their own index.
        var conditions = PostgresEventFilterSql.Build(filter with { Categories = [] }, parameters, walk: true);
        if (after is not null)
        {
            conditions.Add(PostgresEventFilterSql.After(after, filter.Descending, parameters));
        }

        if (filter.From is null)
        {
            return Walk(filter, columns, conditions, parameters);
        }

        // From a date: first the events that began before it and still go on at it, then the timeline from the date on.
        // Those that began before it are found by walking, in timeline order, three stretches of days before the date,
        // each from an index that holds every event that can reach the date from there: the last 31 days from the
        // timeline itself, the 335 days before from the events that last more than 31 days, and everything earlier from
        // those that last more than 366 days (a partial index each, migration 0006), no further back than the longest
        // event lasts. An event that began more than 31 days before the date and still goes on at it lasts more than 31
        // days; more than 366, more than 366 days. Each walk keeps the events whose last day is the date or later and
        // stops when the page is full, so a page reads about as many entries as it lists, however many long events cover
        // the date.
        var day = filter.From.Value.FirstDay;
        parameters.Add("Day31", PartialDate.FormatDay(day.AddDays(-31)));
        parameters.Add("Day366", PartialDate.FormatDay(day.AddDays(-366)));
        parameters.Add("Categories", filter.Categories.ToArray());
        var firstDay = PostgresEventFilterSql.FirstDay("e");
        var reachingRecent = Walk(filter, columns, [.. conditions, $"{firstDay} >= @Day31", $"{firstDay} < @FromDay"], parameters);
        var reachingLong = Reaching(filter, columns, conditions, LongSpan, $"{firstDay} >= @Day366", $"{firstDay} < @Day31", parameters);
        var reachingLongest = Reaching(filter, columns, conditions, LongestSpan, $"{firstDay} >= {SpanFloor}", $"{firstDay} < @Day366", parameters);
        var onOrAfter = Walk(filter, columns, [.. conditions, $"{firstDay} >= @FromDay"], parameters);

        // One statement (one snapshot, one round trip, no transaction): the parts' pages one after the other in timeline
        // order (reversed descending), cut at @Take. An Append runs its parts in turn and the LIMIT above it stops pulling
        // once it has its rows, so the parts after the one that fills the page are not run at all. Every part has a
        // LIMIT of its own, and PostgreSQL never hands a subquery with a LIMIT to parallel workers, so the Append is never
        // a Parallel Append and keeps its parts' order.
        string[] parts = filter.Descending
            ? [onOrAfter, reachingRecent, reachingLong, reachingLongest]
            : [reachingLongest, reachingLong, reachingRecent, onOrAfter];
        return $"""
            SELECT u.* FROM (
            {string.Join("\nUNION ALL\n", parts.Select(p => "(" + p.TrimEnd().TrimEnd(';') + ")"))}
            ) u
            LIMIT @Take;
            """;
    }

    /// <summary>
    /// A page of a bounded set of candidates (their number and place, <paramref name="candidates"/>, over a CTE
    /// <paramref name="with"/> if given): all of them found first (materialized, so no walk of the timeline is planned
    /// instead), the page's sorted out of them, and only its rows read in full.
    /// </summary>
    private static string Paged(string? with, string candidates, string columns, bool descending) =>
        $"""
        WITH {(with is null ? string.Empty : with + ",\n")}candidates AS MATERIALIZED (
        {candidates}
        ),
        page AS (SELECT c.seq, c.first_day, c.date_precision, c.id FROM candidates c ORDER BY {PostgresEventFilterSql.Order("c", descending)} LIMIT @Take)
        {columns}
        FROM page JOIN events e ON e.seq = page.seq
        ORDER BY {PostgresEventFilterSql.Order("page", descending)};
        """;

    /// <summary>The condition of the partial index of the events that last more than 31 days (migration 0006).</summary>
    private const string LongSpan = "timeline_span(e.first_day, e.last_day) > 31";

    /// <summary>The condition of the partial index of the events that last more than 366 days (migration 0006).</summary>
    private const string LongestSpan = "timeline_span(e.first_day, e.last_day) > 366";

    /// <summary>
    /// The earliest day an event can have begun and still go on at @FromDay: as far back as the longest live event lasts
    /// (from its own index), but never before 1000-01-01, the first day the date columns can hold. The validator keeps
    /// dates within 1900 to 2199, but a row outside them (written by SQL) must not take the subtraction out of
    /// PostgreSQL's dates (an error) or to a year BC that 'YYYY' writes without its era (a wrong page).
    /// </summary>
    private const string SpanFloor =
        "to_char(CAST(@FromDay AS date) - LEAST(COALESCE((SELECT max(timeline_span(x.first_day, x.last_day)) FROM events x WHERE x.deleted_at IS NULL), 0), CAST(@FromDay AS date) - DATE '1000-01-01'), 'YYYY-MM-DD')";

    /// <summary>
    /// One stretch of days before @FromDay walked in timeline order on the partial index of the events that last long
    /// enough to reach the date from there (<paramref name="span"/>), keeping those that still go on at it; the filter's
    /// categories are a condition on the walk (the index carries each event's category) rather than a walk of their own.
    /// One category walks its own long events (the same indexes led by the category, migration 0009).
    /// </summary>
    private static string Reaching(EventFilter filter, string columns, List<string> conditions, string span, string from, string before, DynamicParameters parameters)
    {
        // The walk reads the index alone (what it checks is in the index); only the page's rows are read after it.
        List<string> where = [.. conditions, span, from, before];
        if (filter.Categories.Count == 1)
        {
            parameters.Add("Category0", filter.Categories[0]);
            where.Add("e.category = @Category0");
        }
        else if (filter.Categories.Count > 1)
        {
            where.Add("e.category = ANY(@Categories)");
        }

        return RowsAfterWalk(columns, where, filter.Descending);
    }

    /// <summary>
    /// A walk of the events' keys in timeline order under <paramref name="conditions"/> (what an index can answer alone),
    /// cut at @Take, and only then the page's rows with <paramref name="columns"/>.
    /// </summary>
    private static string RowsAfterWalk(string columns, List<string> conditions, bool descending)
    {
        var walk = new StringBuilder("SELECT e.seq, e.first_day, e.date_precision, e.id FROM events e");
        PostgresEventFilterSql.Append(walk, conditions);
        walk.Append(CultureInfo.InvariantCulture, $"\nORDER BY {PostgresEventFilterSql.Order("e", descending)}\nLIMIT @Take");
        return $"""
            {columns}
            FROM ({walk}) r JOIN events e ON e.seq = r.seq
            ORDER BY {PostgresEventFilterSql.Order("r", descending)}
            LIMIT @Take;
            """;
    }

    /// <summary>One statement walking the timeline (or each category's) in order under the conditions.</summary>
    private static string Walk(EventFilter filter, string columns, List<string> conditions, DynamicParameters parameters)
    {
        var order = PostgresEventFilterSql.Order("e", filter.Descending);
        if (filter.Categories.Count == 0 && filter.Search is not null)
        {
            // A search passes over many events for each it keeps: the walk reads the timeline's index alone (it carries
            // the last day, the words' signature and the number its search row is looked up by, migration 0007), and
            // only the page's rows are read after it.
            return RowsAfterWalk(columns, conditions, filter.Descending);
        }

        if (filter.Categories.Count <= 1)
        {
            var single = new StringBuilder(columns).Append("\nFROM events e");
            if (filter.Categories.Count == 1)
            {
                parameters.Add("Category0", filter.Categories[0]);
            }

            PostgresEventFilterSql.Append(single, filter.Categories.Count == 1 ? [.. conditions, "e.category = @Category0"] : conditions);
            return single.Append(CultureInfo.InvariantCulture, $"\nORDER BY {order}\nLIMIT @Take;").ToString();
        }

        // Several categories: one ordered walk of each category's index, merged.
        var sql = new StringBuilder("SELECT p.* FROM (");
        for (var i = 0; i < filter.Categories.Count; i++)
        {
            parameters.Add($"Category{i}", filter.Categories[i]);
            sql.Append(i == 0 ? "\n(" : "\nUNION ALL\n(").Append(columns).Append("\nFROM events e");
            PostgresEventFilterSql.Append(sql, [.. conditions, $"e.category = @Category{i}"]);
            sql.Append(CultureInfo.InvariantCulture, $"\nORDER BY {order}\nLIMIT @Take)");
        }

        return sql.Append(CultureInfo.InvariantCulture, $"\n) p\nORDER BY {PostgresEventFilterSql.Order("p", filter.Descending)}\nLIMIT @Take;").ToString();
    }

    /// <summary>
    /// A page by relevance: every match ranked from its search row (lower score first), ties in timeline order; only the
    /// page's rows are read in full.
    /// </summary>
    private static string RelevanceSql(EventFilter filter, TimelinePosition? after, DynamicParameters parameters, string columns)
    {
        var where = PostgresEventFilterSql.Build(filter with { Search = null }, parameters);
        parameters.Add(PostgresSearchSql.ParameterName, PostgresSearchSql.Parameter(filter.Search!));
        var score = PostgresSearchSql.EventScore("s");
        where.Insert(0, PostgresSearchSql.RowMatches("s"));
        if (after is not null)
        {
            where.Add($"({score}, {PostgresEventFilterSql.Position("e")[1..^1]}) > (@AfterScore, @AfterDay, @AfterPrecision, @AfterId)");
            parameters.Add("AfterScore", after.Score ?? double.MinValue);
            PostgresEventFilterSql.AddCursor(parameters, after);
        }

        var sql = new StringBuilder($"WITH page AS (\n    SELECT e.seq, {score} AS score, e.first_day, e.date_precision, e.id\n    FROM {PostgresSearchSql.EventTable} s JOIN events e ON e.seq = s.seq");
        PostgresEventFilterSql.Append(sql, where);
        sql.Append(CultureInfo.InvariantCulture, $"\n    ORDER BY score, {PostgresEventFilterSql.Order("e", false)}\n    LIMIT @Take\n)\n");
        sql.Append(columns).Append(", page.score\nFROM page JOIN events e ON e.seq = page.seq\n");
        sql.Append(CultureInfo.InvariantCulture, $"ORDER BY page.score, {PostgresEventFilterSql.Order("page", false)};");
        return sql.ToString();
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Page planning: which index drives a page of events (the search index, one entity's timeline, the few events of a
/// filter's tags, source or entities, or the timeline itself), the statements that read it (one, or one per stretch of an
/// ascending list from a date, run in turn until the page is full), keyset bounds from the cursor, ranking by relevance,
/// and the snippets of a search's rows. Runs them within one read session.
/// </summary>
internal static class EventPagePlanner
{
    /// <summary>
    /// The relevance of a full-text match (lower is better): BM25 with title, summary, tags and quotes weighted 10, 4, 3, 2;
    /// references (their titles, citations and document numbers) 2, evidence as quotes are; the names and aliases of the
    /// entities involved 1, the least: they say whom an event involves, not what it says.
    /// </summary>
    private const string Score = "bm25(events_fts, 10.0, 4.0, 3.0, 2.0, 2.0, 1.0)";

    /// <summary>
    /// Up to <c>filter.Limit</c> rows after <paramref name="after"/> within the session (and its snapshot, if it has begun
    /// one), with the position of the last when there is more (one more row is read to tell). <paramref name="match"/> is the
    /// filter's search rendered for FTS5 (<see cref="Fts5Match"/>), rendered once by the caller for all its pages.
    /// </summary>
    public static async Task<(List<TRow> Rows, TimelinePosition? Next)> ReadPageAsync<TRow>(
        ReadSession session, EventFilter filter, string? match, TimelinePosition? after, string columns, Func<SqliteDataReader, List<TRow>> read, CancellationToken cancellationToken)
        where TRow : PageRow
    {
        var parameters = new DynamicParameters();
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
    /// A page in timeline order. Events are numbered in timeline order (TimelineOrder.cs), so a search
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
            where = EventFilterSql.Build(filter with { Search = null }, parameters);
            where.Insert(0, "events_fts MATCH @Match");
            parameters.Add("Match", match);
            where.InsertRange(1, EventFilterSql.SeqBounds("events_fts.rowid", filter, after));
            from = "events_fts CROSS JOIN events e ON e.seq = events_fts.rowid";
            order = $"events_fts.rowid {direction}";
        }
        else if (drivingEntity is not null)
        {
            // The entity's own timeline; a second entity filter (any of several) stays a condition on each row.
            where = EventFilterSql.Build(
                filter.ScopeEntity is null ? filter with { Entities = [] } : filter with { ScopeEntity = null },
                parameters);
            where.Insert(0, "x.entity_id = @DrivingEntity");
            parameters.Add("DrivingEntity", drivingEntity);
            where.InsertRange(1, EventFilterSql.SeqBounds("x.event_seq", filter, after));
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
            where = EventFilterSql.Build(filter, parameters);
            parameters.Add("DrivingTags", filter.Tags);
            parameters.Add("DrivingSource", filter.Source ?? filter.ScopeSource);
            parameters.Add("DrivingEntities", filter.Entities);
            where.InsertRange(0, EventFilterSql.SeqBounds("x.seq", filter, after));
            from = $"{driving} x CROSS JOIN events e ON e.seq = x.seq";
            order = $"x.seq {direction}";
        }
        else
        {
            where = EventFilterSql.Build(filter, parameters);
            from = "events e";
            order = $"e.first_day {direction}, e.date_precision {direction}, e.id {direction}";
        }

        if (after is not null)
        {
            where.Add(filter.Descending
                ? "(e.first_day, e.date_precision, e.id) < (@AfterDay, @AfterPrecision, @AfterId)"
                : "(e.first_day, e.date_precision, e.id) > (@AfterDay, @AfterPrecision, @AfterId)");
            EventFilterSql.AddCursor(parameters, after);
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
                EventFilterSql.Append(stretchSql, [.. where, stretch]);
                return stretchSql.Append(CultureInfo.InvariantCulture, $"\nORDER BY {order}\nLIMIT @Take;").ToString();
            }).ToArray();
        }

        EventFilterSql.Append(sql, where);
        sql.Append(CultureInfo.InvariantCulture, $"\nORDER BY {order}\nLIMIT @Take;");
        return [sql.ToString()];
    }

    private static string RelevanceSql(EventFilter filter, string? match, TimelinePosition? after, DynamicParameters parameters, string columns)
    {
        // Ranked inside SQLite, ties in timeline order (by number), and only the page's rows are read after the limit.
        // Deleted events are not in the search index, so unless a filter needs each match's row (category, entity,
        // tag, source), the ranking reads the search index alone, with the dates as bounds on the numbers.
        var where = EventFilterSql.Build(filter with { Search = null }, parameters);
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
                where.Add(EventFilterSql.ReachesFrom("events_fts.rowid"));
            }

            from = "events_fts";
            seq = "events_fts.rowid";
        }

        where.Insert(0, "events_fts MATCH @Match");
        where.InsertRange(1, EventFilterSql.SeqBounds("events_fts.rowid", filter, null));
        var sql = new StringBuilder($"WITH matches AS (\n    SELECT {seq} AS seq, {Score} AS score\n    FROM {from}");
        EventFilterSql.Append(sql, where);
        sql.Append("\n),\npage AS (\n    SELECT seq, score FROM matches");
        if (after is not null)
        {
            // Ties continue after the cursor's place on the timeline (the last live event at or before it), not after
            // its event's current number: that event may have moved or gone since the page was read.
            sql.Append(CultureInfo.InvariantCulture, $"\n    WHERE (score, seq) > (@AfterScore, {EventFilterSql.CursorNumber})");
            parameters.Add("AfterScore", after.Score ?? double.MinValue);
            EventFilterSql.AddCursor(parameters, after);
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
                    found[reader.GetInt64(0)] = SnippetHtml.FromMarkers(reader.GetFieldValue<byte[]>(1));
                }

                return found;
            },
            cancellationToken);
        foreach (var row in rows)
        {
            row.Snippet = snippets.GetValueOrDefault(row.Seq);
        }
    }
}

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
/// <item>A filter whose tags, source or entities hold at most <see cref="DrivingSetLimit"/> events reads those events
/// (from event_tags, citations, event_entities), checks every other condition on each and sorts them.</item>
/// <item>Otherwise the timeline index is walked in order and each event checked (a page of a common tag is found at
/// once); one category walks its own index, several merge one walk each.</item>
/// <item>A <c>from</c> date reads, in order, the events that began before it and still go on at it (a stab into the
/// covering GiST index of the days events cover, whatever the longest event), then the timeline from the date on; each
/// is its own statement, run in turn until the page is full (reversed when descending).</item>
/// <item>Relevance ranks every match from the search rows (the search area's score, <see cref="PostgresSearchSql"/>),
/// ties in timeline order, and reads the page's rows after the limit.</item>
/// </list>
/// A page that runs more than one statement (or adds snippets) runs in one repeatable-read, read-only transaction: one
/// snapshot.
/// </summary>
internal static class PostgresPagePlanner
{
    /// <summary>Events a filter's tags, source or entities hold are read from their own index when they are at most this many.</summary>
    public const int DrivingSetLimit = 10_000;

    private const string PageColumns = "SELECT e.seq, e.id, e.first_day, e.date_precision::bigint AS date_precision";

    private const string SummaryColumns = PageColumns + ", e.date, e.end_date, e.title, e.summary, e.category, e.caveats, e.tags";

    private static readonly string JsonColumns = PageColumns + ", " + PostgresEventJson.SummaryObject("e") + " AS item";

    /// <summary>
    /// Up to <c>filter.Limit</c> rows after <paramref name="after"/> on the connection, with the position of the last when
    /// there is more. <paramref name="inSnapshot"/>: the caller holds the connection in a snapshot of its own (an export);
    /// otherwise a page that needs several statements begins one.
    /// </summary>
    public static async Task<(List<PostgresPageRow> Rows, TimelinePosition? Next)> ReadPageAsync(
        NpgsqlConnection connection, EventFilter filter, TimelinePosition? after, PostgresPageContent content, bool inSnapshot, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        var columns = content == PostgresPageContent.Json ? JsonColumns : SummaryColumns;
        string[] statements;
        if (filter.Order == EventOrder.Relevance && filter.Search is not null)
        {
            statements = [RelevanceSql(filter, after, parameters, columns)];
        }
        else
        {
            var driving = await DrivingSetAsync(connection, filter, cancellationToken);
            statements = TimelineSql(filter, after, parameters, columns, driving);
        }

        NpgsqlTransaction? snapshot = null;
        if ((statements.Length > 1 || filter.Search is not null) && !inSnapshot)
        {
            snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY;", cancellationToken: cancellationToken));
        }

        try
        {
            var rows = new List<PostgresPageRow>();
            foreach (var sql in statements)
            {
                parameters.Add("Take", filter.Limit + 1 - rows.Count);
                await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)))
                {
                    rows.AddRange(await ReadRowsAsync(reader, content, cancellationToken));
                }

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

            if (filter.Search is not null && rows.Count > 0)
            {
                var snippets = await PostgresSearchSql.EventSnippetsAsync(connection, snapshot, filter.Search, rows.Select(r => r.Seq).ToList(), cancellationToken);
                foreach (var row in rows)
                {
                    row.Snippet = snippets.GetValueOrDefault(row.Seq);
                }
            }

            if (snapshot is not null)
            {
                await snapshot.CommitAsync(cancellationToken);
            }

            TimelinePosition? next = null;
            if (hasMore)
            {
                var last = rows[^1];
                next = new TimelinePosition(last.FirstDay, (int)last.DatePrecision, last.Id, filter.Order == EventOrder.Relevance ? last.Score : null);
            }

            return (rows, next);
        }
        finally
        {
            if (snapshot is not null)
            {
                await snapshot.DisposeAsync();
            }
        }
    }

    private static async Task<List<PostgresPageRow>> ReadRowsAsync(DbDataReader reader, PostgresPageContent content, CancellationToken cancellationToken)
    {
        var scoreAt = reader.FieldCount > 4 && reader.GetName(reader.FieldCount - 1) == "score" ? reader.FieldCount - 1 : -1;
        var rows = new List<PostgresPageRow>();
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
                Item = content == PostgresPageContent.Json ? reader.GetFieldValue<byte[]>(4) : null,
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

    /// <summary>A set of events that may drive a page: the SQL of their ids, and the statement counting them (up to a bound).</summary>
    private sealed record DrivingSet(string Ids, string Count);

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
        })
        {
            if (set is null)
            {
                continue;
            }

            var found = await connection.ExecuteScalarAsync<long>(new CommandDefinition(set.Count, DrivingParameters(filter), cancellationToken: cancellationToken));
            if (found <= DrivingSetLimit && found < fewest)
            {
                (best, fewest) = (set, found);
            }
        }

        return best;
    }

    /// <summary>The statements of a page in timeline order, to be run in turn until the page is full.</summary>
    private static string[] TimelineSql(EventFilter filter, TimelinePosition? after, DynamicParameters parameters, string columns, DrivingSet? driving)
    {
        if (driving is not null)
        {
            // The few events of the driving set, every filter a condition on each (read from the covering index of ids,
            // migration 0002, without the rows), sorted; only the page's rows are read.
            var where = PostgresEventFilterSql.Build(filter, parameters);
            if (after is not null)
            {
                where.Add(PostgresEventFilterSql.After(after, filter.Descending, parameters));
            }

            parameters.AddDynamicParams(DrivingParameters(filter));
            var candidates = new StringBuilder("SELECT e.seq, e.first_day, e.date_precision, e.id FROM driving JOIN events e ON e.id = driving.event_id");
            PostgresEventFilterSql.Append(candidates, where);
            return [Paged($"driving AS MATERIALIZED (SELECT DISTINCT d.event_id FROM ({driving.Ids}) d)", candidates.ToString(), columns, filter.Descending)];
        }

        // The timeline walked in order; categories each walk their own index.
        var conditions = PostgresEventFilterSql.Build(filter with { Categories = [] }, parameters);
        if (after is not null)
        {
            conditions.Add(PostgresEventFilterSql.After(after, filter.Descending, parameters));
        }

        if (filter.From is null)
        {
            return [Walk(filter, columns, conditions, parameters)];
        }

        // From a date: the events that began before it and go on at it (a stab of the covering GiST index of the days
        // events cover: as many as cover that day, however long the longest event), then the timeline from the date on;
        // in this order ascending, the other way descending.
        var reachingWhere = PostgresEventFilterSql.Build(filter, parameters);
        if (after is not null)
        {
            reachingWhere.Add(PostgresEventFilterSql.After(after, filter.Descending, parameters));
        }

        reachingWhere.Add($"{PostgresEventFilterSql.FirstDay("e")} < @FromDay");
        reachingWhere.Add("timeline_days(e.first_day, e.last_day) @> CAST(@FromDay AS date)");
        var reachingCandidates = new StringBuilder("SELECT e.seq, e.first_day, e.date_precision, e.id FROM events e");
        PostgresEventFilterSql.Append(reachingCandidates, reachingWhere);
        var reaching = Paged(null, reachingCandidates.ToString(), columns, filter.Descending);
        var onOrAfter = Walk(filter, columns, [.. conditions, $"{PostgresEventFilterSql.FirstDay("e")} >= @FromDay"], parameters);
        return filter.Descending ? [onOrAfter, reaching] : [reaching, onOrAfter];
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

    /// <summary>One statement walking the timeline (or each category's) in order under the conditions.</summary>
    private static string Walk(EventFilter filter, string columns, List<string> conditions, DynamicParameters parameters)
    {
        var order = PostgresEventFilterSql.Order("e", filter.Descending);
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

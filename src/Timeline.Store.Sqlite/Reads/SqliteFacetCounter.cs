using System.Globalization;
using System.Text;
using Dapper;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Facet counts (<see cref="IFacetCounter"/>), counted from the in-memory copy of the events (<see cref="DateCategoryIndex"/>),
/// narrowed first by SQL to a source's or a search's events; by SQL under the filter (<see cref="EventFilterSql"/>) while
/// a large store's copy is rebuilt. Category, entity and tag facets are each counted under every filter but their own;
/// the year facet under all of them, each year an event's interval overlaps within the date filter.
/// </summary>
public sealed class SqliteFacetCounter(SqliteConnections database, DateCategoryIndex dateCategories, DataVersionCache state, StoreMetrics metrics) : IFacetCounter
{
    private sealed class CountRow
    {
        public string Value { get; init; } = string.Empty;

        public string? Label { get; init; }

        public long Count { get; init; }
    }

    private sealed class SpanRow
    {
        public long FirstYear { get; init; }

        public long LastYear { get; init; }

        public long Count { get; init; }
    }

    public async Task<FacetTally> CountAsync(EventFilter filter, IReadOnlyList<string> facets, int limit, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyList<FacetCount>>(StringComparer.Ordinal);
        IReadOnlyList<YearCount> years = [];

        // Every facet is counted from the in-memory copy; a source, a search or a scope first narrows it to the events
        // they name (read by SQL from their own indexes: a source's citations, the search's matches, bounded by
        // SearchBudget). While a large store's copy is rebuilt, facets by category and year under dates and categories
        // are counted by SQL; any other facet or filter waits for the copy, which takes less time than SQL would.
        var wait = filter.Entities.Count > 0 || filter.Tags.Count > 0 || filter.NarrowsBeyondDatesAndCategories || facets.Any(f => f is "entity" or "tag");
        var inMemory = await dateCategories.GetAsync((await state.GetAsync(cancellationToken)).DataVersion, cancellationToken, wait);
        int[]? only = null;
        if (inMemory is not null && (filter.Source is not null || filter.Search is not null || filter.ScopeSource is not null))
        {
            only = await NarrowAsync(inMemory, filter, cancellationToken);
        }

        // Every facet asked for is counted from the copy in one pass over its events; unfiltered, every facet is counted
        // once per copy (so per data version) and kept with it.
        var counted = inMemory is null ? null
            : Unfiltered(filter) && only is null ? Limited(Everything.GetValue(inMemory, index => CountInMemory(index, filter, null, FacetNames.All, int.MaxValue)), limit)
            : CountInMemory(inMemory, filter, only, facets, limit);

        // The store is opened only for facets the copy cannot count (all of them in one read snapshot).
        var needsStore = inMemory is null;
        await using var connection = needsStore ? await database.OpenAsync(cancellationToken) : null;
        await using var snapshot = connection?.BeginTransaction(deferred: true);
        foreach (var facet in facets)
        {
            metrics.Facets.Add(1, new KeyValuePair<string, object?>("source", inMemory is null ? "sql" : "memory"));
            switch (facet)
            {
                case "category":
                    result[facet] = inMemory is not null
                        ? counted!.Rows["category"]
                        : await CountAsync(connection!, snapshot!, filter with { Categories = [] }, "e.category AS value, NULL AS label, COUNT(*) AS count", "", "e.category", limit, cancellationToken);
                    break;
                case "entity":
                    result[facet] = inMemory is not null
                        ? counted!.Rows["entity"]
                        : await CountAsync(
                            connection!,
                            snapshot!,
                            filter with { Entities = [] },
                            "fx.entity_id AS value, n.name AS label, COUNT(DISTINCT e.seq) AS count",
                            "JOIN event_entities fx ON fx.event_id = e.id JOIN entities n ON n.id = fx.entity_id",
                            "fx.entity_id",
                            limit,
                            cancellationToken);
                    break;
                case "tag":
                    result[facet] = inMemory is not null
                        ? counted!.Rows["tag"]
                        : await CountAsync(connection!, snapshot!, filter with { Tags = [] }, "fx.tag AS value, NULL AS label, COUNT(*) AS count", "JOIN event_tags fx ON fx.event_id = e.id", "fx.tag", limit, cancellationToken);
                    break;
                case "year":
                    var spans = inMemory is not null ? counted!.Spans : await SpansAsync(connection!, snapshot!, filter, cancellationToken);
                    years = Years(spans, filter, limit);
                    break;
            }
        }

        return new FacetTally(result, years);
    }

    private static async Task<IReadOnlyList<FacetCount>> CountAsync(
        System.Data.IDbConnection connection, System.Data.IDbTransaction snapshot, EventFilter filter, string select, string join, string groupBy, int limit, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        parameters.Add("Limit", limit);
        var sql = new StringBuilder($"SELECT {select}\nFROM events e {join}");
        EventFilterSql.Append(sql, EventFilterSql.Build(filter, parameters));
        sql.Append(CultureInfo.InvariantCulture, $"\nGROUP BY {groupBy}\nORDER BY count DESC, value\nLIMIT @Limit;");
        return (await connection.QueryAsync<CountRow>(new CommandDefinition(sql.ToString(), parameters, snapshot, cancellationToken: cancellationToken)))
            .Select(r => new FacetCount(r.Value, r.Label, r.Count)).ToList();
    }

    /// <summary>How many events start in one year and end in another (the year facet's raw counts), by SQL.</summary>
    private static async Task<IReadOnlyList<SpanRow>> SpansAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction snapshot, EventFilter filter, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        var sql = new StringBuilder(
            """
            SELECT CAST(substr(e.first_day, 1, 4) AS INTEGER) AS first_year, CAST(substr(e.last_day, 1, 4) AS INTEGER) AS last_year, COUNT(*) AS count
            FROM events e
            """);
        EventFilterSql.Append(sql, EventFilterSql.Build(filter, parameters));
        sql.Append("\nGROUP BY first_year, last_year;");
        return (await connection.QueryAsync<SpanRow>(new CommandDefinition(sql.ToString(), parameters, snapshot, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The indexes of the copy's events that can match the filter's dates: from the first that can reach `from` to the last that starts by `to`.</summary>
    private static (int Start, int End) Candidates(DateCategoryIndex.Snapshot index, EventFilter filter)
    {
        var start = filter.From is { } from ? LowerBound(index.FirstDays, from.FirstDay.DayNumber - index.LongestSpan) : 0;
        var end = filter.To is { } to ? LowerBound(index.FirstDays, to.LastDay.DayNumber + 1) : index.FirstDays.Length;
        return (start, end);
    }

    /// <summary>Which of the copy's values a filter's values are (null when the filter takes any value).</summary>
    private static bool[]? Selection(string[] values, IReadOnlyList<string> selected) =>
        selected.Count == 0 ? null : values.Select(selected.Contains).ToArray();

    /// <summary>
    /// The copy's events (their positions, ascending) that cite the filter's source and its scope's source and match its
    /// search: each read from its own index (citations by source, the search's matches).
    /// </summary>
    private async Task<int[]> NarrowAsync(DateCategoryIndex.Snapshot index, EventFilter filter, CancellationToken cancellationToken)
    {
        var sets = new List<string>();
        var parameters = new DynamicParameters();
        if (filter.Source is not null)
        {
            sets.Add("SELECT e.seq FROM citations c JOIN events e ON e.id = c.event_id WHERE c.source_id = @Source AND e.deleted_at IS NULL");
            parameters.Add("Source", filter.Source);
        }

        if (filter.ScopeSource is not null)
        {
            sets.Add("SELECT e.seq FROM citations c JOIN events e ON e.id = c.event_id WHERE c.source_id = @ScopeSource AND e.deleted_at IS NULL");
            parameters.Add("ScopeSource", filter.ScopeSource);
        }

        if (filter.Search is not null)
        {
            sets.Add("SELECT rowid FROM events_fts WHERE events_fts MATCH @Match");
            parameters.Add("Match", Fts5Match.Render(filter.Search));
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var seqs = (await connection.QueryAsync<long>(new CommandDefinition(
            string.Join("\nINTERSECT\n", sets) + ";", parameters, cancellationToken: cancellationToken))).AsList();
        var positions = new List<int>(seqs.Count);
        foreach (var seq in seqs)
        {
            var at = Array.BinarySearch(index.Seqs, seq);
            if (at >= 0)
            {
                positions.Add(at);
            }
        }

        positions.Sort();
        return [.. positions];
    }

    /// <summary>The facets counted from the copy: each facet's values, and the year facet's spans.</summary>
    private sealed record InMemoryCounts(Dictionary<string, IReadOnlyList<FacetCount>> Rows, List<SpanRow> Spans);

    /// <summary>Every facet of every value over all events, counted once for each copy of the events (each data version).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DateCategoryIndex.Snapshot, InMemoryCounts> Everything = new();

    /// <summary>Whether nothing narrows the events (each facet leaves out its own filter, so its own values do not count).</summary>
    private static bool Unfiltered(EventFilter filter) =>
        filter.From is null && filter.To is null && filter.Categories.Count == 0 && filter.Tags.Count == 0 && filter.Entities.Count == 0
        && !filter.NarrowsBeyondDatesAndCategories;

    private static InMemoryCounts Limited(InMemoryCounts all, int limit) =>
        new(all.Rows.ToDictionary(r => r.Key, r => (IReadOnlyList<FacetCount>)r.Value.Take(limit).ToList(), StringComparer.Ordinal), all.Spans);

    /// <summary>
    /// Every facet asked for, counted from the copy in one pass over the events in the filter's dates (among
    /// <paramref name="only"/> when given): category, entity and tag each under every filter but its own, the year under
    /// all of them; values most frequent first, then by value.
    /// </summary>
    private static InMemoryCounts CountInMemory(DateCategoryIndex.Snapshot index, EventFilter filter, int[]? only, IReadOnlyList<string> facets, int limit)
    {
        var (start, end) = Candidates(index, filter);
        var fromDay = filter.From?.FirstDay.DayNumber ?? int.MinValue;
        var categories = Selection(index.Categories, filter.Categories);
        var tags = Selection(index.Tags, filter.Tags);
        var entities = Selection(index.Entities, filter.Entities);
        var scope = filter.ScopeEntity is null ? null : Selection(index.Entities, [filter.ScopeEntity]);
        var categoryCounts = facets.Contains("category") ? new long[index.Categories.Length] : null;
        var entityCounts = facets.Contains("entity") ? new long[index.Entities.Length] : null;
        var tagCounts = facets.Contains("tag") ? new long[index.Tags.Length] : null;
        var spans = facets.Contains("year") ? new Dictionary<(short, short), long>() : null;
        var (from, to) = only is null ? (start, end) : (LowerBound(only, start), LowerBound(only, end));
        for (var n = from; n < to; n++)
        {
            var i = only is null ? n : only[n];
            if (index.LastDays[i] < fromDay
                || (scope is not null && !Any(index.EntityOf, index.EntityStarts[i], index.EntityStarts[i + 1], scope)))
            {
                continue;
            }

            var c = categories is null || categories[index.CategoryOf[i]];
            var t = tags is null || Any(index.TagOf, index.TagStarts[i], index.TagStarts[i + 1], tags);
            var e = entities is null || Any(index.EntityOf, index.EntityStarts[i], index.EntityStarts[i + 1], entities);
            if (categoryCounts is not null && t && e)
            {
                categoryCounts[index.CategoryOf[i]]++;
            }

            if (entityCounts is not null && c && t)
            {
                for (var k = index.EntityStarts[i]; k < index.EntityStarts[i + 1]; k++)
                {
                    entityCounts[index.EntityOf[k]]++;
                }
            }

            if (tagCounts is not null && c && e)
            {
                for (var k = index.TagStarts[i]; k < index.TagStarts[i + 1]; k++)
                {
                    tagCounts[index.TagOf[k]]++;
                }
            }

            if (spans is not null && c && t && e)
            {
                var key = (index.FirstYears[i], index.LastYears[i]);
                spans[key] = spans.GetValueOrDefault(key) + 1;
            }
        }

        var rows = new Dictionary<string, IReadOnlyList<FacetCount>>(StringComparer.Ordinal);
        if (categoryCounts is not null)
        {
            rows["category"] = Top(categoryCounts, index.Categories, null, limit);
        }

        if (entityCounts is not null)
        {
            rows["entity"] = Top(entityCounts, index.Entities, index.EntityNames, limit);
        }

        if (tagCounts is not null)
        {
            rows["tag"] = Top(tagCounts, index.Tags, null, limit);
        }

        return new InMemoryCounts(rows, spans?.Select(c => new SpanRow { FirstYear = c.Key.Item1, LastYear = c.Key.Item2, Count = c.Value }).ToList() ?? []);
    }

    private static List<FacetCount> Top(long[] counts, string[] values, string[]? labels, int limit) =>
        counts
            .Select((count, v) => new FacetCount(values[v], labels?[v], count))
            .Where(r => r.Count > 0)
            .OrderByDescending(r => r.Count).ThenBy(r => r.Value, StringComparer.Ordinal)
            .Take(limit)
            .ToList();

    /// <summary>Whether any of the values <c>of[start..end]</c> is selected.</summary>
    private static bool Any(int[] of, int start, int end, bool[] selected)
    {
        for (var k = start; k < end; k++)
        {
            if (selected[of[k]])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first position whose value is at least <paramref name="value"/> (the length if none).</summary>
    private static int LowerBound(int[] sorted, int value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (sorted[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>Each year the spans overlap within the date filter, with how many events' intervals overlap it: most first, then by year.</summary>
    private static List<YearCount> Years(IReadOnlyList<SpanRow> spans, EventFilter filter, int limit)
    {
        var rangeStart = filter.From?.FirstDay ?? DateOnly.MinValue;
        var rangeEnd = filter.To?.LastDay ?? DateOnly.MaxValue;
        var counts = new SortedDictionary<int, long>();
        foreach (var span in spans)
        {
            var first = Math.Max((int)span.FirstYear, rangeStart.Year);
            var last = Math.Min((int)span.LastYear, rangeEnd.Year);
            for (var year = first; year <= last; year++)
            {
                counts[year] = counts.GetValueOrDefault(year) + span.Count;
            }
        }

        return counts
            .OrderByDescending(c => c.Value)
            .ThenBy(c => c.Key)
            .Take(limit)
            .Select(c => new YearCount(c.Key, c.Value))
            .ToList();
    }
}

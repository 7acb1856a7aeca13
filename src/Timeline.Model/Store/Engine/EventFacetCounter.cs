using Timeline.Model.Events;

namespace Timeline.Model.Store.Engine;

/// <summary>How many events start in one year and end in another: the year facet's raw counts.</summary>
public readonly record struct YearSpan(int FirstYear, int LastYear, long Count);

/// <summary>Facets an engine counted by SQL: category, entity and tag values (those asked for), and the year facet's spans.</summary>
public sealed record StoreFacetCounts(IReadOnlyDictionary<string, IReadOnlyList<FacetCount>> Values, IReadOnlyList<YearSpan> Spans);

/// <summary>
/// Facet counts (<see cref="IFacetCounter"/>) as every engine gives them: counted from the in-memory copy of the events
/// (<see cref="EventFacetCopy"/>), narrowed first by the engine's SQL to a source's or a search's events
/// (<see cref="NarrowAsync"/>); by the engine's SQL under the filter (<see cref="CountByStoreAsync"/>) while a large
/// store's copy is reloaded, or when the copy is off. Category, entity and tag facets are each counted under every
/// filter but their own; the year facet under all of them, each year an event's interval overlaps within the date filter.
/// </summary>
public abstract class EventFacetCounter(EventFacetCopy copy, IDataVersion versions) : IFacetCounter
{
    /// <summary>Every facet of every value over all events, counted once for each copy of the events (each data version).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<EventFacetSnapshot, InMemoryCounts> Everything = new();

    /// <summary>No filter at all.</summary>
    private static readonly EventFilter NoFilter = new(null, null, [], [], [], null, null, EventOrder.Date, 0, null);

    /// <summary>
    /// The numbers of the live events that cite the filter's source and its scope's source and match its search (as many
    /// of these as the filter has; at least one): each read from its own index.
    /// </summary>
    protected abstract Task<IReadOnlyCollection<long>> NarrowAsync(EventFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// The facets asked for, counted by SQL in one snapshot of the store: category, entity (labelled with the entity's
    /// name) and tag values each under every filter but its own, most frequent first, then by value, at most
    /// <paramref name="limit"/>; the year facet's spans under the whole filter.
    /// </summary>
    protected abstract Task<StoreFacetCounts> CountByStoreAsync(EventFilter filter, IReadOnlyList<string> facets, int limit, CancellationToken cancellationToken);

    /// <summary>Records that one facet was counted, from "memory" or by "sql" (the metric timeline.facets.counted).</summary>
    protected abstract void Counted(string source);

    public async Task<FacetTally> CountAsync(EventFilter filter, IReadOnlyList<string> facets, int limit, CancellationToken cancellationToken)
    {
        // Every facet is counted from the in-memory copy; a source, a search or a scope first narrows it to the events
        // they name (read by SQL from their own indexes: a source's citations, the search's matches, bounded by the
        // search budget). While a large store's copy is reloaded, facets by category and year under dates and categories
        // are counted by SQL; any other facet or filter waits for the copy, which takes less time than SQL would.
        var wait = filter.Entities.Count > 0 || filter.Tags.Count > 0 || filter.NarrowsBeyondDatesAndCategories || facets.Any(f => f is FacetNames.Entity or FacetNames.Tag);
        var inMemory = await copy.GetAsync((await versions.GetAsync(cancellationToken)).DataVersion, cancellationToken, wait);
        if (inMemory is null)
        {
            var counted = await CountByStoreAsync(filter, facets, limit, cancellationToken);
            return Tally(counted.Values, counted.Spans, filter, facets, limit, "sql");
        }

        int[]? only = null;
        if (filter.Source is not null || filter.Search is not null || filter.ScopeSource is not null)
        {
            only = inMemory.PositionsOf(await NarrowAsync(filter, cancellationToken));
        }

        // Every facet asked for is counted from the copy in one pass over its events; unfiltered, every facet is counted
        // once per copy (so per data version) and kept with it.
        var counts = Unfiltered(filter) && only is null
            ? Limited(CountEverything(inMemory), limit)
            : CountInMemory(inMemory, filter, only, facets, limit);
        return Tally(counts.Rows, counts.Spans, filter, facets, limit, "memory");
    }

    /// <summary>Each entity's number of live events in the copy (entities without any are left out): counted once per copy.</summary>
    public static IReadOnlyDictionary<string, long> EntityEventCounts(EventFacetSnapshot snapshot) =>
        CountEverything(snapshot).Rows[FacetNames.Entity].ToDictionary(c => c.Value, c => c.Count, StringComparer.Ordinal);

    private static InMemoryCounts CountEverything(EventFacetSnapshot snapshot) =>
        Everything.GetValue(snapshot, index => CountInMemory(index, NoFilter, null, FacetNames.All, int.MaxValue));

    private FacetTally Tally(IReadOnlyDictionary<string, IReadOnlyList<FacetCount>> values, IReadOnlyList<YearSpan> spans, EventFilter filter, IReadOnlyList<string> facets, int limit, string source)
    {
        var result = new Dictionary<string, IReadOnlyList<FacetCount>>(StringComparer.Ordinal);
        IReadOnlyList<YearCount> years = [];
        foreach (var facet in facets)
        {
            Counted(source);
            if (facet == FacetNames.Year)
            {
                years = Years(spans, filter, limit);
            }
            else if (values.TryGetValue(facet, out var counted))
            {
                result[facet] = counted;
            }
        }

        return new FacetTally(result, years);
    }

    /// <summary>The facets counted from the copy: each facet's values, and the year facet's spans.</summary>
    private sealed record InMemoryCounts(Dictionary<string, IReadOnlyList<FacetCount>> Rows, List<YearSpan> Spans);

    /// <summary>Whether nothing narrows the events (each facet leaves out its own filter, so its own values do not count).</summary>
    private static bool Unfiltered(EventFilter filter) =>
        filter.From is null && filter.To is null && filter.Categories.Count == 0 && filter.Tags.Count == 0 && filter.Entities.Count == 0
        && !filter.NarrowsBeyondDatesAndCategories;

    private static InMemoryCounts Limited(InMemoryCounts all, int limit) =>
        new(all.Rows.ToDictionary(r => r.Key, r => (IReadOnlyList<FacetCount>)r.Value.Take(limit).ToList(), StringComparer.Ordinal), all.Spans);

    /// <summary>The indexes of the copy's events that can match the filter's dates: from the first that can reach `from` to the last that starts by `to`.</summary>
    private static (int Start, int End) Candidates(EventFacetSnapshot index, EventFilter filter)
    {
        var start = filter.From is { } from ? LowerBound(index.FirstDays, from.FirstDay.DayNumber - index.LongestSpan) : 0;
        var end = filter.To is { } to ? LowerBound(index.FirstDays, to.LastDay.DayNumber + 1) : index.FirstDays.Length;
        return (start, end);
    }

    /// <summary>Which of the copy's values a filter's values are (null when the filter takes any value).</summary>
    private static bool[]? Selection(string[] values, IReadOnlyList<string> selected) =>
        selected.Count == 0 ? null : values.Select(selected.Contains).ToArray();

    /// <summary>
    /// Every facet asked for, counted from the copy in one pass over the events in the filter's dates (among
    /// <paramref name="only"/> when given): category, entity and tag each under every filter but its own, the year under
    /// all of them; values most frequent first, then by value.
    /// </summary>
    private static InMemoryCounts CountInMemory(EventFacetSnapshot index, EventFilter filter, int[]? only, IReadOnlyList<string> facets, int limit)
    {
        var (start, end) = Candidates(index, filter);
        var fromDay = filter.From?.FirstDay.DayNumber ?? int.MinValue;
        var categories = Selection(index.Categories, filter.Categories);
        var tags = Selection(index.Tags, filter.Tags);
        var entities = Selection(index.Entities, filter.Entities);
        var scope = filter.ScopeEntity is null ? null : Selection(index.Entities, [filter.ScopeEntity]);
        var categoryCounts = facets.Contains(FacetNames.Category) ? new long[index.Categories.Length] : null;
        var entityCounts = facets.Contains(FacetNames.Entity) ? new long[index.Entities.Length] : null;
        var tagCounts = facets.Contains(FacetNames.Tag) ? new long[index.Tags.Length] : null;
        var spans = facets.Contains(FacetNames.Year) ? new Dictionary<(short, short), long>() : null;
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
            rows[FacetNames.Category] = Top(categoryCounts, index.Categories, null, limit);
        }

        if (entityCounts is not null)
        {
            rows[FacetNames.Entity] = Top(entityCounts, index.Entities, index.EntityNames, limit);
        }

        if (tagCounts is not null)
        {
            rows[FacetNames.Tag] = Top(tagCounts, index.Tags, null, limit);
        }

        return new InMemoryCounts(rows, spans?.Select(c => new YearSpan(c.Key.Item1, c.Key.Item2, c.Value)).ToList() ?? []);
    }

    private static List<FacetCount> Top(long[] counts, string[] values, string[]? labels, int limit) =>
        counts
            .Select((count, v) => new FacetCount(values[v], labels?[v], count))
            .Where(r => r.Count > 0)
            .OrderByDescending(r => r.Count).ThenBy(r => r.Value, StringComparer.Ordinal)
            .Take(limit)
            .ToList();

    /// <summary>Whether any of <c>of[start..end]</c> is selected.</summary>
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
    private static List<YearCount> Years(IReadOnlyList<YearSpan> spans, EventFilter filter, int limit)
    {
        var rangeStart = filter.From?.FirstDay ?? DateOnly.MinValue;
        var rangeEnd = filter.To?.LastDay ?? DateOnly.MaxValue;
        var counts = new SortedDictionary<int, long>();
        foreach (var span in spans)
        {
            var first = Math.Max(span.FirstYear, rangeStart.Year);
            var last = Math.Min(span.LastYear, rangeEnd.Year);
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

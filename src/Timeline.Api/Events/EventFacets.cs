using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;
using Timeline.Model.Dates;
using Timeline.Model.Store;

namespace Timeline.Api.Events;

/// <summary>One value of a facet: how many events have it under the other filters, and the link that applies it.</summary>
/// <param name="Value">The value: a category, a year, an entity id or a tag.</param>
/// <param name="Label">A display name where the value is an id (entity names), else the value.</param>
/// <param name="Count">How many events GET /events returns at `link`.</param>
/// <param name="Selected">Whether the current filters already select this value.</param>
/// <param name="Link">GET /events with the current filters and this value applied.</param>
public sealed record FacetValue(string Value, string Label, long Count, bool Selected, string Link);

/// <summary>Counts per value for each facet asked for.</summary>
/// <param name="Facets">Facet name (category, year, entity, tag) to its values, most frequent first.</param>
public sealed record FacetCounts(IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Facets);

/// <summary>
/// Facets as GET /events/facets answers them: the store's counts (<see cref="IFacetCounter"/>) with, for each value, its
/// display label, whether the current filters select it, and the link to GET /events with it applied. Category, entity and
/// tag facets are disjunctive (each counted under every filter but its own), so every value stays visible and its count
/// is exactly what its link returns; the year facet's link narrows the date range to that year.
/// </summary>
public sealed class EventFacets(IFacetCounter counter)
{
    public static readonly string[] Names = FacetNames.All;

    public async Task<FacetCounts> CountAsync(EventFilter filter, IReadOnlyList<string> facets, int limit, HttpRequest request, CancellationToken cancellationToken)
    {
        var tally = await counter.CountAsync(filter, facets, limit, cancellationToken);
        var result = new Dictionary<string, IReadOnlyList<FacetValue>>(StringComparer.Ordinal);
        foreach (var facet in facets)
        {
            var values = new List<FacetValue>();
            switch (facet)
            {
                case "category":
                    foreach (var row in tally.Values[facet])
                    {
                        values.Add(new FacetValue(row.Value, row.Value, row.Count, filter.Categories.Contains(row.Value), Link(request, "category", [("category", row.Value)])));
                    }

                    break;
                case "entity":
                    foreach (var row in tally.Values[facet])
                    {
                        values.Add(new FacetValue(row.Value, row.Label ?? row.Value, row.Count, filter.Entities.Contains(row.Value), Link(request, "entity", [("entity", row.Value)])));
                    }

                    break;
                case "tag":
                    foreach (var row in tally.Values[facet])
                    {
                        values.Add(new FacetValue(row.Value, row.Value, row.Count, filter.Tags.Contains(row.Value), Link(request, "tag", [("tag", row.Value)])));
                    }

                    break;
                case "year":
                    values.AddRange(Years(tally.Years, filter, request));
                    break;
            }

            result[facet] = values;
        }

        return new FacetCounts(result);
    }

    private static IEnumerable<FacetValue> Years(IReadOnlyList<YearCount> years, EventFilter filter, HttpRequest request)
    {
        var rangeStart = filter.From?.FirstDay ?? DateOnly.MinValue;
        var rangeEnd = filter.To?.LastDay ?? DateOnly.MaxValue;
        return years.Select(c =>
        {
            // The year, narrowed to the date filter where it cuts into the year; an interval that
            // overlaps both the filter and the year overlaps their intersection, so the counts agree.
            var from = Max(new DateOnly(c.Year, 1, 1), rangeStart);
            var to = Min(new DateOnly(c.Year, 12, 31), rangeEnd);
            var fromText = from == new DateOnly(c.Year, 1, 1) ? c.Year.ToString("0000", CultureInfo.InvariantCulture) : PartialDate.FormatDay(from);
            var toText = to == new DateOnly(c.Year, 12, 31) ? c.Year.ToString("0000", CultureInfo.InvariantCulture) : PartialDate.FormatDay(to);
            var year = c.Year.ToString("0000", CultureInfo.InvariantCulture);
            var selected = filter.From is not null && filter.To is not null && from == rangeStart && to == rangeEnd;
            return new FacetValue(year, year, c.Count, selected, Link(request, "year", [("from", fromText), ("to", toText)]));
        });
    }

    /// <summary>/events with the request's filters, the facet's own filter replaced by the value.</summary>
    private static string Link(HttpRequest request, string facet, (string Key, string Value)[] apply)
    {
        var replaced = facet == "year" ? new[] { "from", "to" } : [facet];
        var query = new QueryBuilder();
        foreach (var (key, values) in request.Query)
        {
            if (replaced.Contains(key, StringComparer.OrdinalIgnoreCase)
                || key.Equals("facet", StringComparison.OrdinalIgnoreCase)
                || key.Equals("facetLimit", StringComparison.OrdinalIgnoreCase)
                || key.Equals("cursor", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var value in values)
            {
                query.Add(key, value ?? string.Empty);
            }
        }

        foreach (var (key, value) in apply)
        {
            query.Add(key, value);
        }

        return $"{request.PathBase}/events{query}";
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}

using System.Globalization;
using System.Text.Json.Nodes;
using Timeline.Api.Dates;

namespace Timeline.Api.Tests;

/// <summary>
/// An ascending list from a date starts with the events that began before the date and still go on at it. The
/// store reads them in stretches (more than 366 days before, 31 to 366 days before, the rest) from indexes of
/// long events; the events here begin on and around those stretches' edges, with spans that end just before,
/// on and just after the date, and every page must be exactly what the timeline says.
/// </summary>
public sealed class LongEventListTests : IClassFixture<LongEventListTests.App>
{
    private static readonly DateOnly From = new(2020, 3, 1);
    private static readonly DateOnly To = new(2020, 9, 30);

    public sealed class App() : TimelineApp(SyntheticDataset.Write(Dataset()));

    private readonly App _app;

    public LongEventListTests(App app) => _app = app;

    private static JsonObject Dataset()
    {
        var dataset = SyntheticDataset.Build(40);
        var events = dataset["events"]!.AsArray();
        string[] categories = ["sanction", "entity-listing"];
        var n = 0;
        foreach (var before in new[] { 1500, 1460, 800, 368, 367, 366, 365, 200, 33, 32, 31, 30, 1, 0 })
        {
            foreach (var overshoot in new[] { -1, 0, 3 })
            {
                var first = From.AddDays(-before);
                var last = From.AddDays(overshoot);
                if (last < first)
                {
                    continue;
                }

                events.Add(new JsonObject
                {
                    ["id"] = string.Create(CultureInfo.InvariantCulture, $"long-{before:0000}-{overshoot + 1}"),
                    ["date"] = PartialDate.FormatDay(first),
                    ["endDate"] = last == first ? null : PartialDate.FormatDay(last),
                    ["title"] = string.Create(CultureInfo.InvariantCulture, $"Began {before} days before"),
                    ["summary"] = "A long synthetic event.",
                    ["category"] = categories[n++ % categories.Length],
                    ["tags"] = new JsonArray("long"),
                    ["caveats"] = new JsonArray(),
                    ["entities"] = new JsonArray(new JsonObject { ["id"] = "acme", ["role"] = "subject" }),
                    ["citations"] = new JsonArray(new JsonObject { ["source"] = "report", ["quote"] = "Alpha report." }),
                });
            }
        }

        // Year-precision events of the years before: each covers its whole year.
        foreach (var year in new[] { "2016", "2018", "2019" })
        {
            events.Add(new JsonObject
            {
                ["id"] = $"year-{year}",
                ["date"] = year,
                ["endDate"] = year == "2016" ? "2020-03" : null,
                ["title"] = $"The year {year}",
                ["summary"] = "A year-long synthetic event.",
                ["category"] = "sanction",
                ["tags"] = new JsonArray("long"),
                ["caveats"] = new JsonArray(),
                ["entities"] = new JsonArray(new JsonObject { ["id"] = "globex", ["role"] = "subject" }),
                ["citations"] = new JsonArray(new JsonObject { ["source"] = "report", ["quote"] = "Beta chip shipped." }),
            });
        }

        return dataset;
    }

    /// <summary>What the timeline says: every event whose days meet [From, To], in timeline order.</summary>
    private static List<string> Expected(string? category)
    {
        return Dataset()["events"]!.AsArray()
            .Select(e => (
                Id: (string)e!["id"]!,
                Date: PartialDate.Parse((string)e["date"]!),
                End: e["endDate"] is { } end ? PartialDate.Parse((string)end!) : (PartialDate?)null,
                Category: (string)e["category"]!))
            .Where(e => (e.End ?? e.Date).LastDay >= From && e.Date.FirstDay <= To && (category is null || e.Category == category))
            .OrderBy(e => e.Date.FirstDay).ThenBy(e => (int)e.Date.Precision).ThenBy(e => e.Id, StringComparer.Ordinal)
            .Select(e => e.Id)
            .ToList();
    }

    [Theory]
    [InlineData(null, 4)]
    [InlineData(null, 50)]
    [InlineData("sanction", 3)]
    [InlineData("entity-listing", 7)]
    public async Task Paging_an_ascending_list_from_a_date_gives_every_event_that_reaches_it_once_in_timeline_order(string? category, int limit)
    {
        using var client = _app.CreateClient();
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var url = $"/events?from=2020-03-01&to=2020-09-30&sort=date&limit={limit}"
                + (category is null ? "" : "&category=" + category)
                + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await client.GetJsonAsync(url);
            ids.AddRange(page.Ids());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        var expected = Expected(category);
        Assert.Contains(expected, id => id.StartsWith("long-1460", StringComparison.Ordinal) || id.StartsWith("long-0800", StringComparison.Ordinal));
        Assert.Contains(expected, id => id.StartsWith("long-0365", StringComparison.Ordinal) || id.StartsWith("long-0032", StringComparison.Ordinal));
        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task The_descending_list_is_the_same_events_in_reverse()
    {
        using var client = _app.CreateClient();
        var page = await client.GetJsonAsync("/events?from=2020-03-01&to=2020-09-30&sort=-date&limit=200");
        var expected = Expected(null);
        Assert.Contains("year-2016", expected);
        Assert.DoesNotContain("year-2019", expected);
        Assert.Equal(Enumerable.Reverse(expected), page.Ids());
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Timeline.Model.Dates;
using Xunit.Abstractions;

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

    public LongEventListTests(App app, ITestOutputHelper output)
    {
        _app = app.LoggingTo(output);
        _output = output;
    }

    private readonly ITestOutputHelper _output;

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
    private static List<string> Expected(string? category, string? entity = null)
    {
        return Dataset()["events"]!.AsArray()
            .Select(e => (
                Id: (string)e!["id"]!,
                Date: PartialDate.Parse((string)e["date"]!),
                End: e["endDate"] is { } end ? PartialDate.Parse((string)end!) : (PartialDate?)null,
                Category: (string)e["category"]!,
                Entities: e["entities"]!.AsArray().Select(link => (string)link!["id"]!).ToList()))
            .Where(e => (e.End ?? e.Date).LastDay >= From && e.Date.FirstDay <= To && (category is null || e.Category == category)
                && (entity is null || e.Entities.Contains(entity)))
            .OrderBy(e => e.Date.FirstDay).ThenBy(e => (int)e.Date.Precision).ThenBy(e => e.Id, StringComparer.Ordinal)
            .Select(e => e.Id)
            .ToList();
    }

    [Theory]
    [InlineData(null, 4, null)]
    [InlineData(null, 50, null)]
    [InlineData("sanction", 3, null)]
    [InlineData("entity-listing", 7, null)]
    [InlineData(null, 5, "acme")]
    [InlineData("sanction", 2, "acme")]
    public async Task Paging_an_ascending_list_from_a_date_gives_every_event_that_reaches_it_once_in_timeline_order(string? category, int limit, string? entity)
    {
        using var client = _app.CreateClient();
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var url = $"/events?from=2020-03-01&to=2020-09-30&sort=date&limit={limit}"
                + (category is null ? "" : "&category=" + category)
                + (entity is null ? "" : "&entity=" + entity)
                + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await client.GetJsonAsync(url);
            ids.AddRange(page.Ids());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        var expected = Expected(category, entity);
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

    [Fact]
    public async Task An_event_whose_end_moves_across_the_date_joins_and_leaves_its_entity_list_from_that_date()
    {
        using var app = new App().LoggingTo(_output);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TimelineApp.EditorKey);
        const string List = "/events?entity=acme&from=2020-03-01&to=2020-09-30&sort=date&limit=200";
        const string Id = "long-0800-0"; // began 800 days before the date and ended the day before it
        Assert.DoesNotContain(Id, (await client.GetJsonAsync(List)).Ids());

        var current = await client.GetAsync($"/events/{Id}");
        var record = System.Text.Json.Nodes.JsonNode.Parse(await current.Content.ReadAsStringAsync())!.AsObject();
        await Change("2020-03-02");
        Assert.Contains(Id, (await client.GetJsonAsync(List)).Ids());
        Assert.Contains(Id, (await client.GetJsonAsync("/events?from=2020-03-01&to=2020-09-30&sort=date&limit=200")).Ids());

        await Change("2020-02-28");
        Assert.DoesNotContain(Id, (await client.GetJsonAsync(List)).Ids());

        async Task Change(string endDate)
        {
            var latest = await client.GetAsync($"/events/{Id}");
            var body = new JsonObject
            {
                ["id"] = Id,
                ["date"] = (string)record["date"]!,
                ["endDate"] = endDate,
                ["title"] = (string)record["title"]!,
                ["summary"] = (string)record["summary"]!,
                ["category"] = (string)record["category"]!,
                ["tags"] = new JsonArray("long"),
                ["caveats"] = new JsonArray(),
                ["entities"] = new JsonArray(new JsonObject { ["id"] = "acme", ["role"] = "subject" }),
                ["citations"] = new JsonArray(new JsonObject { ["source"] = "report", ["quote"] = "Alpha report." }),
            };
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/events/{Id}") { Content = System.Net.Http.Json.JsonContent.Create(body) };
            request.Headers.IfMatch.Add(latest.Headers.ETag!);
            using var response = await client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }
}

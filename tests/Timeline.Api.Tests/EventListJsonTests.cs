using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Lists write each event as the JSON object SQLite builds from its row (Events/EventJson.cs). Every listed event must
/// read exactly as the same event does in full (GET /events/{id}, serialised from the C# record), with the same
/// properties in the same order, whatever its text holds.
/// </summary>
public class EventListJsonTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private static readonly string[] SummaryProperties = ["id", "date", "datePrecision", "endDate", "title", "summary", "category", "tags", "caveats"];

    private readonly HttpClient _client = fixture.CreateClient();

    private static async Task<List<JsonElement>> AssertItemsReadAsInFullAsync(HttpClient client, string url, bool snippets)
    {
        var page = await client.GetJsonAsync(url);
        Assert.Equal(["items", "nextCursor"], page.EnumerateObject().Select(p => p.Name));
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        foreach (var item in items)
        {
            Assert.Equal(snippets ? [.. SummaryProperties, "snippet"] : SummaryProperties, item.EnumerateObject().Select(p => p.Name));
            var id = item.GetProperty("id").GetString()!;
            var detail = await client.GetJsonAsync("/events/" + Uri.EscapeDataString(id));
            foreach (var name in SummaryProperties)
            {
                Assert.True(
                    JsonElement.DeepEquals(detail.GetProperty(name), item.GetProperty(name)),
                    $"{url}: event {id}'s {name} is {item.GetProperty(name)} in the list and {detail.GetProperty(name)} in full");
            }

            if (snippets)
            {
                Assert.Contains("<mark>", item.GetProperty("snippet").GetString(), StringComparison.Ordinal);
            }
        }

        return items;
    }

    [Theory]
    [InlineData("/events?limit=200", false)]
    [InlineData("/events?sort=-date&category=entity-listing&category=sanction", false)]
    [InlineData("/events?entity=smic&from=2019", false)]
    [InlineData("/events?from=2020-12&to=2020-12", false)]
    [InlineData("/entities/huawei/events?limit=200", false)]
    [InlineData("/sources/" + Curation.SourceId + "/events?limit=200", false)]
    [InlineData("/events?q=kirin&limit=200", true)]
    [InlineData("/events?q=kirin&sort=relevance&limit=200", true)]
    [InlineData("/events?q=sanctions&sort=-date&limit=200", true)]
    public async Task Every_listed_event_reads_as_it_does_in_full(string url, bool snippets) =>
        await AssertItemsReadAsInFullAsync(_client, url, snippets);

    [Fact]
    public async Task Text_that_JSON_must_escape_lists_exactly_as_written()
    {
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        var tricky = Curation.NewEvent(
            "json-escaping-check",
            "He said \"Kirin\\9000S\" <b>&amp;</b> \u2028 it’s 😀 עברית end");
        tricky["summary"] = "Line one.\nLine two,\ttabbed; </script><script>alert(1)</script>";
        tricky["caveats"] = new JsonArray("A \"quoted\" caveat", "A back\\slash and a unicode ‘quote’.");
        tricky["endDate"] = "2024-01-15";
        using var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", tricky);
        await created.AssertStatusAsync(HttpStatusCode.Created);

        var items = await AssertItemsReadAsInFullAsync(_client, "/events?category=analysis&from=2023-09&to=2023-09&limit=200", snippets: false);
        var listed = items.Single(i => i.GetProperty("id").GetString() == "json-escaping-check");
        Assert.Equal(tricky["title"]!.GetValue<string>(), listed.GetProperty("title").GetString());
        Assert.Equal(tricky["summary"]!.GetValue<string>(), listed.GetProperty("summary").GetString());
        Assert.Equal(["A \"quoted\" caveat", "A back\\slash and a unicode ‘quote’."], listed.GetProperty("caveats").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("2024-01-15", listed.GetProperty("endDate").GetString());
        Assert.Equal("month", listed.GetProperty("datePrecision").GetString());

        var found = await AssertItemsReadAsInFullAsync(_client, "/events?q=%22line%20two%22", snippets: true);
        Assert.Contains(found, i => i.GetProperty("id").GetString() == "json-escaping-check");
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Facets by category and year counted from the in-memory copy of days and categories (Timeline.Store.Sqlite/Reads/DateCategoryIndex.cs)
/// are exactly those counted by SQL, on a generated store with spans of up to four years, and follow writes.
/// </summary>
public class FacetIndexTests(ITestOutputHelper output)
{
    private sealed class GeneratedApp(string dataset, bool index) : OperationsApp(new Dictionary<string, string>
    {
        ["Timeline:SeedPath"] = dataset,
        ["Timeline:DateCategoryIndex"] = index ? "true" : "false",
    });

    private static string Generated()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("timeline-generated-").FullName, "generated.json");
        using var file = File.Create(path);
        Timeline.Model.Dataset.DatasetGenerator.Write(4_000, 7, file);
        return path;
    }

    private static async Task<long> FacetsCountedAsync(OperationsApp app, string source)
    {
        using var client = app.CreateClient();
        var line = (await client.GetStringAsync("/metrics")).Split('\n')
            .SingleOrDefault(l => l.StartsWith("timeline_facets_counted", StringComparison.Ordinal) && l.Contains($"source=\"{source}\"", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Counts_from_memory_equal_counts_from_sql_for_every_date_and_category_filter()
    {
        var dataset = Generated();
        using var withIndex = new GeneratedApp(dataset, index: true).LoggingTo(output);
        using var withoutIndex = new GeneratedApp(dataset, index: false).LoggingTo(output);
        using var fast = withIndex.CreateClient();
        using var sql = withoutIndex.CreateClient();

        string[] filters =
        [
            "",
            "&from=2012-03-05&to=2013-02-27",
            "&from=2000&to=2000",
            "&from=1995-06",
            "&to=1992-02-29",
            "&from=2020-01-01&to=2020-01-01",
            "&from=2010&to=2015&category=sanction",
            "&from=2010&to=2015&category=sanction&category=statement",
            "&category=analysis",
        ];
        foreach (var filter in filters)
        {
            var url = "/events/facets?facet=category&facet=year&facetLimit=100" + filter;
            var expected = await sql.GetStringAsync(url);
            Assert.Equal(expected, await fast.GetStringAsync(url));
            Assert.Contains("\"count\"", expected, StringComparison.Ordinal);
        }

        // Each app counted its own way.
        Assert.Equal(2 * filters.Length, await FacetsCountedAsync(withIndex, "memory"));
        Assert.Equal(0, await FacetsCountedAsync(withIndex, "sql"));
        Assert.Equal(2 * filters.Length, await FacetsCountedAsync(withoutIndex, "sql"));

        // Past every event: nothing to count, either way.
        const string Empty = "/events/facets?facet=category&facet=year&from=2045&to=2050";
        Assert.Equal(await sql.GetStringAsync(Empty), await fast.GetStringAsync(Empty));

        // A write moves the data version on: the copy is rebuilt and counts the new event.
        const string After = "/events/facets?facet=category&facet=year&from=1989&to=1989";
        Assert.Equal(await sql.GetStringAsync(After), await fast.GetStringAsync(After));
        using var editor = withIndex.CreateClient(withIndex.EditorKey);
        // A copy of a generated event (its entities and verbatim quote), dated before every other one.
        var firstId = JsonNode.Parse(await fast.GetStringAsync("/events?limit=1"))!["items"]![0]!["id"]!.GetValue<string>();
        var model = JsonNode.Parse(await fast.GetStringAsync($"/events/{firstId}"))!;
        var created = Curation.NewEvent("a-new-event-in-1989");
        created["date"] = "1989-07";
        created["category"] = "sanction";
        created["entities"] = new JsonArray(model["entities"]!.AsArray().Select(e => (JsonNode)new JsonObject { ["id"] = e!["id"]!.GetValue<string>(), ["role"] = e["role"]!.GetValue<string>() }).ToArray());
        created["citations"] = new JsonArray(model["citations"]!.AsArray().Select(c => (JsonNode)new JsonObject { ["source"] = c!["sourceId"]!.GetValue<string>(), ["quote"] = c["quote"]!.GetValue<string>() }).ToArray());
        using var response = await editor.SendJsonAsync(HttpMethod.Post, "/events", created);
        await response.AssertStatusAsync(HttpStatusCode.Created);

        var facets = JsonNode.Parse(await fast.GetStringAsync(After))!["facets"]!;
        Assert.Equal(1, facets["category"]!.AsArray().Single(v => v!["value"]!.GetValue<string>() == "sanction")!["count"]!.GetValue<long>());
        Assert.Equal(1, facets["year"]!.AsArray().Single(v => v!["value"]!.GetValue<string>() == "1989")!["count"]!.GetValue<long>());
    }

    [Fact]
    public async Task Every_facet_under_dates_categories_entities_and_tags_is_counted_from_memory_exactly_as_by_sql()
    {
        var dataset = Generated();
        using var withIndex = new GeneratedApp(dataset, index: true).LoggingTo(output);
        using var withoutIndex = new GeneratedApp(dataset, index: false).LoggingTo(output);
        using var fast = withIndex.CreateClient();
        using var sql = withoutIndex.CreateClient();
        var top = JsonNode.Parse(await sql.GetStringAsync("/events/facets?facet=entity&facet=tag&facetLimit=2"))!["facets"]!;
        var (e1, e2) = (top["entity"]![0]!["value"]!.GetValue<string>(), top["entity"]![1]!["value"]!.GetValue<string>());
        var (t1, t2) = (top["tag"]![0]!["value"]!.GetValue<string>(), top["tag"]![1]!["value"]!.GetValue<string>());
        var sample = JsonNode.Parse(await sql.GetStringAsync("/events?limit=1&sort=-date"))!["items"]![0]!["id"]!.GetValue<string>();
        var sampled = JsonNode.Parse(await sql.GetStringAsync($"/events/{sample}"))!;
        var source = sampled["citations"]![0]!["sourceId"]!.GetValue<string>();
        var word = sampled["title"]!.GetValue<string>().Split(' ')[0].ToLowerInvariant();

        string[] filters =
        [
            "",
            "&from=2000&to=2004",
            $"&tag={t1}",
            $"&tag={t1}&tag={t2}&category=sanction",
            $"&entity={e1}",
            $"&entity={e1}&entity={e2}&from=2010",
            $"&entity={e1}&tag={t2}&to=2000",
            "&tag=no-such-tag",
            "&category=analysis&from=1995-06",
            $"&source={source}",
            $"&source={source}&tag={t1}&from=2000",
            $"&q={word}",
            $"&q={word}&entity={e1}&to=2020",
        ];
        foreach (var filter in filters)
        {
            var url = "/events/facets?facet=category&facet=year&facet=entity&facet=tag&facetLimit=500" + filter;
            var expected = await sql.GetStringAsync(url);
            Assert.Equal(expected, await fast.GetStringAsync(url));
        }

        // Unfiltered entity and tag facets (10 s at 1,000,000 events by SQL) and every filtered one came from memory (a
        // source or a search first read from its own index).
        Assert.Equal(4 * filters.Length, await FacetsCountedAsync(withIndex, "memory"));
        Assert.Equal(0, await FacetsCountedAsync(withIndex, "sql"));

        // A write moves the data version on: the copy is rebuilt, and the unfiltered counts follow.
        using var editor = withIndex.CreateClient(withIndex.EditorKey);
        var firstId = JsonNode.Parse(await fast.GetStringAsync("/events?limit=1"))!["items"]![0]!["id"]!.GetValue<string>();
        var model = JsonNode.Parse(await fast.GetStringAsync($"/events/{firstId}"))!;
        var created = Curation.NewEvent("an-event-with-a-new-tag");
        created["tags"] = new JsonArray("a-tag-no-other-event-has");
        created["entities"] = new JsonArray(model["entities"]!.AsArray().Select(e => (JsonNode)new JsonObject { ["id"] = e!["id"]!.GetValue<string>(), ["role"] = e["role"]!.GetValue<string>() }).ToArray());
        created["citations"] = new JsonArray(model["citations"]!.AsArray().Select(c => (JsonNode)new JsonObject { ["source"] = c!["sourceId"]!.GetValue<string>(), ["quote"] = c["quote"]!.GetValue<string>() }).ToArray());
        using var response = await editor.SendJsonAsync(HttpMethod.Post, "/events", created);
        await response.AssertStatusAsync(HttpStatusCode.Created);

        var tags = JsonNode.Parse(await fast.GetStringAsync("/events/facets?facet=tag&facetLimit=500"))!["facets"]!["tag"]!.AsArray();
        Assert.Equal(1, tags.Single(v => v!["value"]!.GetValue<string>() == "a-tag-no-other-event-has")!["count"]!.GetValue<long>());
        Assert.Equal(0, await FacetsCountedAsync(withIndex, "sql"));
    }
}

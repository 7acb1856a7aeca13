using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Facets, entities and sources on two replicas of one PostgreSQL database: the facets' in-memory copy and the event
/// counts kept per data version follow a write made through the other replica (within Timeline:DataVersionRefreshMilliseconds),
/// and facets counted from the copy equal those counted by SQL on the same database.
/// </summary>
public class PostgresFacetReplicaTests(ITestOutputHelper output)
{
    private const int RefreshMilliseconds = 300;

    private sealed class ReplicaApp(string seedPath, string? shared, bool copy = true) : TimelineApp(seedPath)
    {
        public string Database => shared ?? PostgresConnectionString!;

        protected override void ConfigureSettings(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:Timeline", Database);
            builder.UseSetting("Timeline:DataVersionRefreshMilliseconds", RefreshMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Timeline:DateCategoryIndex", copy ? "true" : "false");
        }
    }

    private const string Facets = "/events/facets?facet=category&facet=year&facet=entity&facet=tag&facetLimit=100";

    private static long Count(JsonElement list, string id) =>
        list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == id).GetProperty("eventCount").GetInt64();

    [Fact]
    public async Task A_write_through_one_replica_moves_the_other_replicas_facets_and_event_counts()
    {
        var dataset = SyntheticDataset.Write(SyntheticDataset.Build(30));
        using var first = new ReplicaApp(dataset, shared: null).LoggingTo(output);
        using var writer = first.CreateClient(TimelineApp.EditorKey);
        using var second = new ReplicaApp(dataset, first.Database).LoggingTo(output);
        using var reader = second.CreateClient();
        using var bySql = new ReplicaApp(dataset, first.Database, copy: false).LoggingTo(output);
        using var sql = bySql.CreateClient();

        // The second replica loads its copy and counts; the SQL-only app counts the same.
        var before = await reader.GetStringAsync(Facets);
        Assert.Equal(await sql.GetStringAsync(Facets), before);
        var acme = Count(await reader.GetJsonAsync("/entities"), "acme");
        var report = Count(await reader.GetJsonAsync("/sources"), "report");
        Assert.DoesNotContain("a-tag-of-the-other-replica", before, StringComparison.Ordinal);

        // A write through the first replica: a new event of acme citing the report, with a tag no other event has.
        var created = Curation.NewEvent("written-through-the-first-replica");
        created["tags"] = new JsonArray("a-tag-of-the-other-replica");
        created["entities"] = new JsonArray(new JsonObject { ["id"] = "acme", ["role"] = "subject" }, new JsonObject { ["id"] = "acme", ["role"] = "target" });
        created["citations"] = new JsonArray(new JsonObject { ["source"] = "report", ["quote"] = "Beta chip shipped." });
        using var response = await writer.SendJsonAsync(HttpMethod.Post, "/events", created);
        await response.AssertStatusAsync(HttpStatusCode.Created);

        // Once the interval has passed, the second replica's facets and counts include it, the entity once for its two roles.
        await Task.Delay(RefreshMilliseconds + 100);
        var after = await reader.GetJsonAsync(Facets + "&entity=acme");
        var tag = after.GetProperty("facets").GetProperty("tag").EnumerateArray().Single(v => v.GetProperty("value").GetString() == "a-tag-of-the-other-replica");
        Assert.Equal(1, tag.GetProperty("count").GetInt64());
        Assert.Equal(acme + 1, Count(await reader.GetJsonAsync("/entities"), "acme"));
        Assert.Equal(acme + 1, (await reader.GetJsonAsync("/entities/acme")).GetProperty("eventCount").GetInt64());
        Assert.Equal(report + 1, Count(await reader.GetJsonAsync("/sources"), "report"));

        // Every filter the copy counts gives what SQL gives, after the write too.
        foreach (var filter in new[] { "", "&entity=acme", "&tag=odd&from=2020", "&category=analysis", "&source=report&to=2021", "&q=event" })
        {
            Assert.Equal(await sql.GetStringAsync(Facets + filter), await reader.GetStringAsync(Facets + filter));
        }

        // Deleted through the first replica: gone from the second's facets and counts.
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/events/written-through-the-first-replica");
        delete.Headers.IfMatch.Add(response.Headers.ETag!);
        using var deleted = await writer.SendAsync(delete);
        Assert.True(deleted.IsSuccessStatusCode, $"DELETE answered {(int)deleted.StatusCode}");
        await Task.Delay(RefreshMilliseconds + 100);
        Assert.DoesNotContain("a-tag-of-the-other-replica", await reader.GetStringAsync(Facets), StringComparison.Ordinal);
        Assert.Equal(acme, Count(await reader.GetJsonAsync("/entities"), "acme"));
        Assert.Equal(report, Count(await reader.GetJsonAsync("/sources"), "report"));
        Assert.Equal(await sql.GetStringAsync(Facets), await reader.GetStringAsync(Facets));
    }
}

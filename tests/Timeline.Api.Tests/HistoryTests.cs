using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>The change feed, export and import.</summary>
public class HistoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_change_feed_starts_with_the_seed_and_resumes_from_a_cursor_without_gap_or_repeat()
    {
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(SyntheticDataset.Build(12))).LoggingTo(output);
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        using var reader = app.CreateClient();

        var seeded = await reader.AllChangesAsync(pageSize: 5);
        Assert.Equal(1 + 2 + 12, seeded.Count);
        Assert.All(seeded, c => Assert.Equal("create", c.GetProperty("action").GetString()));
        var resumeFrom = (await reader.GetJsonAsync("/changes?limit=1000")).GetProperty("nextCursor").GetString()!;

        var body = SyntheticDataset.Build(1)["events"]![0]!.DeepClone().AsObject();
        body["id"] = "feed-event";
        (await editor.SendJsonAsync(HttpMethod.Post, "/events", body)).Dispose();
        var etag = await reader.ETagAsync("/events/feed-event");
        (await editor.SendJsonAsync(HttpMethod.Patch, "/events/feed-event", new JsonObject { ["title"] = "Changed" }, etag, "application/merge-patch+json")).Dispose();
        etag = await reader.ETagAsync("/events/feed-event");
        (await editor.SendJsonAsync(HttpMethod.Delete, "/events/feed-event", null, etag)).Dispose();

        var fresh = await reader.GetJsonAsync("/changes?since=" + Uri.EscapeDataString(resumeFrom));
        var items = fresh.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["create", "update", "delete"], items.Select(i => i.GetProperty("action").GetString()));
        Assert.All(items, i => Assert.Equal("feed-event", i.GetProperty("id").GetString()));
        Assert.Equal([1, 2, 3], items.Select(i => i.GetProperty("version").GetInt32()));
        Assert.Equal("Changed", items[1].GetProperty("document").GetProperty("title").GetString());

        var nothing = await reader.GetJsonAsync("/changes?since=" + Uri.EscapeDataString(fresh.GetProperty("nextCursor").GetString()!));
        Assert.Empty(nothing.GetProperty("items").EnumerateArray());
        Assert.Equal(fresh.GetProperty("nextCursor").GetString(), nothing.GetProperty("nextCursor").GetString());

        var all = await reader.AllChangesAsync(pageSize: 4);
        Assert.Equal(seeded.Count + 3, all.Count);
        var keys = all.Select(c => $"{c.GetProperty("resource").GetString()}/{c.GetProperty("id").GetString()}/{c.GetProperty("version").GetInt32()}").ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Theory]
    [InlineData("/changes?since=abc", "since")]
    [InlineData("/changes?since=Y2hhbmdlczp4", "since")]
    [InlineData("/changes?limit=0", "limit")]
    [InlineData("/changes?limit=1001", "limit")]
    public async Task A_bad_feed_request_is_a_400_naming_the_parameter(string url, string parameter)
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var client = app.CreateClient();

        var problem = await client.GetProblemAsync(url, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task Revisions_of_an_unknown_record_are_a_404()
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var client = app.CreateClient();

        await client.GetProblemAsync("/events/nothing-here/revisions", HttpStatusCode.NotFound);
        await client.GetProblemAsync("/events/smic-added-to-us-sanctions-list/revisions/99", HttpStatusCode.NotFound);
        await client.GetProblemAsync("/entities/smic/revisions/one", HttpStatusCode.NotFound);
        var first = await client.GetJsonAsync("/sources/nishadil-huawei-bold-leap/revisions/1");
        Assert.Equal("seed", first.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Export_then_import_into_an_empty_store_gives_an_identical_dataset()
    {
        using var source = new TimelineApp().LoggingTo(output);
        using var sourceClient = source.CreateClient();
        var exported = await sourceClient.GetStringAsync("/export");

        var emptyDataset = SyntheticDataset.Write(new JsonObject { ["sources"] = new JsonArray(), ["entities"] = new JsonArray(), ["events"] = new JsonArray() });
        using var target = TimelineApp.WithDataset(emptyDataset).LoggingTo(output);
        using var admin = target.CreateClient(TimelineApp.AdminKey);
        Assert.Empty((await admin.GetJsonAsync("/events")).Ids());

        using var imported = await admin.SendJsonAsync(HttpMethod.Post, "/import", JsonNode.Parse(exported));
        await imported.AssertStatusAsync(HttpStatusCode.OK);
        var report = await imported.BodyAsync();
        Assert.Equal(2, report.GetProperty("sources").GetProperty("created").GetInt32());
        Assert.Equal(18, report.GetProperty("entities").GetProperty("created").GetInt32());
        Assert.True(report.GetProperty("events").GetProperty("created").GetInt32() >= 13);

        var reexported = await admin.GetStringAsync("/export");
        Assert.Equal(Normalise(exported), Normalise(reexported));
        Assert.Equal(exported, reexported);

        // The curated file and the export hold the same records (the file keeps texts in files beside it).
        var file = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryFiles.ReferenceDataset))!;
        var export = JsonNode.Parse(exported)!;
        Assert.Equal(
            file["events"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()).Order(),
            export["events"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()).Order());
        Assert.True(JsonNode.DeepEquals(
            file["events"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == "smic-added-to-us-sanctions-list"),
            export["events"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == "smic-added-to-us-sanctions-list")));
    }

    [Fact]
    public async Task Importing_again_reports_created_updated_and_unchanged()
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var admin = app.CreateClient(TimelineApp.AdminKey);
        var dataset = JsonNode.Parse(await admin.GetStringAsync("/export"))!.AsObject();
        dataset["events"]![0]!["title"] = "A corrected title";
        var added = dataset["events"]![1]!.DeepClone().AsObject();
        added["id"] = "an-added-event";
        dataset["events"]!.AsArray().Add(added);
        var total = dataset["events"]!.AsArray().Count;

        using var response = await admin.SendJsonAsync(HttpMethod.Post, "/import", dataset);

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var events = (await response.BodyAsync()).GetProperty("events");
        Assert.Equal(1, events.GetProperty("created").GetInt32());
        Assert.Equal(1, events.GetProperty("updated").GetInt32());
        Assert.Equal(total - 2, events.GetProperty("unchanged").GetInt32());
        var first = dataset["events"]![0]!["id"]!.GetValue<string>();
        Assert.Equal("A corrected title", (await admin.GetJsonAsync($"/events/{first}")).GetProperty("title").GetString());
        var revisions = (await admin.GetJsonAsync($"/events/{first}/revisions")).GetProperty("items");
        Assert.Equal("admin", revisions[revisions.GetArrayLength() - 1].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task An_import_with_any_invalid_record_changes_nothing_and_lists_every_problem()
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var admin = app.CreateClient(TimelineApp.AdminKey);
        var dataset = JsonNode.Parse(await admin.GetStringAsync("/export"))!.AsObject();
        dataset["events"]![0]!["title"] = "This would be a valid change";
        dataset["events"]![1]!["date"] = "2021-02-29";
        dataset["events"]![2]!["citations"]![0]!["quote"] = "words nobody wrote";
        dataset["events"]![3]!["entities"]![0]!["id"] = "no-such-entity";
        dataset["sources"]![0]!["text"] = "A different text for a stored source.";
        var before = await admin.AllChangesAsync();
        var stateBefore = await admin.GetStringAsync("/export");

        using var response = await admin.SendJsonAsync(HttpMethod.Post, "/import", dataset);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var errors = (await response.BodyAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains(errors, e => e.EndsWith(".date", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.EndsWith("citations[0].quote", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.EndsWith("entities[0].id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.EndsWith(".text", StringComparison.Ordinal));
        Assert.True(errors.Count >= 4);
        Assert.Equal(before.Count, (await admin.AllChangesAsync()).Count);
        Assert.Equal(stateBefore, await admin.GetStringAsync("/export"));
    }

    [Fact]
    public async Task An_import_that_changes_a_stored_source_text_is_refused()
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var admin = app.CreateClient(TimelineApp.AdminKey);
        var dataset = JsonNode.Parse(await admin.GetStringAsync("/export"))!.AsObject();
        dataset["sources"]![0]!["text"] = dataset["sources"]![0]!["text"]!.GetValue<string>() + " More.";

        using var response = await admin.SendJsonAsync(HttpMethod.Post, "/import", dataset);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("never changes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string Normalise(string json) => JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}

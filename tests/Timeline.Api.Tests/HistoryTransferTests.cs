using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Issue 18 item 8: an export with the full history, imported into an empty store, restores it exactly.</summary>
public sealed class HistoryTransferTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _empty = EmptyDataset();

    public void Dispose() => File.Delete(_empty);

    [Fact]
    public async Task An_export_with_history_imported_into_an_empty_store_restores_versions_authors_tombstones_and_the_change_feed()
    {
        using var origin = new TimelineApp().LoggingTo(output);
        var editor = origin.CreateClient(TimelineApp.EditorKey);
        await MakeHistoryAsync(editor);
        var exported = await origin.CreateClient().GetStringAsync("/export?history=true");
        var history = JsonNode.Parse(exported)!["history"]!.AsArray();
        Assert.Contains(history, r => r!["action"]!.GetValue<string>() == "delete");
        Assert.Contains(history, r => r!["reason"]?.GetValue<string>() == "Clearer title");

        using var target = TimelineApp.WithDataset(_empty).LoggingTo(output);
        var admin = target.CreateClient(TimelineApp.AdminKey);
        using var imported = await admin.SendJsonAsync(HttpMethod.Post, "/import", JsonNode.Parse(exported));
        await imported.AssertStatusAsync(HttpStatusCode.OK);

        var reader = origin.CreateClient();
        var copy = target.CreateClient();

        // The change feed, item by item and cursor by cursor.
        var before = await reader.GetJsonAsync("/changes?limit=1000");
        var after = await copy.GetJsonAsync("/changes?limit=1000");
        Assert.Equal(before.GetProperty("items").GetArrayLength(), after.GetProperty("items").GetArrayLength());
        Assert.Equal(before.GetProperty("items").ToString(), after.GetProperty("items").ToString());
        Assert.Equal(before.GetProperty("nextCursor").GetString(), after.GetProperty("nextCursor").GetString());

        // A record's revisions, a tombstone, the live dataset.
        foreach (var url in new[] { "/events/history-event/revisions", "/events/history-deleted/revisions", "/sources/ft-derived-huawei-smic-kirin-9000s/revisions", "/entities/smic/revisions" })
        {
            Assert.Equal((await reader.GetJsonAsync(url)).ToString(), (await copy.GetJsonAsync(url)).ToString());
        }

        Assert.Equal((await reader.GetProblemAsync("/events/history-deleted", HttpStatusCode.Gone)).GetProperty("deletedAt").GetString(),
            (await copy.GetProblemAsync("/events/history-deleted", HttpStatusCode.Gone)).GetProperty("deletedAt").GetString());
        var liveEvent = await copy.GetJsonAsync("/events/history-event");
        Assert.Equal(2, liveEvent.GetProperty("version").GetInt32());
        Assert.Equal(await reader.GetStringAsync("/export"), await copy.GetStringAsync("/export"));
        Assert.Equal(exported, await copy.GetStringAsync("/export?history=true"));

        // The next write goes on from there: version 3 of the event, after the last position.
        using var next = await target.CreateClient(TimelineApp.EditorKey).SendJsonAsync(HttpMethod.Patch, "/events/history-event",
            new JsonObject { ["summary"] = "Testers compared the chip with Qualcomm's older ones." }, await copy.ETagAsync("/events/history-event"), "application/merge-patch+json");
        await next.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(3, (await next.BodyAsync()).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_history_is_refused_by_a_store_that_holds_one_already_and_when_it_does_not_add_up()
    {
        using var origin = new TimelineApp().LoggingTo(output);
        await MakeHistoryAsync(origin.CreateClient(TimelineApp.EditorKey));
        var exported = JsonNode.Parse(await origin.CreateClient().GetStringAsync("/export?history=true"))!.AsObject();

        // Into the seeded store itself: it holds revisions.
        using var refused = await origin.CreateClient(TimelineApp.AdminKey).SendJsonAsync(HttpMethod.Post, "/import", exported.DeepClone());
        await refused.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("empty store", (await refused.BodyAsync()).GetProperty("errors").GetProperty("history")[0].GetString(), StringComparison.Ordinal);

        using var target = TimelineApp.WithDataset(_empty).LoggingTo(output);
        var admin = target.CreateClient(TimelineApp.AdminKey);

        // A version skipped.
        var skipped = exported.DeepClone().AsObject();
        var revisions = skipped["history"]!.AsArray();
        var updateIndex = revisions.Select((r, i) => (r, i)).First(x => x.r!["action"]!.GetValue<string>() == "update").i;
        revisions[updateIndex]!["version"] = 7;
        using var bad = await admin.SendJsonAsync(HttpMethod.Post, "/import", skipped);
        await bad.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True((await bad.BodyAsync()).GetProperty("errors").TryGetProperty($"history[{updateIndex}].version", out _));

        // A live record that is not what its history says.
        var tampered = exported.DeepClone().AsObject();
        tampered["events"]!.AsArray().First(e => e!["id"]!.GetValue<string>() == "history-event")!["title"] = "A title no revision has";
        using var differs = await admin.SendJsonAsync(HttpMethod.Post, "/import", tampered);
        await differs.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("differs from its last revision", (await differs.BodyAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Nothing was kept by the refusals.
        Assert.Empty((await target.CreateClient().GetJsonAsync("/changes")).GetProperty("items").EnumerateArray());
        await target.CreateClient().GetJsonAsync("/export?history=maybe", HttpStatusCode.BadRequest);
    }

    /// <summary>Changes with authors, reasons and a tombstone on top of the seed.</summary>
    private static async Task MakeHistoryAsync(HttpClient editor)
    {
        using var created = await editor.SendJsonAsync(HttpMethod.Post, "/events?reason=From%20the%20test%20report", Curation.NewEvent("history-event"));
        await created.AssertStatusAsync(HttpStatusCode.Created);
        using var patched = await editor.SendJsonAsync(HttpMethod.Patch, "/events/history-event?reason=Clearer%20title",
            new JsonObject { ["title"] = "Testers compare the Kirin 9000S with Qualcomm's chips" }, created.Headers.ETag!.ToString(), "application/merge-patch+json");
        await patched.AssertStatusAsync(HttpStatusCode.OK);

        using var doomed = await editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("history-deleted", "An event created, then deleted"));
        await doomed.AssertStatusAsync(HttpStatusCode.Created);
        using var deleted = await editor.SendJsonAsync(HttpMethod.Delete, "/events/history-deleted?reason=Duplicate", null, doomed.Headers.ETag!.ToString());
        await deleted.AssertStatusAsync(HttpStatusCode.NoContent);
    }

    private static string EmptyDataset()
    {
        var path = Path.Combine(Path.GetTempPath(), $"timeline-empty-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"sources": [], "entities": [], "events": []}""");
        return path;
    }
}

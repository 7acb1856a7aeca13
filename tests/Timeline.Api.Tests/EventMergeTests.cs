using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Issue 18.6: POST /events/{id}/merge merges a duplicate into the surviving event in one transaction: the survivor
/// gets the duplicate's citations, entities, tags and links as a new revision, the duplicate is tombstoned and its id
/// answers 301 to the survivor, and both changes are in the change feed.
/// </summary>
public sealed class EventMergeTests : IClassFixture<TimelineApp>, IDisposable
{
    private const string Survivor = "testing-teams-compare-kirin-9000s-to-qualcomm";

    private readonly TimelineApp _app;
    private readonly HttpClient _editor;
    private readonly HttpClient _anonymous;
    private readonly HttpClient _noRedirects;

    public EventMergeTests(TimelineApp app, ITestOutputHelper output)
    {
        _app = app.LoggingTo(output);
        _editor = app.CreateClient(TimelineApp.EditorKey);
        _anonymous = app.CreateClient();
        _noRedirects = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public void Dispose()
    {
        _editor.Dispose();
        _anonymous.Dispose();
        _noRedirects.Dispose();
    }

    private static JsonObject Duplicate(string id)
    {
        var body = DuplicateWarningTests.ReadmeWalkthroughEvent(id);
        body["tags"] = new JsonArray("kirin-9000s", "benchmarks-2023");
        body["entities"]!.AsArray().Add(new JsonObject { ["id"] = "smic", ["role"] = "manufacturer" });
        body["citations"]!.AsArray().Add(new JsonObject { ["source"] = Curation.SourceId, ["quote"] = "According to different testing teams" });
        body["citations"]!.AsArray().Add(new JsonObject { ["source"] = Curation.SourceId, ["quote"] = "In December 2020, SMIC joined Huawei on the US sanctions list" });
        return body;
    }

    private async Task<string> CreateAsync(JsonObject body)
    {
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events", body);
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return response.Headers.ETag!.ToString();
    }

    private Task<HttpResponseMessage> MergeAsync(string id, string? into, string? ifMatch, string? intoETag = null)
    {
        var body = new JsonObject();
        if (into is not null)
        {
            body["into"] = into;
        }

        if (intoETag is not null)
        {
            body["intoETag"] = intoETag;
        }

        return _editor.SendJsonAsync(HttpMethod.Post, $"/events/{id}/merge", body, ifMatch);
    }

    [Fact]
    public async Task Merging_moves_citations_entities_and_tags_to_the_survivor_and_the_merged_id_answers_301()
    {
        var etag = await CreateAsync(Duplicate("merge-duplicate"));
        var before = await _anonymous.GetJsonAsync($"/events/{Survivor}");
        var survivorETag = await _anonymous.ETagAsync($"/events/{Survivor}");
        var changesBefore = (await _anonymous.AllChangesAsync()).Count;

        using var merged = await MergeAsync("merge-duplicate", Survivor, etag, survivorETag);

        await merged.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal($"/events/{Survivor}", merged.Content.Headers.ContentLocation?.OriginalString);
        var survivor = await merged.BodyAsync();
        var quotes = survivor.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("quote").GetString()).ToList();
        Assert.Single(quotes, q => q == "In December 2020, SMIC joined Huawei on the US sanctions list");
        Assert.DoesNotContain("According to different testing teams", quotes);
        Assert.DoesNotContain("performed as well as Qualcomm chips that are 1 or 2 years old", quotes);
        Assert.Equal(before.GetProperty("version").GetInt32() + 1, survivor.GetProperty("version").GetInt32());
        Assert.Equal(before.GetProperty("title").GetString(), survivor.GetProperty("title").GetString());
        // The duplicate's two other quotes are words of the survivor's own quote: not cited twice.
        Assert.Contains(survivor.GetProperty("entities").EnumerateArray(), e => e.GetProperty("id").GetString() == "smic" && e.GetProperty("role").GetString() == "manufacturer");
        Assert.Contains("benchmarks-2023", survivor.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("merge-duplicate", survivor.GetProperty("formerIds").EnumerateArray().Select(t => t.GetString()));

        using var redirect = await _noRedirects.GetAsync("/events/merge-duplicate");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal($"/events/{Survivor}", redirect.Headers.Location?.OriginalString);

        // One transaction, two changes: the survivor's update and the merged event's tombstone, by the same key.
        var changes = (await _anonymous.AllChangesAsync()).Skip(changesBefore).ToList();
        Assert.Equal(2, changes.Count);
        Assert.Contains(changes, c => c.GetProperty("id").GetString() == Survivor && c.GetProperty("action").GetString() == "update");
        Assert.Contains(changes, c => c.GetProperty("id").GetString() == "merge-duplicate" && c.GetProperty("action").GetString() == "delete");
        var revisions = await _anonymous.GetJsonAsync("/events/merge-duplicate/revisions");
        var last = revisions.GetProperty("items").EnumerateArray().Last();
        Assert.Equal("delete", last.GetProperty("action").GetString());
        Assert.Equal("editor", last.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Events_that_linked_to_the_merged_event_show_on_the_survivor()
    {
        var etag = await CreateAsync(Duplicate("merge-linked-duplicate"));
        var linker = Curation.NewEvent("merge-linker", "An event that points at the duplicate");
        linker["related"] = new JsonArray("merge-linked-duplicate");
        await CreateAsync(linker);

        using var merged = await MergeAsync("merge-linked-duplicate", Survivor, etag);

        await merged.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Contains("merge-linker", (await merged.BodyAsync()).GetProperty("relatedFrom").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(["merge-linked-duplicate"], (await _anonymous.GetJsonAsync("/events/merge-linker")).GetProperty("related").EnumerateArray().Select(x => x.GetString()));

        // The linking event can still be changed with its link as it stands: the former id leads to the survivor.
        using var patched = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/merge-linker", new JsonObject { ["title"] = "An event that points at the merged duplicate" },
            await _anonymous.ETagAsync("/events/merge-linker"), "application/merge-patch+json");
        await patched.AssertStatusAsync(HttpStatusCode.OK);
        var superseding = Curation.NewEvent("merge-superseder", "An event that supersedes the duplicate by its old id");
        superseding["supersedes"] = "merge-linked-duplicate";
        await CreateAsync(superseding);
        Assert.Contains("merge-superseder", (await _anonymous.GetJsonAsync($"/events/{Survivor}")).GetProperty("supersededBy").EnumerateArray().Select(x => x.GetString()));
    }

    [Fact]
    public async Task A_merge_needs_a_key_the_merged_events_ETag_and_two_live_distinct_events()
    {
        var etag = await CreateAsync(Duplicate("merge-refused"));

        using var anonymous = await _anonymous.SendJsonAsync(HttpMethod.Post, "/events/merge-refused/merge", new JsonObject { ["into"] = Survivor }, etag);
        await anonymous.AssertStatusAsync(HttpStatusCode.Unauthorized);
        using var noIfMatch = await MergeAsync("merge-refused", Survivor, null);
        await noIfMatch.AssertStatusAsync(HttpStatusCode.PreconditionRequired);
        using var stale = await MergeAsync("merge-refused", Survivor, "\"99.1\"");
        await stale.AssertStatusAsync(HttpStatusCode.PreconditionFailed);
        using var staleSurvivor = await MergeAsync("merge-refused", Survivor, etag, "\"99.1\"");
        await staleSurvivor.AssertStatusAsync(HttpStatusCode.PreconditionFailed);
        Assert.Contains(Survivor, (await staleSurvivor.BodyAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var unknown = await MergeAsync("merge-refused", "no-such-event", etag);
        await unknown.AssertStatusAsync(HttpStatusCode.NotFound);
        using var itself = await MergeAsync("merge-refused", "merge-refused", etag);
        await itself.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        using var missing = await MergeAsync("merge-refused", null, etag);
        await missing.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True((await missing.BodyAsync()).GetProperty("errors").TryGetProperty("into", out _));
        using var text = await _editor.SendJsonAsync(HttpMethod.Post, "/events/merge-refused/merge", new JsonObject { ["into"] = Survivor }, etag, "text/plain");
        await text.AssertStatusAsync(HttpStatusCode.UnsupportedMediaType);

        // Nothing of that changed anything: the event is still there at version 1.
        Assert.Equal(1, (await _anonymous.GetJsonAsync("/events/merge-refused")).GetProperty("version").GetInt32());
        using var gone = await MergeAsync("merge-refused", Survivor, etag);
        await gone.AssertStatusAsync(HttpStatusCode.OK);
        using var again = await MergeAsync("merge-refused", Survivor, etag);
        await again.AssertStatusAsync(HttpStatusCode.Gone);
    }
}

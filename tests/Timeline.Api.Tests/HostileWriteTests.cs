using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Requests a hostile or careless client sends to the writes of issues 16 and 18 (reasons, dry runs, batches, JSON Patch,
/// merges, uploads, history imports): each found answering wrongly once, each now answered by a problem naming what is wrong.
/// </summary>
public class HostileWriteTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _editor = fixture.CreateClient(TimelineApp.EditorKey);
    private readonly HttpClient _anonymous = fixture.CreateClient();

    [Fact]
    public async Task A_reason_holding_a_NUL_is_refused_like_any_control_character()
    {
        // char.IsControl found it, but FirstOrDefault answered '\0' for "none found" too, so a NUL was kept in the revision.
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events?reason=a%00b", Curation.NewEvent("nul-reason"));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Contains("U+0000", (await response.BodyAsync()).GetProperty("errors").GetProperty("reason")[0].GetString(), StringComparison.Ordinal);
        await _anonymous.GetProblemAsync("/events/nul-reason", HttpStatusCode.NotFound);

        // A NUL is now refused for every query parameter before the handler runs; the reason's own rule still refuses
        // the other control characters.
        using var control = await _editor.SendJsonAsync(HttpMethod.Post, "/events?reason=a%01b", Curation.NewEvent("control-reason"));
        await control.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Contains("U+0001", (await control.BodyAsync()).GetProperty("errors").GetProperty("reason")[0].GetString(), StringComparison.Ordinal);
        await _anonymous.GetProblemAsync("/events/control-reason", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_id_holding_a_NUL_in_a_body_is_named_by_the_rules_and_never_a_500()
    {
        // PostgreSQL cannot compare a value holding U+0000 with its text: its lookups of these ids answered 500 where the
        // SQLite engine's found nothing and the rules then named the field. Both engines now answer alike.
        var withId = Curation.NewEvent("a\0b");
        var withEntity = Curation.NewEvent("nul-entity");
        withEntity["entities"]![0]!["id"] = "qualcomm\0";
        var withSource = Curation.NewEvent("nul-source");
        withSource["citations"]![0]!["source"] = Curation.SourceId + "\0";
        var withLink = Curation.NewEvent("nul-link");
        withLink["related"] = new JsonArray("smic-added-to-us-sanctions-list\0");
        var cases = new (string Name, Func<Task<HttpResponseMessage>> Send, HttpStatusCode Status, string? Field)[]
        {
            ("event id", () => _editor.SendJsonAsync(HttpMethod.Post, "/events", withId), HttpStatusCode.UnprocessableEntity, "id"),
            ("event id, dry run", () => _editor.SendJsonAsync(HttpMethod.Post, "/events?dryRun=true", withId), HttpStatusCode.UnprocessableEntity, "id"),
            ("entity of an event", () => _editor.SendJsonAsync(HttpMethod.Post, "/events", withEntity), HttpStatusCode.UnprocessableEntity, "entities[0].id"),
            ("source of a citation", () => _editor.SendJsonAsync(HttpMethod.Post, "/events", withSource), HttpStatusCode.UnprocessableEntity, "citations[0].source"),
            ("related event", () => _editor.SendJsonAsync(HttpMethod.Post, "/events", withLink), HttpStatusCode.UnprocessableEntity, "related[0]"),
            ("entity id", () => _editor.SendJsonAsync(HttpMethod.Post, "/entities", new JsonObject { ["id"] = "a\0b", ["name"] = "A", ["kind"] = "company" }), HttpStatusCode.UnprocessableEntity, "id"),
            ("batch item", () => _editor.SendJsonAsync(HttpMethod.Post, "/events/batch", new JsonObject { ["items"] = new JsonArray(new JsonObject { ["document"] = Curation.NewEvent("a\0c") }) }), HttpStatusCode.UnprocessableEntity, null),
        };
        foreach (var (name, send, status, field) in cases)
        {
            using var response = await send();
            Assert.True(response.StatusCode == status, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var problem = await response.BodyAsync();
            if (field is not null)
            {
                Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{name}: {problem}");
            }
        }

        using (var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("nul-merged", "Testing teams compare the Kirin 9000S (merge)")))
        {
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        using var merge = await _editor.SendJsonAsync(HttpMethod.Post, "/events/nul-merged/merge", new JsonObject { ["into"] = "a\0" }, await _editor.ETagAsync("/events/nul-merged"));
        await merge.AssertStatusAsync(HttpStatusCode.NotFound);
        await _anonymous.GetProblemAsync("/events/nul-entity", HttpStatusCode.NotFound);
        await _anonymous.GetProblemAsync("/events/nul-link", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_JSON_Patch_that_copies_a_list_into_itself_over_and_over_is_refused_instead_of_eating_the_memory()
    {
        // Each copy doubles /caveats: 40 of them asked for 2^40 items (the server grew to 17 GB before it was stopped).
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("copy-bomb"));
        await created.AssertStatusAsync(HttpStatusCode.Created);
        var patch = new JsonArray();
        for (var i = 0; i < 40; i++)
        {
            patch.Add(new JsonObject { ["op"] = "copy", ["from"] = "/caveats", ["path"] = "/caveats/-" });
        }

        using var response = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/copy-bomb", patch, created.Headers.ETag!.ToString(), "application/json-patch+json");

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        var problem = await response.BodyAsync();
        Assert.Contains("copies of this patch would add more than", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await _anonymous.GetJsonAsync("/events/copy-bomb")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_history_whose_last_position_leaves_the_change_feed_no_room_is_refused()
    {
        // Replayed as it was, it left SQLite's AUTOINCREMENT at 2^63 - 1, and every later write failed as 507 "out of storage space".
        var exported = JsonNode.Parse(await _anonymous.GetStringAsync("/export?history=true"))!;
        var history = exported["history"]!.AsArray();
        var last = history.Count - 1;
        history[last]!["seq"] = long.MaxValue;
        var empty = Path.Combine(Path.GetTempPath(), $"timeline-empty-{Guid.NewGuid():N}.json");
        File.WriteAllText(empty, """{"sources": [], "entities": [], "events": []}""");
        try
        {
            using var target = TimelineApp.WithDataset(empty).LoggingTo(output);
            var admin = target.CreateClient(TimelineApp.AdminKey);

            using var imported = await admin.SendJsonAsync(HttpMethod.Post, "/import", exported);

            await imported.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
            var errors = (await imported.BodyAsync()).GetProperty("errors");
            Assert.Contains("is at most 9007199254740991", errors.GetProperty($"history[{last}].seq")[0].GetString(), StringComparison.Ordinal);
            using var written = await admin.SendJsonAsync(HttpMethod.Post, "/entities",
                new JsonObject { ["id"] = "after-history", ["name"] = "After the history", ["kind"] = "company", ["standalone"] = true });
            await written.AssertStatusAsync(HttpStatusCode.Created);
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public async Task After_a_merge_the_links_to_the_merged_id_do_not_make_the_stores_own_export_unimportable()
    {
        // The merge leaves other events' links on the merged id (they show in the survivor's relatedFrom and supersededBy),
        // and the dataset check called them "unknown event": /import/check refused the export of the store it came from.
        foreach (var id in new[] { "merge-link-gone", "merge-link-survivor" })
        {
            using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent(id, $"Testing teams compare the Kirin 9000S ({id})"));
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        var linking = Curation.NewEvent("merge-link-holder", "Testing teams compare the Kirin 9000S again");
        linking["related"] = new JsonArray("merge-link-gone");
        linking["supersedes"] = "merge-link-gone";
        using (var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", linking))
        {
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        using (var merged = await _editor.SendJsonAsync(HttpMethod.Post, "/events/merge-link-gone/merge", new JsonObject { ["into"] = "merge-link-survivor" },
            await _editor.ETagAsync("/events/merge-link-gone")))
        {
            await merged.AssertStatusAsync(HttpStatusCode.OK);
        }

        var survivor = await _anonymous.GetJsonAsync("/events/merge-link-survivor");
        Assert.Contains("merge-link-holder", survivor.GetProperty("supersededBy").Strings());

        using var check = await fixture.CreateClient(TimelineApp.AdminKey).SendJsonAsync(HttpMethod.Post, "/import/check", JsonNode.Parse(await _anonymous.GetStringAsync("/export")));

        await check.AssertStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    public async Task A_source_text_holding_a_NUL_is_refused_rather_than_stored_with_a_wrong_length(string mediaType)
    {
        // It was stored, and GET answered "length": 1 for "a\0b": SQLite's length() stops at the NUL.
        using var request = new HttpRequestMessage(HttpMethod.Post, mediaType == "text/plain" ? "/sources?id=nul-text-plain&title=A%20NUL" : "/sources");
        request.Content = mediaType == "text/plain"
            ? new ByteArrayContent("a\0b"u8.ToArray()) { Headers = { ContentType = new("text/plain") } }
            : new StringContent(new JsonObject { ["id"] = "nul-text-json", ["title"] = "A NUL", ["text"] = "a\0b", ["standalone"] = true }.ToJsonString(), System.Text.Encoding.UTF8, mediaType);

        using var response = await _editor.SendAsync(request);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("U+0000", (await response.BodyAsync()).GetProperty("errors").GetProperty("text")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reason_of_500_emoji_is_refused_with_an_answer_that_says_how_it_was_counted()
    {
        // It answered "is 1000 characters long" to a reason of 500 characters (each emoji is two UTF-16 code units).
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events?reason=" + Uri.EscapeDataString(string.Concat(Enumerable.Repeat("😀", 500))), Curation.NewEvent("emoji-reason"));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Contains("counts as 2", (await response.BodyAsync()).GetProperty("errors").GetProperty("reason")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_to_a_merged_id_names_the_survivor_instead_of_offering_a_restore_that_is_refused()
    {
        // Every write to the merged id answered "POST /events/{id}/restore brings it back", and that restore answers 409.
        foreach (var id in new[] { "merged-away", "merged-survivor", "merged-later" })
        {
            using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent(id, $"Testing teams compare the Kirin 9000S ({id})"));
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        using (var merged = await _editor.SendJsonAsync(HttpMethod.Post, "/events/merged-away/merge", new JsonObject { ["into"] = "merged-survivor" },
            await _editor.ETagAsync("/events/merged-away")))
        {
            await merged.AssertStatusAsync(HttpStatusCode.OK);
        }

        using var put = await _editor.SendJsonAsync(HttpMethod.Put, "/events/merged-away", Curation.NewEvent("merged-away"), "*");
        using var mergeInto = await _editor.SendJsonAsync(HttpMethod.Post, "/events/merged-later/merge", new JsonObject { ["into"] = "merged-away" },
            await _editor.ETagAsync("/events/merged-later"));
        using var batch = await _editor.SendJsonAsync(HttpMethod.Post, "/events/batch",
            new JsonObject { ["items"] = new JsonArray(new JsonObject { ["document"] = Curation.NewEvent("merged-away"), ["ifMatch"] = "*" }) });

        foreach (var response in new[] { put, mergeInto, batch })
        {
            await response.AssertStatusAsync(HttpStatusCode.Gone);
            var problem = await response.BodyAsync();
            Assert.Equal("/events/merged-survivor", problem.GetProperty("current").GetString());
            Assert.DoesNotContain("restore", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_batch_whose_later_item_retires_a_record_an_earlier_item_wrote_is_refused_whole(bool dryRun)
    {
        // The second item's formerIds retired the first item's record inside the batch: the batch committed, then answered 500.
        var suffix = dryRun ? "dry" : "real";
        var batch = new JsonObject
        {
            ["items"] = new JsonArray(
                new JsonObject { ["document"] = new JsonObject { ["id"] = $"retired-in-batch-{suffix}", ["name"] = "Retired in a batch", ["kind"] = "company", ["standalone"] = true } },
                new JsonObject
                {
                    ["document"] = new JsonObject
                    {
                        ["id"] = $"retiring-in-batch-{suffix}", ["name"] = "Retiring in a batch", ["kind"] = "company", ["standalone"] = true,
                        ["formerIds"] = new JsonArray($"retired-in-batch-{suffix}"),
                    },
                }),
        };

        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/entities/batch" + (dryRun ? "?dryRun=true" : string.Empty), batch);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var problem = await response.BodyAsync();
        Assert.Equal(1, problem.GetProperty("index").GetInt32());
        Assert.Contains("items[0] of this batch", problem.GetProperty("errors").GetProperty("items[1].document.formerIds")[0].GetString(), StringComparison.Ordinal);
        await _anonymous.GetProblemAsync($"/entities/retired-in-batch-{suffix}", HttpStatusCode.NotFound);
        await _anonymous.GetProblemAsync($"/entities/retiring-in-batch-{suffix}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_rename_that_would_retire_an_entity_events_still_link_to_is_refused_like_its_delete()
    {
        // POST of a new entity listing "huawei" among its formerIds retired huawei while every Huawei event still linked it:
        // the events showed the tombstone, the new entity no events, and the export no longer imported.
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/entities",
            new JsonObject { ["id"] = "huawei-renamed", ["name"] = "Huawei renamed", ["kind"] = "company", ["formerIds"] = new JsonArray("huawei") });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("The entity is still referred to", (await response.BodyAsync()).GetProperty("title").GetString());
        Assert.Equal("huawei", (await _anonymous.GetJsonAsync("/entities/huawei")).GetProperty("id").GetString());
        await _anonymous.GetProblemAsync("/entities/huawei-renamed", HttpStatusCode.NotFound);
    }
}

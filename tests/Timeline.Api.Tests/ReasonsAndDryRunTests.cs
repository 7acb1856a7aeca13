using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Issue 18 item 7: a write's reason in the history, dry runs of every write and of a dataset, and batch writes.</summary>
public class ReasonsAndDryRunTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _editor = fixture.CreateClient(TimelineApp.EditorKey);
    private readonly HttpClient _admin = fixture.CreateClient(TimelineApp.AdminKey);
    private readonly HttpClient _anonymous = fixture.CreateClient();

    [Fact]
    public async Task A_reason_is_kept_in_the_revision_and_the_change_feed()
    {
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events?reason=" + Uri.EscapeDataString("Added from the FT's test report – see § 3"), Curation.NewEvent("reasoned-event"));
        await created.AssertStatusAsync(HttpStatusCode.Created);
        using var patched = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/reasoned-event?reason=Clearer%20title", new JsonObject { ["title"] = "Testers compare the Kirin 9000S with Qualcomm's chips" },
            created.Headers.ETag!.ToString(), "application/merge-patch+json");
        await patched.AssertStatusAsync(HttpStatusCode.OK);
        using var deleted = await _editor.SendJsonAsync(HttpMethod.Delete, "/events/reasoned-event", null, patched.Headers.ETag!.ToString());
        await deleted.AssertStatusAsync(HttpStatusCode.NoContent);

        var revisions = (await _anonymous.GetJsonAsync("/events/reasoned-event/revisions")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["Added from the FT's test report – see § 3", "Clearer title", null], revisions.Select(r => r.GetProperty("reason").GetString()));
        Assert.Equal("Clearer title", (await _anonymous.GetJsonAsync("/events/reasoned-event/revisions/2")).GetProperty("reason").GetString());

        var changes = (await _anonymous.AllChangesAsync()).Where(c => c.GetProperty("id").GetString() == "reasoned-event").ToList();
        Assert.Equal(["create", "update", "delete"], changes.Select(c => c.GetProperty("action").GetString()));
        Assert.Equal("Clearer title", changes[1].GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, changes[2].GetProperty("reason").ValueKind);
    }

    [Theory]
    [InlineData("reason=", "reason", "is empty")]
    [InlineData("reason=%20%20", "reason", "is empty")]
    [InlineData("reason=line%0Abreak", "reason", "U+000A")]
    [InlineData("dryRun=maybe", "dryRun", "'maybe' is not true or false")]
    public async Task A_bad_reason_or_dry_run_flag_is_a_400_naming_it(string query, string parameter, string message)
    {
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events?" + query, Curation.NewEvent("badly-reasoned"));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        var problem = await response.BodyAsync();
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(parameter)[0].GetString(), StringComparison.Ordinal);
        await _anonymous.GetProblemAsync("/events/badly-reasoned", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_reason_longer_than_500_characters_is_refused()
    {
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events?reason=" + new string('a', 501), Curation.NewEvent("long-reason"));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Contains("501 characters", (await response.BodyAsync()).GetProperty("errors").GetProperty("reason")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_create_answers_the_event_as_it_would_be_stored_and_writes_nothing()
    {
        var feedBefore = (await _anonymous.AllChangesAsync()).Count;
        var listTag = await _anonymous.ETagAsync("/events");

        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events?dryRun=true", Curation.NewEvent("dry-event"));

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("true", response.Headers.GetValues("Timeline-Dry-Run").Single());
        Assert.Null(response.Headers.ETag);
        Assert.Null(response.Headers.Location);
        var wouldBe = await response.BodyAsync();
        Assert.Equal("dry-event", wouldBe.GetProperty("id").GetString());
        var citation = wouldBe.GetProperty("citations")[0];
        var text = (await _anonymous.GetJsonAsync($"/sources/{Curation.SourceId}")).GetProperty("text").GetString()!;
        var quote = citation.GetProperty("quote").GetString()!;
        var start = citation.GetProperty("startOffset").GetInt32();
        Assert.Equal(quote, Curation.CodePoints(text, start, citation.GetProperty("endOffset").GetInt32()));

        await _anonymous.GetProblemAsync("/events/dry-event", HttpStatusCode.NotFound);
        Assert.Equal(feedBefore, (await _anonymous.AllChangesAsync()).Count);
        Assert.Equal(listTag, await _anonymous.ETagAsync("/events"));

        // The same request for real then creates it, at version 1: the dry run took no version.
        using var real = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("dry-event"));
        await real.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal(1, (await real.BodyAsync()).GetProperty("version").GetInt32());
        Assert.False(real.Headers.Contains("Timeline-Dry-Run"));
    }

    [Fact]
    public async Task A_dry_run_answers_the_problem_the_write_would_get()
    {
        var invalid = Curation.NewEvent("dry-invalid");
        invalid["citations"]![0]!["quote"] = "words the source never said";
        using var refused = await _editor.SendJsonAsync(HttpMethod.Post, "/events?dryRun=true", invalid);
        await refused.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True((await refused.BodyAsync()).GetProperty("errors").TryGetProperty("citations[0].quote", out _));

        using var stale = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/smic-added-to-us-sanctions-list?dryRun=true", new JsonObject { ["title"] = "x" }, "\"999.1\"", "application/merge-patch+json");
        await stale.AssertStatusAsync(HttpStatusCode.PreconditionFailed);

        using var referred = await _editor.SendJsonAsync(HttpMethod.Delete, "/entities/smic?dryRun=true", null, await _anonymous.ETagAsync("/entities/smic"));
        await referred.AssertStatusAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Dry_runs_of_a_patch_a_delete_and_a_restore_change_nothing()
    {
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("dry-lifecycle"));
        await created.AssertStatusAsync(HttpStatusCode.Created);
        var tag = created.Headers.ETag!.ToString();

        using var patch = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/dry-lifecycle?dryRun=true", new JsonObject { ["title"] = "A title never stored" }, tag, "application/merge-patch+json");
        await patch.AssertStatusAsync(HttpStatusCode.OK);
        var wouldBe = await patch.BodyAsync();
        Assert.Equal("A title never stored", wouldBe.GetProperty("title").GetString());
        Assert.Equal(2, wouldBe.GetProperty("version").GetInt32());

        using var delete = await _editor.SendJsonAsync(HttpMethod.Delete, "/events/dry-lifecycle?dryRun=true", null, tag);
        await delete.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal("true", delete.Headers.GetValues("Timeline-Dry-Run").Single());

        var stored = await _anonymous.GetJsonAsync("/events/dry-lifecycle");
        Assert.Equal("Testing teams compare the Kirin 9000S with Qualcomm chips", stored.GetProperty("title").GetString());
        Assert.Equal(1, stored.GetProperty("version").GetInt32());
        Assert.Single((await _anonymous.GetJsonAsync("/events/dry-lifecycle/revisions")).GetProperty("items").EnumerateArray());

        using var deleted = await _editor.SendJsonAsync(HttpMethod.Delete, "/events/dry-lifecycle", null, tag);
        await deleted.AssertStatusAsync(HttpStatusCode.NoContent);
        using var restore = await _editor.SendJsonAsync(HttpMethod.Post, "/events/dry-lifecycle/restore?dryRun=true", null);
        await restore.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(3, (await restore.BodyAsync()).GetProperty("version").GetInt32());
        await _anonymous.GetProblemAsync("/events/dry-lifecycle", HttpStatusCode.Gone);
    }

    [Fact]
    public async Task A_batch_creates_and_replaces_events_in_one_transaction_with_its_reason()
    {
        using var seeded = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("batch-existing"));
        await seeded.AssertStatusAsync(HttpStatusCode.Created);
        var changed = Curation.NewEvent("batch-existing", "Testers compare the Kirin 9000S and Qualcomm's older chips");
        var batch = new JsonObject
        {
            ["items"] = new JsonArray(
                new JsonObject { ["document"] = Curation.NewEvent("batch-new-1") },
                new JsonObject { ["document"] = Curation.NewEvent("batch-new-2", "A second batch event on the Kirin 9000S tests") },
                new JsonObject { ["document"] = changed, ["ifMatch"] = seeded.Headers.ETag!.ToString() },
                new JsonObject { ["document"] = Curation.NewEvent("batch-new-1-unchanged-copy") }),
        };

        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events/batch?reason=Batch%20from%20the%20test%20report", batch);

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var answer = await response.BodyAsync();
        Assert.False(answer.GetProperty("dryRun").GetBoolean());
        var items = answer.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["created", "created", "updated", "created"], items.Select(i => i.GetProperty("status").GetString()));
        Assert.Equal([0, 1, 2, 3], items.Select(i => i.GetProperty("index").GetInt32()));
        Assert.Equal(2, items[2].GetProperty("version").GetInt32());
        Assert.Equal(items[2].GetProperty("eTag").GetString(), await _anonymous.ETagAsync("/events/batch-existing"));
        Assert.True(items[0].GetProperty("record").GetProperty("citations")[0].GetProperty("endOffset").GetInt32() > 0);

        Assert.Equal("Testers compare the Kirin 9000S and Qualcomm's older chips", (await _anonymous.GetJsonAsync("/events/batch-existing")).GetProperty("title").GetString());
        var feed = (await _anonymous.AllChangesAsync()).Where(c => c.GetProperty("id").GetString()!.StartsWith("batch-", StringComparison.Ordinal)).ToList();
        Assert.All(feed.Skip(1), c => Assert.Equal("Batch from the test report", c.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task A_batch_with_one_bad_item_writes_nothing_and_names_the_item()
    {
        var bad = Curation.NewEvent("batch-bad-2");
        bad["date"] = "2023-13";
        var batch = new JsonObject
        {
            ["items"] = new JsonArray(
                new JsonObject { ["document"] = Curation.NewEvent("batch-bad-1") },
                new JsonObject { ["document"] = bad }),
        };

        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events/batch", batch);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var problem = await response.BodyAsync();
        Assert.Equal(1, problem.GetProperty("index").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty("items[1].document.date", out _), problem.ToString());
        Assert.StartsWith("items[1]: ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await _anonymous.GetProblemAsync("/events/batch-bad-1", HttpStatusCode.NotFound);

        // A stale precondition and a taken id are refused the same way.
        var stale = new JsonObject { ["items"] = new JsonArray(new JsonObject { ["document"] = Curation.NewEvent("batch-bad-3") }, new JsonObject { ["document"] = Curation.NewEvent("smic-added-to-us-sanctions-list"), ["ifMatch"] = "\"999.1\"" }) };
        using var staleResponse = await _editor.SendJsonAsync(HttpMethod.Post, "/events/batch", stale);
        await staleResponse.AssertStatusAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(1, (await staleResponse.BodyAsync()).GetProperty("index").GetInt32());
        var taken = new JsonObject { ["items"] = new JsonArray(new JsonObject { ["document"] = Curation.NewEvent("smic-added-to-us-sanctions-list") }) };
        using var takenResponse = await _editor.SendJsonAsync(HttpMethod.Post, "/events/batch", taken);
        await takenResponse.AssertStatusAsync(HttpStatusCode.Conflict);
        await _anonymous.GetProblemAsync("/events/batch-bad-3", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{}", "items")]
    [InlineData("{\"items\": []}", "items")]
    [InlineData("{\"items\": [1]}", "items[0]")]
    [InlineData("{\"items\": [{\"doc\": {}}]}", "items[0].doc")]
    [InlineData("{\"items\": [{\"document\": {\"title\": \"x\"}}]}", "items[0].document.id")]
    [InlineData("{\"items\": [{\"document\": {\"id\": \"x\"}, \"ifMatch\": 3}]}", "items[0].ifMatch")]
    [InlineData("{\"items\": [], \"reason\": \"x\"}", "reason")]
    public async Task A_malformed_batch_is_a_400_naming_the_path(string body, string path)
    {
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events/batch", JsonNode.Parse(body));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.True((await response.BodyAsync()).GetProperty("errors").TryGetProperty(path, out _));
    }

    [Fact]
    public async Task A_dry_run_batch_answers_every_item_and_writes_nothing()
    {
        var batch = new JsonObject { ["items"] = new JsonArray(new JsonObject { ["document"] = Curation.NewEvent("batch-dry-1") }) };

        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events/batch?dryRun=true", batch);

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var answer = await response.BodyAsync();
        Assert.True(answer.GetProperty("dryRun").GetBoolean());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("items")[0].GetProperty("eTag").ValueKind);
        await _anonymous.GetProblemAsync("/events/batch-dry-1", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Checking_a_dataset_answers_counts_offsets_and_warnings_and_imports_nothing()
    {
        var dataset = JsonNode.Parse(await _anonymous.GetStringAsync("/export"))!.AsObject();
        var events = dataset["events"]!.AsArray();
        var added = Curation.NewEvent("checked-only-event");
        events.Add(added);
        dataset["entities"]!.AsArray().Add(new JsonObject { ["id"] = "checked-only-entity", ["name"] = "An entity no event uses", ["kind"] = "company", ["country"] = "US", ["aliases"] = new JsonArray(), ["description"] = "For the check." });

        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/import/check", dataset);

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var check = await response.BodyAsync();
        Assert.Equal(1, check.GetProperty("wouldImport").GetProperty("events").GetProperty("created").GetInt32());
        Assert.Equal(1, check.GetProperty("wouldImport").GetProperty("entities").GetProperty("created").GetInt32());
        Assert.Contains(check.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("checked-only-entity", StringComparison.Ordinal));
        var offsets = check.GetProperty("citations").EnumerateArray().Single(c => c.GetProperty("eventId").GetString() == "checked-only-event");
        var text = (await _anonymous.GetJsonAsync($"/sources/{Curation.SourceId}")).GetProperty("text").GetString()!;
        Assert.Equal(added["citations"]![0]!["quote"]!.GetValue<string>(), Curation.CodePoints(text, offsets.GetProperty("start").GetInt32(), offsets.GetProperty("end").GetInt32()));

        await _anonymous.GetProblemAsync("/events/checked-only-event", HttpStatusCode.NotFound);
        await _anonymous.GetProblemAsync("/entities/checked-only-entity", HttpStatusCode.NotFound);

        // An invalid dataset answers the import's 422, in the conditional.
        added["date"] = "2023-02-30";
        using var invalid = await _editor.SendJsonAsync(HttpMethod.Post, "/import/check", dataset);
        await invalid.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("would not be imported", (await invalid.BodyAsync()).GetProperty("title").GetString(), StringComparison.Ordinal);

        using var anonymous = await _anonymous.SendJsonAsync(HttpMethod.Post, "/import/check", dataset);
        await anonymous.AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_import_dry_run_answers_the_counts_and_a_real_one_keeps_the_reason()
    {
        var dataset = JsonNode.Parse(await _anonymous.GetStringAsync("/export"))!.AsObject();
        dataset["events"]!.AsArray().Add(Curation.NewEvent("imported-with-reason"));

        using var dry = await _admin.SendJsonAsync(HttpMethod.Post, "/import?dryRun=true", dataset);
        await dry.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(1, (await dry.BodyAsync()).GetProperty("events").GetProperty("created").GetInt32());
        await _anonymous.GetProblemAsync("/events/imported-with-reason", HttpStatusCode.NotFound);

        using var real = await _admin.SendJsonAsync(HttpMethod.Post, "/import?reason=Quarterly%20import", dataset);
        await real.AssertStatusAsync(HttpStatusCode.OK);
        var revision = (await _anonymous.GetJsonAsync("/events/imported-with-reason/revisions")).GetProperty("items")[0];
        Assert.Equal("Quarterly import", revision.GetProperty("reason").GetString());
    }
}

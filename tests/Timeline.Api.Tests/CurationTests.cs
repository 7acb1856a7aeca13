using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Writes to events, entities and sources: keys, validation, If-Match, tombstones, revisions.</summary>
public class CurationTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _editor = fixture.CreateClient(TimelineApp.EditorKey);
    private readonly HttpClient _anonymous = fixture.CreateClient();

    [Fact]
    public async Task Writes_need_a_valid_key_and_reads_do_not()
    {
        using var none = await _anonymous.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("key-check"));
        await none.AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var wrong = app.CreateClient("tl_not-a-key");
        using var rejected = await wrong.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("key-check"));
        await rejected.AssertStatusAsync(HttpStatusCode.Unauthorized);

        using var malformed = app.CreateClient();
        malformed.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic abc");
        using var basic = await malformed.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("key-check"));
        await basic.AssertStatusAsync(HttpStatusCode.Unauthorized);

        using var read = await _anonymous.GetAsync("/events/smic-added-to-us-sanctions-list");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await _anonymous.GetProblemAsync("/events/key-check", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_editor_key_cannot_import()
    {
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/import", new JsonObject { ["sources"] = new JsonArray(), ["entities"] = new JsonArray(), ["events"] = new JsonArray() });

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Creating_an_event_stores_it_with_computed_offsets_and_a_first_revision()
    {
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("created-event"));

        await response.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal("/events/created-event", response.Headers.Location?.OriginalString);
        Assert.StartsWith("\"1.", response.Headers.ETag!.Tag, StringComparison.Ordinal);
        var created = await response.BodyAsync();
        Assert.Equal(1, created.GetProperty("version").GetInt32());
        var citation = created.GetProperty("citations")[0];
        var text = (await _anonymous.GetJsonAsync($"/sources/{Curation.SourceId}")).GetProperty("text").GetString()!;
        Assert.Equal(citation.GetProperty("quote").GetString(), text.Substring(citation.GetProperty("startOffset").GetInt32(), citation.GetProperty("endOffset").GetInt32() - citation.GetProperty("startOffset").GetInt32()));

        Assert.Contains("created-event", (await _anonymous.GetJsonAsync("/events?category=analysis&limit=200")).Ids());
        Assert.Contains("created-event", (await _anonymous.GetJsonAsync("/events?q=compare")).Ids());
        var revisions = await _anonymous.GetJsonAsync("/events/created-event/revisions");
        var first = Assert.Single(revisions.GetProperty("items").EnumerateArray());
        Assert.Equal("create", first.GetProperty("action").GetString());
        Assert.Equal("editor", first.GetProperty("actor").GetString());
        var document = (await _anonymous.GetJsonAsync("/events/created-event/revisions/1")).GetProperty("document");
        Assert.Equal("2023-09", document.GetProperty("date").GetString());
        Assert.Equal(Curation.SourceId, document.GetProperty("citations")[0].GetProperty("source").GetString());
    }

    [Fact]
    public async Task An_invalid_event_is_a_422_listing_every_invalid_field_and_nothing_is_stored()
    {
        var body = Curation.NewEvent("invalid-event");
        body["date"] = "2023-02-30";
        body["category"] = "rumour";
        body["title"] = "";
        body["entities"]![0]!["id"] = "initech";
        body["citations"]![0]!["quote"] = "performed as well as \"Qualcomm\" chips";
        body["colour"] = "red";

        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events", body);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var errors = (await response.BodyAsync()).GetProperty("errors");
        foreach (var field in new[] { "date", "category", "title", "entities[0].id", "citations[0].quote", "colour" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} missing in {errors}");
        }

        await _anonymous.GetProblemAsync("/events/invalid-event", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("not json", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("[1, 2]", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"id\": \"x\"}", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("{\"title\": \"no id\"}", "application/json", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"id\": 42}", "application/json", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"id\": \"x\", \"tags\": \"not-a-list\"}", "application/json", HttpStatusCode.UnprocessableEntity)]
    public async Task A_malformed_body_is_a_clear_problem(string body, string mediaType, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = new StringContent(body, System.Text.Encoding.UTF8, mediaType) };
        using var response = await _editor.SendAsync(request);

        await response.AssertStatusAsync(expected);
    }

    [Fact]
    public async Task Creating_an_existing_id_is_a_409()
    {
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("smic-added-to-us-sanctions-list"));

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("/events/smic-added-to-us-sanctions-list", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Replacing_needs_If_Match_refuses_a_stale_one_and_bumps_the_version()
    {
        (await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("replaced-event"))).Dispose();
        var etag = await _anonymous.ETagAsync("/events/replaced-event");
        var changed = Curation.NewEvent("replaced-event", "A new title");

        using var missing = await _editor.SendJsonAsync(HttpMethod.Put, "/events/replaced-event", changed);
        await missing.AssertStatusAsync(HttpStatusCode.PreconditionRequired);

        using var ok = await _editor.SendJsonAsync(HttpMethod.Put, "/events/replaced-event", changed, etag);
        await ok.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(2, (await ok.BodyAsync()).GetProperty("version").GetInt32());

        using var stale = await _editor.SendJsonAsync(HttpMethod.Put, "/events/replaced-event", Curation.NewEvent("replaced-event", "Lost update"), etag);
        await stale.AssertStatusAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, (await stale.BodyAsync()).GetProperty("currentVersion").GetInt32());

        Assert.Equal("A new title", (await _anonymous.GetJsonAsync("/events/replaced-event")).GetProperty("title").GetString());
        var revision = await _anonymous.GetJsonAsync("/events/replaced-event/revisions/2");
        Assert.Equal("update", revision.GetProperty("action").GetString());
        Assert.Equal("A new title", revision.GetProperty("document").GetProperty("title").GetString());
        Assert.Equal("Testing teams compare the Kirin 9000S with Qualcomm chips", (await _anonymous.GetJsonAsync("/events/replaced-event/revisions/1")).GetProperty("document").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Replacing_with_an_identical_document_changes_nothing()
    {
        (await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("same-event"))).Dispose();
        var etag = await _anonymous.ETagAsync("/events/same-event");

        using var response = await _editor.SendJsonAsync(HttpMethod.Put, "/events/same-event", Curation.NewEvent("same-event"), etag);

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(1, (await response.BodyAsync()).GetProperty("version").GetInt32());
        Assert.Single((await _anonymous.GetJsonAsync("/events/same-event/revisions")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_id_in_a_body_cannot_differ_from_the_path()
    {
        (await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("fixed-id"))).Dispose();
        var etag = await _anonymous.ETagAsync("/events/fixed-id");

        using var response = await _editor.SendJsonAsync(HttpMethod.Put, "/events/fixed-id", Curation.NewEvent("other-id"), etag);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True((await response.BodyAsync()).GetProperty("errors").TryGetProperty("id", out _));
    }

    [Fact]
    public async Task A_merge_patch_changes_only_what_it_names()
    {
        var original = Curation.NewEvent("patched-event");
        original["endDate"] = "2023-12";
        (await _editor.SendJsonAsync(HttpMethod.Post, "/events", original)).Dispose();
        var etag = await _anonymous.ETagAsync("/events/patched-event");
        var patch = new JsonObject { ["title"] = "Patched title", ["endDate"] = null, ["tags"] = new JsonArray("benchmarks", "kirin-9000s") };

        using var wrongType = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/patched-event", patch, etag);
        await wrongType.AssertStatusAsync(HttpStatusCode.UnsupportedMediaType);

        using var response = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/patched-event", patch, etag, "application/merge-patch+json");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        var patched = await response.BodyAsync();
        Assert.Equal("Patched title", patched.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("endDate").ValueKind);
        Assert.Equal(["benchmarks", "kirin-9000s"], patched.GetProperty("tags").Strings());
        Assert.Equal("Testers compared the chip with Qualcomm's.", patched.GetProperty("summary").GetString());
        Assert.Single(patched.GetProperty("citations").EnumerateArray());

        using var invalid = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/patched-event", new JsonObject { ["date"] = "2024-13" }, response.Headers.ETag!.ToString(), "application/merge-patch+json");
        await invalid.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Deleting_leaves_a_tombstone_that_every_read_respects_and_restore_brings_it_back()
    {
        (await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("doomed-event", "Zebrafish benchmark of the chip"))).Dispose();
        var etag = await _anonymous.ETagAsync("/events/doomed-event");

        using var missing = await _editor.SendJsonAsync(HttpMethod.Delete, "/events/doomed-event", null);
        await missing.AssertStatusAsync(HttpStatusCode.PreconditionRequired);
        using var deleted = await _editor.SendJsonAsync(HttpMethod.Delete, "/events/doomed-event", null, etag);
        await deleted.AssertStatusAsync(HttpStatusCode.NoContent);

        var gone = await _anonymous.GetProblemAsync("/events/doomed-event", HttpStatusCode.Gone);
        Assert.Equal("editor", gone.GetProperty("deletedBy").GetString());
        Assert.True(gone.TryGetProperty("deletedAt", out _));
        Assert.DoesNotContain("doomed-event", (await _anonymous.GetJsonAsync("/events?limit=200")).Ids());
        Assert.Empty((await _anonymous.GetJsonAsync("/events?q=zebrafish")).Ids());
        Assert.DoesNotContain("doomed-event", await _anonymous.GetStringAsync("/events.csv"), StringComparison.Ordinal);
        Assert.DoesNotContain("doomed-event", await _anonymous.GetStringAsync("/events.ics"), StringComparison.Ordinal);
        Assert.DoesNotContain("doomed-event", await _anonymous.GetStringAsync("/export"), StringComparison.Ordinal);
        Assert.Empty((await _anonymous.GetJsonAsync("/search?q=zebrafish")).GetProperty("events").GetProperty("items").EnumerateArray());
        var facets = await _anonymous.GetJsonAsync("/events/facets?facet=tag&q=zebrafish");
        Assert.Empty(facets.GetProperty("facets").GetProperty("tag").EnumerateArray());

        using var editDeleted = await _editor.SendJsonAsync(HttpMethod.Put, "/events/doomed-event", Curation.NewEvent("doomed-event"), "*");
        await editDeleted.AssertStatusAsync(HttpStatusCode.Gone);

        using var restored = await _editor.SendJsonAsync(HttpMethod.Post, "/events/doomed-event/restore", null);
        await restored.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(3, (await restored.BodyAsync()).GetProperty("version").GetInt32());
        Assert.Equal(["doomed-event"], (await _anonymous.GetJsonAsync("/events?q=zebrafish")).Ids());
        var actions = (await _anonymous.GetJsonAsync("/events/doomed-event/revisions")).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("action").GetString()).ToList();
        Assert.Equal(["create", "delete", "restore"], actions);

        using var again = await _editor.SendJsonAsync(HttpMethod.Post, "/events/doomed-event/restore", null);
        await again.AssertStatusAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_entity_that_events_refer_to_cannot_be_deleted_and_the_problem_names_them()
    {
        var etag = await _anonymous.ETagAsync("/entities/tsmc");

        using var response = await _editor.SendJsonAsync(HttpMethod.Delete, "/entities/tsmc", null, etag);

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        var events = (await response.BodyAsync()).GetProperty("events").Strings();
        Assert.Contains("huawei-strikes-charlotte-deal-with-smic", events);
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync("/entities/tsmc")).StatusCode);
    }

    [Fact]
    public async Task Entities_are_created_changed_deleted_and_restored()
    {
        var entity = new JsonObject { ["id"] = "asml", ["name"] = "ASML", ["kind"] = "company", ["country"] = "NL", ["aliases"] = new JsonArray("ASML Holding"), ["description"] = "Lithography equipment maker." };
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/entities", entity);
        await created.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Contains("asml", (await _anonymous.GetJsonAsync("/entities?q=holding")).Ids());
        // As a filter: known (the second time too, when an engine may remember that it is), refused once deleted
        // (below), known again once restored.
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync("/events?entity=asml&limit=5")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync("/events?entity=asml&limit=6")).StatusCode);
        Assert.Equal("asml", (await _anonymous.GetJsonAsync("/search?q=lithography")).GetProperty("entities").GetProperty("items")[0].GetProperty("id").GetString());

        using var patched = await _editor.SendJsonAsync(HttpMethod.Patch, "/entities/asml", new JsonObject { ["country"] = "XX1" }, created.Headers.ETag!.ToString(), "application/merge-patch+json");
        await patched.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);

        var etag = await _anonymous.ETagAsync("/entities/asml");
        using var deleted = await _editor.SendJsonAsync(HttpMethod.Delete, "/entities/asml", null, etag);
        await deleted.AssertStatusAsync(HttpStatusCode.NoContent);
        await _anonymous.GetProblemAsync("/entities/asml", HttpStatusCode.Gone);
        Assert.DoesNotContain("asml", (await _anonymous.GetJsonAsync("/entities")).Ids());
        var unknown = await _anonymous.GetProblemAsync("/events?entity=asml&limit=7", HttpStatusCode.BadRequest);
        Assert.Contains("unknown entity id 'asml'", unknown.GetProperty("errors").GetProperty("entity")[0].GetString(), StringComparison.Ordinal);

        // A deleted entity cannot be cited by a new event.
        var body = Curation.NewEvent("cites-deleted-entity");
        body["entities"]![0]!["id"] = "asml";
        using var refused = await _editor.SendJsonAsync(HttpMethod.Post, "/events", body);
        await refused.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);

        using var restored = await _editor.SendJsonAsync(HttpMethod.Post, "/entities/asml/restore", null);
        await restored.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("ASML", (await restored.BodyAsync()).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync("/events?entity=asml&limit=8")).StatusCode);
    }

    [Fact]
    public async Task A_source_text_is_hashed_unique_and_never_changes()
    {
        var source = new JsonObject { ["id"] = "new-source", ["title"] = "A new report", ["publisher"] = "Example", ["author"] = null, ["publishedDate"] = "2024-05", ["url"] = "https://example.com/report", ["text"] = "The ministry published its rule on 5 May 2024.", ["notes"] = new JsonArray() };
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/sources", source);
        await created.AssertStatusAsync(HttpStatusCode.Created);
        var stored = await created.BodyAsync();
        Assert.Equal(Timeline.Model.Dataset.DatasetValidator.Sha256("The ministry published its rule on 5 May 2024."), stored.GetProperty("sha256").GetString());

        var twin = source.DeepClone().AsObject();
        twin["id"] = "twin-source";
        using var duplicate = await _editor.SendJsonAsync(HttpMethod.Post, "/sources", twin);
        await duplicate.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("/sources/new-source", (await duplicate.BodyAsync()).GetProperty("existing").GetString());
        Assert.Equal("/sources/new-source", duplicate.Headers.Location?.OriginalString);

        var changed = source.DeepClone().AsObject();
        changed["text"] = "The ministry published its rule on 6 May 2024.";
        using var rewrite = await _editor.SendJsonAsync(HttpMethod.Put, "/sources/new-source", changed, created.Headers.ETag!.ToString());
        await rewrite.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True((await rewrite.BodyAsync()).GetProperty("errors").TryGetProperty("text", out _));

        using var retitled = await _editor.SendJsonAsync(HttpMethod.Patch, "/sources/new-source", new JsonObject { ["title"] = "A better title" }, created.Headers.ETag!.ToString(), "application/merge-patch+json");
        await retitled.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("A better title", (await retitled.BodyAsync()).GetProperty("title").GetString());

        var cited = Curation.NewEvent("cites-new-source");
        cited["citations"] = new JsonArray(new JsonObject { ["source"] = "new-source", ["quote"] = "published its rule on 5 May 2024" });
        using var citing = await _editor.SendJsonAsync(HttpMethod.Post, "/events", cited);
        await citing.AssertStatusAsync(HttpStatusCode.Created);
        using var blocked = await _editor.SendJsonAsync(HttpMethod.Delete, "/sources/new-source", null, "*");
        await blocked.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Contains("cites-new-source", (await blocked.BodyAsync()).GetProperty("events").Strings());
    }

    [Fact]
    public async Task The_OpenAPI_document_marks_every_write_as_needing_the_key()
    {
        var document = await _anonymous.GetJsonAsync("/openapi/v1.json");

        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("scheme").GetString());
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                var secured = op.Value.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;
                Assert.True(secured == (op.Name != "get"), $"{op.Name.ToUpperInvariant()} {path.Name}: secured={secured}");
            }
        }
    }
}

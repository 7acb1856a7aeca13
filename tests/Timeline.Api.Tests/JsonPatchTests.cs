using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>PATCH with an RFC 6902 JSON Patch (application/json-patch+json) beside merge-patch: one item added or removed alone, tests, If-Match.</summary>
public class JsonPatchTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _editor = fixture.CreateClient(TimelineApp.EditorKey);

    private const string JsonPatchType = "application/json-patch+json";

    private async Task<(JsonElement Event, string ETag)> CreateAsync(string id)
    {
        var document = Curation.NewEvent(id);
        document["tags"] = new JsonArray("kirin-9000s", "qualcomm", "benchmarks");
        document["caveats"] = new JsonArray("First caveat.", "Second caveat.");
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", document);
        await created.AssertStatusAsync(HttpStatusCode.Created);
        return (await created.BodyAsync(), created.Headers.ETag!.ToString());
    }

    private Task<HttpResponseMessage> PatchAsync(string url, JsonArray patch, string? ifMatch) =>
        _editor.SendJsonAsync(HttpMethod.Patch, url, patch, ifMatch, JsonPatchType);

    [Fact]
    public async Task Adding_one_caveat_alone_keeps_every_other_field_and_writes_one_revision()
    {
        var (before, etag) = await CreateAsync("patch-add-caveat");

        using var response = await PatchAsync("/events/patch-add-caveat",
            [new JsonObject { ["op"] = "add", ["path"] = "/caveats/-", ["value"] = "A third caveat, added alone." }], etag);

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var after = await response.BodyAsync();
        Assert.Equal(["First caveat.", "Second caveat.", "A third caveat, added alone."], after.GetProperty("caveats").Strings());
        Assert.Equal(before.GetProperty("tags").Strings(), after.GetProperty("tags").Strings());
        Assert.Equal(before.GetProperty("title").GetString(), after.GetProperty("title").GetString());
        Assert.Equal(2, after.GetProperty("version").GetInt32());
        Assert.StartsWith("\"2.", response.Headers.ETag!.Tag, StringComparison.Ordinal);
        var revisions = await _editor.GetJsonAsync("/events/patch-add-caveat/revisions");
        Assert.Equal(2, revisions.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Removing_one_tag_after_testing_it_is_the_one_meant()
    {
        var (_, etag) = await CreateAsync("patch-remove-tag");

        using var response = await PatchAsync("/events/patch-remove-tag",
        [
            new JsonObject { ["op"] = "test", ["path"] = "/tags/1", ["value"] = "qualcomm" },
            new JsonObject { ["op"] = "remove", ["path"] = "/tags/1" },
        ], etag);

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(["benchmarks", "kirin-9000s"], (await response.BodyAsync()).GetProperty("tags").Strings().Order(StringComparer.Ordinal));
        Assert.DoesNotContain("patch-remove-tag", (await _editor.GetJsonAsync("/events?tag=qualcomm&limit=200")).Ids());
    }

    [Fact]
    public async Task A_failing_test_names_its_operation_and_changes_nothing()
    {
        var (_, etag) = await CreateAsync("patch-failing-test");

        using var response = await PatchAsync("/events/patch-failing-test",
        [
            new JsonObject { ["op"] = "add", ["path"] = "/caveats/-", ["value"] = "Never added." },
            new JsonObject { ["op"] = "test", ["path"] = "/tags/0", ["value"] = "smic" },
            new JsonObject { ["op"] = "remove", ["path"] = "/tags/0" },
        ], etag);

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        var problem = await response.BodyAsync();
        Assert.Equal(1, problem.GetProperty("operation").GetInt32());
        Assert.Equal("test", problem.GetProperty("op").GetString());
        Assert.Equal("/tags/0", problem.GetProperty("path").GetString());
        Assert.Equal("kirin-9000s", problem.GetProperty("actual").GetString());
        Assert.Contains("Operation 1 (test /tags/0)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var unchanged = await _editor.GetJsonAsync("/events/patch-failing-test");
        Assert.Equal(1, unchanged.GetProperty("version").GetInt32());
        Assert.Equal(2, unchanged.GetProperty("caveats").GetArrayLength());
    }

    [Theory]
    [InlineData("remove", "/caveats/7", "/caveats has 2 items, so there is no item 7")]
    [InlineData("replace", "/colour", "the document has no member 'colour'")]
    [InlineData("remove", "/entities/0/name/x", "/entities/0 has no member 'name'")]
    [InlineData("add", "/caveats/9", "/caveats has 2 items; an index to add at is from 0 to 2, or - for the end")]
    public async Task A_path_naming_nothing_is_a_409_naming_the_operation_and_path(string op, string path, string why)
    {
        var id = $"patch-bad-path-{op}-{path.Length}";
        var (_, etag) = await CreateAsync(id);
        var operation = new JsonObject { ["op"] = op, ["path"] = path };
        if (op != "remove")
        {
            operation["value"] = "x";
        }

        using var response = await PatchAsync($"/events/{id}", [new JsonObject { ["op"] = "test", ["path"] = "/id", ["value"] = id }, operation], etag);

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        var problem = await response.BodyAsync();
        Assert.Equal(1, problem.GetProperty("operation").GetInt32());
        Assert.Equal(path, problem.GetProperty("path").GetString());
        Assert.Contains(why, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_patch_is_a_400_naming_each_operation_at_fault()
    {
        var (_, etag) = await CreateAsync("patch-malformed");

        using var response = await PatchAsync("/events/patch-malformed",
        [
            new JsonObject { ["op"] = "add", ["path"] = "/caveats/-", ["value"] = "fine" },
            new JsonObject { ["op"] = "frobnicate", ["path"] = "/title" },
            new JsonObject { ["op"] = "remove", ["path"] = "caveats/0" },
            new JsonObject { ["op"] = "replace", ["path"] = "/title" },
            new JsonObject { ["op"] = "move", ["path"] = "/a~2b", ["from"] = "/title" },
        ], etag);

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        var errors = (await response.BodyAsync()).GetProperty("errors");
        Assert.Equal(["[1].op", "[2].path", "[3].value", "[4].path"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList());

        using var notArray = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/patch-malformed", new JsonObject { ["op"] = "add" }, etag, JsonPatchType);
        await notArray.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal(1, (await _editor.GetJsonAsync("/events/patch-malformed")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_json_patch_needs_if_match_and_a_stale_one_is_a_412()
    {
        var (_, etag) = await CreateAsync("patch-stale");
        JsonArray addCaveat = [new JsonObject { ["op"] = "add", ["path"] = "/caveats/0", ["value"] = "Inserted first." }];

        using var without = await PatchAsync("/events/patch-stale", addCaveat, null);
        await without.AssertStatusAsync((HttpStatusCode)428);

        using var first = await PatchAsync("/events/patch-stale", addCaveat, etag);
        await first.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("Inserted first.", (await first.BodyAsync()).GetProperty("caveats")[0].GetString());

        using var stale = await PatchAsync("/events/patch-stale", addCaveat, etag);
        await stale.AssertStatusAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(3, (await _editor.GetJsonAsync("/events/patch-stale")).GetProperty("caveats").GetArrayLength());
    }

    [Fact]
    public async Task A_citation_is_added_alone_with_its_offsets_computed_and_a_patched_document_is_validated()
    {
        var (_, etag) = await CreateAsync("patch-citation");

        using var added = await PatchAsync("/events/patch-citation",
            [new JsonObject { ["op"] = "add", ["path"] = "/citations/-", ["value"] = new JsonObject { ["source"] = Curation.SourceId, ["quote"] = "Kirin 9000S", ["occurrence"] = 1 } }], etag);

        await added.AssertStatusAsync(HttpStatusCode.OK);
        var citations = (await added.BodyAsync()).GetProperty("citations");
        Assert.Equal(2, citations.GetArrayLength());
        var text = (await _editor.GetJsonAsync($"/sources/{Curation.SourceId}")).GetProperty("text").GetString()!;
        var codePoints = text.EnumerateRunes().Select(r => r.ToString()).ToArray();
        Assert.Equal("Kirin 9000S", string.Concat(codePoints[citations[1].GetProperty("startOffset").GetInt32()..citations[1].GetProperty("endOffset").GetInt32()]));

        // The patched document is checked like any other: a quote the source does not hold is a 422.
        using var invalid = await PatchAsync("/events/patch-citation",
            [new JsonObject { ["op"] = "replace", ["path"] = "/citations/1/quote", ["value"] = "words the source never said" }], added.Headers.ETag!.ToString());
        await invalid.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True((await invalid.BodyAsync()).GetProperty("errors").TryGetProperty("citations[1].quote", out _));
    }

    [Fact]
    public async Task Entities_and_sources_take_a_json_patch_too()
    {
        var entityTag = await _editor.ETagAsync("/entities/kirin-9000s");
        using var alias = await PatchAsync("/entities/kirin-9000s", [new JsonObject { ["op"] = "add", ["path"] = "/aliases/-", ["value"] = "麒麟9000S" }], entityTag);
        await alias.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Contains("麒麟9000S", (await alias.BodyAsync()).GetProperty("aliases").Strings());

        var sourceTag = await _editor.ETagAsync($"/sources/{Curation.SourceId}");
        using var note = await PatchAsync($"/sources/{Curation.SourceId}", [new JsonObject { ["op"] = "add", ["path"] = "/notes/-", ["value"] = "Checked again." }], sourceTag);
        await note.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("Checked again.", (await note.BodyAsync()).GetProperty("notes").Strings()[^1]);

        // The text never changes, whatever the patch format.
        using var text = await PatchAsync($"/sources/{Curation.SourceId}", [new JsonObject { ["op"] = "replace", ["path"] = "/text", ["value"] = "Another text." }], note.Headers.ETag!.ToString());
        await text.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task The_openapi_document_describes_both_patch_types_with_examples()
    {
        var document = await _editor.GetJsonAsync("/openapi/v1.json");
        foreach (var path in new[] { "/events/{id}", "/entities/{id}", "/sources/{id}" })
        {
            var patch = document.GetProperty("paths").GetProperty(path).GetProperty("patch");
            var content = patch.GetProperty("requestBody").GetProperty("content");
            Assert.True(content.GetProperty("application/merge-patch+json").TryGetProperty("example", out _), path);
            var jsonPatch = content.GetProperty("application/json-patch+json");
            Assert.Equal("array", jsonPatch.GetProperty("schema").GetProperty("type").GetString());
            Assert.Equal(2, jsonPatch.GetProperty("examples").EnumerateObject().Count());
            foreach (var status in new[] { "400", "409", "412", "415", "428" })
            {
                Assert.True(patch.GetProperty("responses").TryGetProperty(status, out _), $"{path} {status}");
            }
        }
    }
}

/// <summary>The RFC 6902 semantics of <see cref="Timeline.Model.Dataset.JsonPatch"/> itself: pointers, move, copy, the whole document.</summary>
public class JsonPatchSemanticsTests
{
    private static JsonNode? Apply(string document, string patch)
    {
        var (parsed, errors) = Timeline.Model.Dataset.JsonPatch.Parse(JsonNode.Parse(patch));
        Assert.Empty(errors);
        var (result, failure) = parsed!.Apply(JsonNode.Parse(document));
        Assert.Null(failure);
        return result;
    }

    [Theory]
    [InlineData("""{"a/b":1,"m~n":2}""", """[{"op":"replace","path":"/a~1b","value":3},{"op":"remove","path":"/m~0n"}]""", """{"a/b":3}""")]
    [InlineData("""{"tags":["a","b","c"]}""", """[{"op":"move","from":"/tags/0","path":"/tags/-"}]""", """{"tags":["b","c","a"]}""")]
    [InlineData("""{"tags":["a"],"caveats":[]}""", """[{"op":"copy","from":"/tags/0","path":"/caveats/0"}]""", """{"tags":["a"],"caveats":["a"]}""")]
    [InlineData("""{"x":{"y":1}}""", """[{"op":"move","from":"/x","path":"/z"},{"op":"test","path":"/z","value":{"y":1}}]""", """{"z":{"y":1}}""")]
    [InlineData("""{"n":1}""", """[{"op":"test","path":"/n","value":1.0},{"op":"add","path":"","value":{"whole":true}}]""", """{"whole":true}""")]
    [InlineData("""{"a":[1,2]}""", """[{"op":"add","path":"/a/1","value":null},{"op":"replace","path":"/a/0","value":[0]}]""", """{"a":[[0],null,2]}""")]
    public void Operations_apply_as_rfc_6902_says(string document, string patch, string expected)
    {
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), Apply(document, patch)), Apply(document, patch)?.ToJsonString());
    }

    [Theory]
    [InlineData("""{"a":{"b":1}}""", """[{"op":"move","from":"/a","path":"/a/b/c"}]""", "cannot move /a into itself")]
    [InlineData("""{"a":[1]}""", """[{"op":"remove","path":"/a/01"}]""", "'01' is not an index")]
    [InlineData("""{"a":[1]}""", """[{"op":"remove","path":"/a/-"}]""", "- is only for add")]
    public void Operations_that_cannot_apply_say_why(string document, string patch, string why)
    {
        var (parsed, _) = Timeline.Model.Dataset.JsonPatch.Parse(JsonNode.Parse(patch));
        var (result, failure) = parsed!.Apply(JsonNode.Parse(document));
        Assert.Null(result);
        Assert.Contains(why, failure!.Reason, StringComparison.Ordinal);
    }
}

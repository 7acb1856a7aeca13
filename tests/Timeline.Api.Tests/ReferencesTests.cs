using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Issue 17: references to the public record on events (validated, stored, shown, exported, searched), the official
/// fields of sources, former ids answering 301, standalone entities, and search in Chinese characters. Through HTTP, on a
/// small dataset of the test's own (<see cref="Dataset"/>).
/// </summary>
public sealed class ReferencesTests : IClassFixture<ReferencesTests.App>, IDisposable
{
    private const string Listing = "smic-added-to-entity-list";
    private const string OldListing = "smic-added-to-us-sanctions-list";

    private readonly App _app;
    private readonly HttpClient _client;
    private readonly HttpClient _noRedirects;

    public ReferencesTests(App app, ITestOutputHelper output)
    {
        _app = app;
        _app.Output = output;
        _client = app.CreateClient();
        _noRedirects = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public void Dispose()
    {
        _app.Output = null;
        _client.Dispose();
        _noRedirects.Dispose();
    }

    /// <summary>The app, seeded with <see cref="Dataset"/>.</summary>
    public sealed class App() : TimelineApp(SyntheticDataset.Write(Dataset()));

    public const string SourceText =
        "In December 2020, SMIC joined Huawei on the US sanctions list. 华为技术有限公司 designed the 麒麟9000S; 中芯国际 made it. Huawei fought to stay afloat in 2020.";

    public static JsonObject Reference() => new()
    {
        ["title"] = "Addition of Entities to the Entity List, Revision of Entry on the Entity List, and Removal of Entities From the Entity List",
        ["publisher"] = "Bureau of Industry and Security",
        ["date"] = "2020-12-22",
        ["url"] = "https://www.federalregister.gov/d/2020-28031",
        ["citation"] = "85 FR 83416",
        ["documentNumber"] = "2020-28031",
        ["supports"] = "SMIC's addition to the Entity List, effective 2020-12-18.",
    };

    public static JsonObject Dataset() => new()
    {
        ["sources"] = new JsonArray(
            new JsonObject
            {
                ["id"] = "report",
                ["title"] = "A report on SMIC and Huawei",
                ["publisher"] = "A newspaper",
                ["author"] = null,
                ["publishedDate"] = "2023-11",
                ["url"] = null,
                ["text"] = SourceText,
                ["notes"] = new JsonArray(),
                ["formerIds"] = new JsonArray("old-report"),
            },
            new JsonObject
            {
                ["id"] = "fr-2020-28031",
                ["title"] = "Addition of Entities to the Entity List",
                ["publisher"] = "Federal Register",
                ["publishedDate"] = "2020-12-22",
                ["url"] = "https://www.federalregister.gov/d/2020-28031",
                ["text"] = "SUMMARY: This final rule amends the Export Administration Regulations by adding 77 entities.",
                ["notes"] = new JsonArray(),
                ["citation"] = "85 FR 83416",
                ["documentNumber"] = "2020-28031",
                ["effectiveDate"] = "2020-12-18",
                ["agencies"] = new JsonArray("Commerce Department", "Industry and Security Bureau"),
                ["documentType"] = "Rule",
            }),
        ["entities"] = new JsonArray(
            new JsonObject { ["id"] = "huawei", ["name"] = "Huawei", ["kind"] = "company", ["country"] = "CN", ["aliases"] = new JsonArray("华为技术有限公司"), ["description"] = null },
            new JsonObject { ["id"] = "smic", ["name"] = "SMIC", ["kind"] = "company", ["country"] = "CN", ["aliases"] = new JsonArray("中芯国际"), ["description"] = null, ["formerIds"] = new JsonArray("semiconductor-manufacturing") },
            new JsonObject { ["id"] = "kirin-9000s", ["name"] = "Kirin 9000S", ["kind"] = "chip", ["country"] = null, ["aliases"] = new JsonArray("麒麟9000S"), ["description"] = null },
            new JsonObject { ["id"] = "entity-list", ["name"] = "Entity List", ["kind"] = "list", ["country"] = "US", ["aliases"] = new JsonArray(), ["description"] = null, ["standalone"] = true },
            new JsonObject { ["id"] = "acme", ["name"] = "Acme", ["kind"] = "company", ["country"] = null, ["aliases"] = new JsonArray(), ["description"] = null }),
        ["events"] = new JsonArray(
            new JsonObject
            {
                ["id"] = Listing,
                ["date"] = "2020-12",
                ["endDate"] = null,
                ["title"] = "SMIC is added to the US Entity List",
                ["summary"] = "SMIC joined Huawei on the Entity List.",
                ["category"] = "entity-listing",
                ["tags"] = new JsonArray("smic"),
                ["caveats"] = new JsonArray(),
                ["entities"] = new JsonArray(new JsonObject { ["id"] = "smic", ["role"] = "target" }),
                ["citations"] = new JsonArray(new JsonObject { ["source"] = "report", ["quote"] = "In December 2020, SMIC joined Huawei on the US sanctions list." }),
                ["references"] = new JsonArray(Reference()),
                ["formerIds"] = new JsonArray(OldListing),
            },
            new JsonObject
            {
                ["id"] = "kirin-9000s-designed",
                ["date"] = "2023",
                ["endDate"] = null,
                ["title"] = "A chip is designed and made",
                ["summary"] = "The chip was designed and made.",
                ["category"] = "product-launch",
                ["tags"] = new JsonArray(),
                ["caveats"] = new JsonArray(),
                ["entities"] = new JsonArray(
                    new JsonObject { ["id"] = "huawei", ["role"] = "designer" },
                    new JsonObject { ["id"] = "kirin-9000s", ["role"] = "subject" }),
                ["citations"] = new JsonArray(new JsonObject { ["source"] = "report", ["quote"] = "designed the 麒麟9000S" }),
            },
            new JsonObject
            {
                ["id"] = "huawei-stays-afloat",
                ["date"] = "2020",
                ["endDate"] = null,
                ["title"] = "Huawei fights to stay afloat",
                ["summary"] = "Huawei fought to stay afloat.",
                ["category"] = "corporate",
                ["tags"] = new JsonArray(),
                ["caveats"] = new JsonArray(),
                ["entities"] = new JsonArray(new JsonObject { ["id"] = "acme", ["role"] = "subject" }),
                ["citations"] = new JsonArray(new JsonObject { ["source"] = "report", ["quote"] = "Huawei fought to stay afloat in 2020." }),
            }),
    };

    [Fact]
    public async Task An_event_shows_its_references_and_former_ids()
    {
        var detail = await _client.GetJsonAsync($"/events/{Listing}");

        var reference = detail.GetProperty("references")[0];
        Assert.Equal("Bureau of Industry and Security", reference.GetProperty("publisher").GetString());
        Assert.Equal("2020-12-22", reference.GetProperty("date").GetString());
        Assert.Equal("https://www.federalregister.gov/d/2020-28031", reference.GetProperty("url").GetString());
        Assert.Equal("85 FR 83416", reference.GetProperty("citation").GetString());
        Assert.Equal("2020-28031", reference.GetProperty("documentNumber").GetString());
        Assert.StartsWith("SMIC's addition", reference.GetProperty("supports").GetString(), StringComparison.Ordinal);
        Assert.Equal([OldListing], detail.GetProperty("formerIds").Strings());

        // Citations stay verbatim quotes, apart from references.
        Assert.Equal("In December 2020, SMIC joined Huawei on the US sanctions list.", detail.GetProperty("citations")[0].GetProperty("quote").GetString());
    }

    [Fact]
    public async Task Sources_show_their_official_fields_and_entities_their_flag()
    {
        var source = await _client.GetJsonAsync("/sources/fr-2020-28031");
        Assert.Equal("85 FR 83416", source.GetProperty("citation").GetString());
        Assert.Equal("2020-28031", source.GetProperty("documentNumber").GetString());
        Assert.Equal("2020-12-18", source.GetProperty("effectiveDate").GetString());
        Assert.Equal(["Commerce Department", "Industry and Security Bureau"], source.GetProperty("agencies").Strings());
        Assert.Equal("Rule", source.GetProperty("documentType").GetString());

        var listed = (await _client.GetJsonAsync("/sources")).GetProperty("items").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "report");
        Assert.Equal(["old-report"], listed.GetProperty("formerIds").Strings());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("citation").ValueKind);

        Assert.True((await _client.GetJsonAsync("/entities/entity-list")).GetProperty("standalone").GetBoolean());
        Assert.False((await _client.GetJsonAsync("/entities/smic")).GetProperty("standalone").GetBoolean());
        Assert.Equal(["semiconductor-manufacturing"], (await _client.GetJsonAsync("/entities/smic")).GetProperty("formerIds").Strings());
    }

    [Theory]
    [InlineData("85 FR 83416")]
    [InlineData("\"85 FR 83416\"")]
    [InlineData("2020-28031")]
    [InlineData("entity list removal")]
    public async Task A_search_for_the_official_citation_finds_the_event(string q)
    {
        var events = (await _client.GetJsonAsync("/events?q=" + Uri.EscapeDataString(q))).Ids();
        Assert.Equal([Listing], events);

        var search = await _client.GetJsonAsync("/search?q=" + Uri.EscapeDataString(q));
        Assert.Contains(Listing, search.GetProperty("events").Ids());
    }

    [Fact]
    public async Task A_title_match_ranks_above_a_mention_among_the_entities_names()
    {
        // huawei-stays-afloat has Huawei in its title; kirin-9000s-designed only among its entities' names.
        var ranked = (await _client.GetJsonAsync("/events?sort=relevance&q=" + Uri.EscapeDataString("huawei"))).Ids();
        Assert.Equal("huawei-stays-afloat", ranked[0]);
    }

    [Theory]
    [InlineData("华为", "huawei", "kirin-9000s-designed")]
    [InlineData("中芯国际", "smic", Listing)]
    [InlineData("麒麟", "kirin-9000s", "kirin-9000s-designed")]
    [InlineData("麒麟9000S", "kirin-9000s", "kirin-9000s-designed")]
    public async Task A_search_in_Chinese_characters_finds_the_entity_and_its_events(string q, string entity, string @event)
    {
        var query = Uri.EscapeDataString(q);
        var search = await _client.GetJsonAsync("/search?q=" + query);
        Assert.Contains(entity, search.GetProperty("entities").Ids());
        Assert.Contains(@event, search.GetProperty("events").Ids());

        Assert.Contains(entity, (await _client.GetJsonAsync("/entities?q=" + query)).Ids());

        var page = await _client.GetJsonAsync("/events?q=" + query);
        Assert.Contains(@event, page.Ids());
        var snippet = page.GetProperty("items").EnumerateArray().First(i => i.GetProperty("id").GetString() == @event).GetProperty("snippet").GetString()!;
        Assert.DoesNotContain('\u200B', snippet);
        Assert.Contains("<mark>", snippet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Chinese_word_is_found_inside_a_longer_run_and_marked_whole()
    {
        // 华为 inside 华为技术有限公司 (one run of characters, one token for unicode61).
        var page = await _client.GetJsonAsync("/events?q=" + Uri.EscapeDataString("华为"));
        var snippet = page.GetProperty("items")[0].GetProperty("snippet").GetString()!;
        Assert.Contains("<mark>华为</mark>技术有限公司", snippet, StringComparison.Ordinal);

        // Characters that are not next to each other are not the word.
        Assert.Empty((await _client.GetJsonAsync("/events?q=" + Uri.EscapeDataString("华技"))).Ids());

        // A source's text is searched the same way.
        var search = await _client.GetJsonAsync("/search?q=" + Uri.EscapeDataString("中芯"));
        Assert.Contains("report", search.GetProperty("sources").Ids());
    }

    [Fact]
    public async Task The_exports_carry_the_references()
    {
        var csv = await _client.GetStringAsync("/events.csv?q=smic");
        var header = csv.Split("\r\n")[0].Split(',');
        Assert.Contains("references", header);
        Assert.Contains("85 FR 83416", csv, StringComparison.Ordinal);
        Assert.Contains("FR Doc. 2020-28031", csv, StringComparison.Ordinal);
        Assert.Contains("supports SMIC's addition", csv, StringComparison.Ordinal);

        var timelineJs = await _client.GetJsonAsync("/events/timelinejs?q=smic");
        var text = timelineJs.GetProperty("events")[0].GetProperty("text").GetProperty("text").GetString()!;
        Assert.Contains("85 FR 83416", text, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://www.federalregister.gov/d/2020-28031\">", text, StringComparison.Ordinal);

        var ics = (await _client.GetStringAsync("/events.ics?q=smic")).Replace("\r\n ", string.Empty, StringComparison.Ordinal);
        var description = ics.Split("\r\n").Single(l => l.StartsWith("DESCRIPTION:", StringComparison.Ordinal));
        Assert.Contains("Reference: Addition of Entities", description, StringComparison.Ordinal);
        Assert.Contains("85 FR 83416", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dataset_export_round_trips_the_new_fields()
    {
        var exported = await _client.GetStringAsync("/export");
        var export = JsonNode.Parse(exported)!;
        var listing = export["events"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == Listing)!;
        Assert.True(JsonNode.DeepEquals(Reference(), listing["references"]![0]));
        Assert.Equal(OldListing, listing["formerIds"]![0]!.GetValue<string>());
        Assert.Null(export["events"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == "huawei-stays-afloat")!["references"]);
        var rule = export["sources"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == "fr-2020-28031")!;
        Assert.Equal("2020-12-18", rule["effectiveDate"]!.GetValue<string>());
        Assert.True(export["entities"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == "entity-list")!["standalone"]!.GetValue<bool>());

        // Into an empty store and out again: the same dataset.
        var empty = SyntheticDataset.Write(new JsonObject { ["sources"] = new JsonArray(), ["entities"] = new JsonArray(), ["events"] = new JsonArray() });
        using var target = TimelineApp.WithDataset(empty);
        target.Output = _app.Output;
        using var admin = target.CreateClient(TimelineApp.AdminKey);
        using var imported = await admin.SendJsonAsync(HttpMethod.Post, "/import", export);
        await imported.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(exported, await admin.GetStringAsync("/export"));
        Assert.Equal(["85 FR 83416"], (await admin.GetJsonAsync($"/events/{Listing}")).GetProperty("references").EnumerateArray().Select(r => r.GetProperty("citation").GetString()!));
        Assert.Equal([Listing], (await admin.GetJsonAsync("/events?q=" + Uri.EscapeDataString("85 FR 83416"))).Ids());

        // And again into the same store: nothing changes.
        using var again = await admin.SendJsonAsync(HttpMethod.Post, "/import", export);
        var report = await again.BodyAsync();
        Assert.Equal(3, report.GetProperty("events").GetProperty("unchanged").GetInt32());
        Assert.Equal(2, report.GetProperty("sources").GetProperty("unchanged").GetInt32());
        Assert.Equal(5, report.GetProperty("entities").GetProperty("unchanged").GetInt32());
    }

    [Theory]
    [InlineData("/events/" + OldListing, "/events/" + Listing)]
    [InlineData("/events/" + OldListing + "/revisions", "/events/" + Listing + "/revisions")]
    [InlineData("/entities/semiconductor-manufacturing", "/entities/smic")]
    [InlineData("/entities/semiconductor-manufacturing/events?limit=5", "/entities/smic/events?limit=5")]
    [InlineData("/sources/old-report", "/sources/report")]
    [InlineData("/sources/old-report/events", "/sources/report/events")]
    public async Task A_former_id_answers_301_to_the_current_id(string url, string location)
    {
        using var response = await _noRedirects.GetAsync(url);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(location, response.Headers.Location!.OriginalString);
        using var followed = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
    }

    [Fact]
    public async Task An_unknown_id_is_still_a_404()
    {
        using var response = await _noRedirects.GetAsync("/events/no-such-event");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var entity = await _noRedirects.GetAsync("/entities/no-such-entity/events");
        Assert.Equal(HttpStatusCode.NotFound, entity.StatusCode);
    }

    [Fact]
    public async Task A_rename_retires_the_old_record_in_the_history_and_redirects()
    {
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(Dataset()));
        app.Output = _app.Output;
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        using var plain = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var renamed = (JsonObject)Dataset()["events"]![2]!.DeepClone();
        renamed["id"] = "huawei-fights-to-stay-afloat";
        renamed["formerIds"] = new JsonArray("huawei-stays-afloat");
        using var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", renamed);
        await created.AssertStatusAsync(HttpStatusCode.Created);

        using var old = await plain.GetAsync("/events/huawei-stays-afloat");
        Assert.Equal(HttpStatusCode.MovedPermanently, old.StatusCode);
        Assert.Equal("/events/huawei-fights-to-stay-afloat", old.Headers.Location!.OriginalString);
        var revisions = await editor.GetJsonAsync("/events/huawei-fights-to-stay-afloat/revisions");
        Assert.Equal("create", revisions.GetProperty("items")[0].GetProperty("action").GetString());
        var changes = await editor.AllChangesAsync();
        Assert.Contains(changes, c => c.ToString().Contains("huawei-stays-afloat", StringComparison.Ordinal) && c.ToString().Contains("delete", StringComparison.Ordinal));
        Assert.DoesNotContain("huawei-stays-afloat", (await editor.GetJsonAsync("/events?limit=200")).Ids());
    }

    [Fact]
    public async Task A_record_retired_by_a_rename_cannot_be_restored_over_the_redirect()
    {
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(Dataset()));
        app.Output = _app.Output;
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        using var plain = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var renamed = (JsonObject)Dataset()["events"]![2]!.DeepClone();
        renamed["id"] = "huawei-fights-to-stay-afloat";
        renamed["formerIds"] = new JsonArray("huawei-stays-afloat");
        using var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", renamed);
        await created.AssertStatusAsync(HttpStatusCode.Created);

        using var restore = await editor.PostAsync("/events/huawei-stays-afloat/restore", null);

        await restore.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("application/problem+json", restore.Content.Headers.ContentType?.MediaType);
        Assert.Equal("/events/huawei-fights-to-stay-afloat", restore.Headers.Location!.OriginalString);
        Assert.Contains("former ids", await restore.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var old = await plain.GetAsync("/events/huawei-stays-afloat");
        Assert.Equal(HttpStatusCode.MovedPermanently, old.StatusCode);
    }

    [Fact]
    public async Task Changing_an_alias_reindexes_the_entitys_events()
    {
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(Dataset()));
        app.Output = _app.Output;
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        Assert.Empty((await editor.GetJsonAsync("/events?q=" + Uri.EscapeDataString("阿克米"))).Ids());

        var etag = await editor.ETagAsync("/entities/acme");
        using var patched = await editor.SendJsonAsync(HttpMethod.Patch, "/entities/acme", new JsonObject { ["aliases"] = new JsonArray("阿克米公司") }, etag, "application/merge-patch+json");
        await patched.AssertStatusAsync(HttpStatusCode.OK);

        Assert.Equal(["huawei-stays-afloat"], (await editor.GetJsonAsync("/events?q=" + Uri.EscapeDataString("阿克米"))).Ids());
    }

    [Theory]
    [InlineData("citation", "85FR83416", "references[0].citation", "85 FR 83416")]
    [InlineData("citation", "85 F.R. 83416", "references[0].citation", "Federal Register citation")]
    [InlineData("documentNumber", "2020-2803", "references[0].documentNumber", "2020-28031")]
    [InlineData("url", "http://www.federalregister.gov/d/2020-28031", "references[0].url", "https")]
    [InlineData("url", "federalregister.gov/d/2020-28031", "references[0].url", "absolute https URL")]
    [InlineData("date", "2020-13", "references[0].date", "2020-13")]
    [InlineData("date", null, "references[0].date", "required")]
    [InlineData("supports", null, "references[0].supports", "required")]
    [InlineData("publisher", " ", "references[0].publisher", "required")]
    public async Task A_bad_reference_is_a_422_naming_the_field(string field, string? value, string key, string message)
    {
        using var editor = _app.CreateClient(TimelineApp.EditorKey);
        var reference = Reference();
        reference[field] = value;
        var body = Curation.NewEvent("a-new-event");
        body["entities"] = new JsonArray();
        body["citations"] = new JsonArray(new JsonObject { ["source"] = "report", ["quote"] = "SMIC joined Huawei" });
        body["references"] = new JsonArray(reference);

        using var response = await editor.SendJsonAsync(HttpMethod.Post, "/events", body);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var problem = await response.BodyAsync();
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(key, out var messages), problem.ToString());
        Assert.Contains(message, messages[0].GetString()!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("citation", "FR 83416", "citation")]
    [InlineData("documentNumber", "28031", "documentNumber")]
    [InlineData("effectiveDate", "2020-02-30", "effectiveDate")]
    public async Task A_bad_official_field_of_a_source_is_a_422_naming_it(string field, string value, string key)
    {
        using var editor = _app.CreateClient(TimelineApp.EditorKey);
        var body = new JsonObject
        {
            ["id"] = "a-new-source",
            ["title"] = "A rule",
            ["text"] = "A text no other source has " + field,
            ["notes"] = new JsonArray(),
            [field] = value,
        };

        using var response = await editor.SendJsonAsync(HttpMethod.Post, "/sources", body);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True((await response.BodyAsync()).GetProperty("errors").TryGetProperty(key, out _));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_references_former_ids_and_their_301()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("EventDetail").GetProperty("properties").TryGetProperty("references", out _));
        Assert.True(schemas.GetProperty("EventDetail").GetProperty("properties").TryGetProperty("formerIds", out _));
        Assert.Equal("85 FR 83416", schemas.GetProperty("EventDetail").GetProperty("examples")[0].GetProperty("references")[0].GetProperty("citation").GetString());
        Assert.Equal("85 FR 83416", schemas.GetProperty("EventReference").GetProperty("examples")[0].GetProperty("citation").GetString());
        foreach (var path in new[] { "/events/{id}", "/entities/{id}", "/entities/{id}/events", "/sources/{id}", "/sources/{id}/events", "/events/{id}/revisions" })
        {
            var responses = document.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("responses");
            Assert.True(responses.TryGetProperty("301", out var moved), path);
            Assert.True(moved.GetProperty("headers").TryGetProperty("Location", out _), path);
        }
    }

    [Fact]
    public async Task A_former_id_that_is_a_current_id_is_refused_in_a_dataset()
    {
        var dataset = Dataset();
        dataset["events"]![1]!["formerIds"] = new JsonArray(Listing);
        using var admin = _app.CreateClient(TimelineApp.AdminKey);

        using var response = await admin.SendJsonAsync(HttpMethod.Post, "/import", dataset);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("may not be any record's current id", (await response.BodyAsync()).ToString(), StringComparison.Ordinal);
    }
}

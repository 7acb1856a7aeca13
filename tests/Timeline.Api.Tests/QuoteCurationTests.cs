using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// A curator's quotes through HTTP (issue 18): finding a source's exact words from a phrase as remembered, refusals that
/// say where a quote diverges, the occurrence a repeated quote needs (through writes, export and import), and the two
/// kinds of failed If-Match.
/// </summary>
public class QuoteCurationTests(TimelineApp app, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private const string Source = Curation.SourceId;

    // A photo caption the FT-derived source prints twice.
    private const string Caption = "People try out the new Mate 60 smartphone at Huawei’s flagship store in Beijing.";

    private readonly HttpClient _anonymous = app.LoggingTo(output).CreateClient();
    private readonly HttpClient _editor = app.CreateClient(TimelineApp.EditorKey);
    private readonly HttpClient _admin = app.CreateClient(TimelineApp.AdminKey);

    private async Task<string> SourceTextAsync() => (await _anonymous.GetJsonAsync($"/sources/{Source}")).GetProperty("text").GetString()!;

    /// <summary>Slices a text by code points, as the offsets count.</summary>
    private static string Slice(string text, long start, long end)
    {
        var runes = text.EnumerateRunes().ToArray();
        return string.Concat(runes[(int)start..(int)end].Select(r => r.ToString()));
    }

    private static long CodePointIndex(string text, string part, bool last = false)
    {
        var at = last ? text.LastIndexOf(part, StringComparison.Ordinal) : text.IndexOf(part, StringComparison.Ordinal);
        Assert.True(at >= 0, part);
        return text[..at].EnumerateRunes().Count();
    }

    [Fact]
    public async Task Passages_finds_the_sources_exact_words_from_a_phrase_typed_with_a_hyphen_for_its_em_dash()
    {
        var text = await SourceTextAsync();
        var found = await _anonymous.GetJsonAsync($"/sources/{Source}/passages?phrase={Uri.EscapeDataString("smic joined huawei on the US sanctions list - meaning")}");

        Assert.Equal(Source, found.GetProperty("source").GetString());
        var best = found.GetProperty("items")[0];
        Assert.Equal("SMIC joined Huawei on the US sanctions list—meaning", best.GetProperty("text").GetString());
        Assert.Equal("equivalent", best.GetProperty("match").GetString());
        Assert.Equal(1.0, best.GetProperty("score").GetDouble());
        var (start, end) = (best.GetProperty("startOffset").GetInt64(), best.GetProperty("endOffset").GetInt64());
        Assert.Equal(CodePointIndex(text, "SMIC joined Huawei"), start);
        Assert.Equal(best.GetProperty("text").GetString(), Slice(text, start, end));
    }

    [Fact]
    public async Task Passages_answers_both_places_of_a_phrase_the_source_prints_twice_and_a_close_miss_as_approximate()
    {
        var text = await SourceTextAsync();
        var twice = await _anonymous.GetJsonAsync($"/sources/{Source}/passages?phrase={Uri.EscapeDataString("people try out the new Mate 60 smartphone at Huawei's flagship store")}&limit=5");
        var items = twice.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal(CodePointIndex(text, Caption), items[0].GetProperty("startOffset").GetInt64());
        Assert.Equal(CodePointIndex(text, Caption, last: true), items[1].GetProperty("startOffset").GetInt64());

        var one = await _anonymous.GetJsonAsync($"/sources/{Source}/passages?phrase={Uri.EscapeDataString("people try out the new Mate 60 smartphone")}&limit=1");
        Assert.Single(one.GetProperty("items").EnumerateArray());

        // A word left out: still found, scored below 1.
        var missing = await _anonymous.GetJsonAsync($"/sources/{Source}/passages?phrase={Uri.EscapeDataString("Huawei was unable to obtain chips for its more advanced phones")}");
        var best = missing.GetProperty("items")[0];
        Assert.Equal("Huawei was unable to obtain new chips for its more advanced phones", best.GetProperty("text").GetString());
        Assert.Equal("approximate", best.GetProperty("match").GetString());
        Assert.InRange(best.GetProperty("score").GetDouble(), 0.9, 0.95);

        var nothing = await _anonymous.GetJsonAsync($"/sources/{Source}/passages?phrase=lithography+quotas+in+Rotterdam");
        Assert.Empty(nothing.GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("", "phrase")]
    [InlineData("?limit=3", "phrase")]
    [InlineData("?phrase=%E2%80%A6+...", "phrase")]
    [InlineData("?phrase=smic&limit=0", "limit")]
    [InlineData("?phrase=smic&limit=21", "limit")]
    [InlineData("?phrase=smic&limit=many", "limit")]
    [InlineData("?phrase=smic&q=smic", "q")]
    public async Task Passages_refuses_a_bad_phrase_or_limit_naming_it(string query, string parameter)
    {
        var problem = await _anonymous.GetProblemAsync($"/sources/{Source}/passages{query}", HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Fact]
    public async Task Passages_refuses_a_phrase_longer_than_a_quote_and_an_unknown_or_deleted_source()
    {
        var problem = await _anonymous.GetProblemAsync($"/sources/{Source}/passages?phrase={new string('a', 2001)}", HttpStatusCode.BadRequest);
        Assert.Contains("at most 2000", problem.GetProperty("errors").GetProperty("phrase")[0].GetString(), StringComparison.Ordinal);
        await _anonymous.GetJsonAsync($"/sources/{Source}/passages?phrase={new string('a', 2000)}");

        await _anonymous.GetProblemAsync("/sources/no-such-source/passages?phrase=smic", HttpStatusCode.NotFound);

        var source = new JsonObject { ["id"] = "passage-gone", ["title"] = "Gone", ["publisher"] = null, ["author"] = null, ["publishedDate"] = null, ["url"] = null, ["text"] = "A source about to be deleted.", ["notes"] = new JsonArray() };
        (await _editor.SendJsonAsync(HttpMethod.Post, "/sources", source)).EnsureSuccessStatusCode();
        (await _editor.SendJsonAsync(HttpMethod.Delete, "/sources/passage-gone", null, "*")).EnsureSuccessStatusCode();
        await _anonymous.GetProblemAsync("/sources/passage-gone/passages?phrase=source", HttpStatusCode.Gone);
    }

    [Fact]
    public async Task Passages_try_it_out_with_the_documented_examples_finds_the_passage()
    {
        var document = await _anonymous.GetJsonAsync("/openapi/v1.json");
        var operation = document.GetProperty("paths").GetProperty("/sources/{id}/passages").GetProperty("get");
        Assert.Equal("FindSourcePassages", operation.GetProperty("operationId").GetString());
        foreach (var status in new[] { "200", "400", "404", "410" })
        {
            Assert.True(operation.GetProperty("responses").TryGetProperty(status, out _), status);
        }

        var parameters = operation.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.True(parameters["phrase"].GetProperty("required").GetBoolean());
        Assert.Equal(20, parameters["limit"].GetProperty("schema").GetProperty("maximum").GetInt32());
        var url = $"/sources/{parameters["id"].GetProperty("example").GetString()}/passages?phrase={Uri.EscapeDataString(parameters["phrase"].GetProperty("example").GetString()!)}&limit={parameters["limit"].GetProperty("example").GetInt32()}";
        var found = await _anonymous.GetJsonAsync(url);
        Assert.Equal("equivalent", found.GetProperty("items")[0].GetProperty("match").GetString());
    }

    [Fact]
    public async Task A_quote_with_a_hyphen_for_the_sources_em_dash_is_refused_saying_where_and_what_to_cite()
    {
        var text = await SourceTextAsync();
        var @event = Curation.NewEvent("quote-with-hyphen");
        @event["citations"] = new JsonArray(new JsonObject { ["source"] = Source, ["quote"] = "SMIC joined Huawei on the US sanctions list-meaning" });

        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events", @event);
        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var message = (await response.BodyAsync()).GetProperty("errors").GetProperty("citations[0].quote")[0].GetString()!;
        output.WriteLine(message);
        var start = CodePointIndex(text, "SMIC joined Huawei");
        var prefix = "SMIC joined Huawei on the US sanctions list".Length;
        Assert.Contains($"Its first {prefix} characters do, at offset {start}", message, StringComparison.Ordinal);
        Assert.Contains($"then the quote has U+002D HYPHEN-MINUS '-' where the source has U+2014 EM DASH '—', at offset {start + prefix}", message, StringComparison.Ordinal);
        Assert.Contains($"Nearest passage (offsets {start}-{start + prefix + 8}, score 1, equivalent): \"SMIC joined Huawei on the US sanctions list—meaning\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quote_the_source_prints_twice_needs_its_occurrence_which_survives_export_and_import()
    {
        var text = await SourceTextAsync();
        var first = CodePointIndex(text, Caption);
        var second = CodePointIndex(text, Caption, last: true);
        var @event = Curation.NewEvent("caption-event");
        @event["citations"] = new JsonArray(new JsonObject { ["source"] = Source, ["quote"] = Caption });

        using (var ambiguous = await _editor.SendJsonAsync(HttpMethod.Post, "/events", @event))
        {
            await ambiguous.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
            var message = (await ambiguous.BodyAsync()).GetProperty("errors").GetProperty("citations[0].quote")[0].GetString()!;
            Assert.Contains($"occurs 2 times in source '{Source}'; say which one the citation means with \"occurrence\"", message, StringComparison.Ordinal);
            Assert.Contains($"1: offsets {first}-{first + Caption.Length}, between", message, StringComparison.Ordinal);
            Assert.Contains($"2: offsets {second}-{second + Caption.Length}, between", message, StringComparison.Ordinal);
        }

        @event["citations"]![0]!["occurrence"] = 2;
        using (var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", @event))
        {
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        var stored = (await _anonymous.GetJsonAsync("/events/caption-event")).GetProperty("citations")[0];
        Assert.Equal((second, second + Caption.Length), (stored.GetProperty("startOffset").GetInt64(), stored.GetProperty("endOffset").GetInt64()));

        // Export carries the occurrence; importing the export back finds every record as it is (nothing updated).
        using var exported = await _anonymous.GetAsync("/export");
        var dataset = JsonNode.Parse(await exported.Content.ReadAsStringAsync())!.AsObject();
        var citation = dataset["events"]!.AsArray().Single(e => e!["id"]!.GetValue<string>() == "caption-event")!["citations"]![0]!;
        Assert.Equal(2, citation["occurrence"]!.GetValue<int>());
        Assert.Null(dataset["events"]!.AsArray().First(e => e!["id"]!.GetValue<string>() != "caption-event")!["citations"]![0]!.AsObject()["occurrence"]);

        using var imported = await _admin.SendJsonAsync(HttpMethod.Post, "/import", dataset);
        await imported.AssertStatusAsync(HttpStatusCode.OK);
        var report = await imported.BodyAsync();
        Assert.Equal(0, report.GetProperty("events").GetProperty("updated").GetInt32());
        var again = (await _anonymous.GetJsonAsync("/events/caption-event")).GetProperty("citations")[0];
        Assert.Equal(second, again.GetProperty("startOffset").GetInt64());

        // An occurrence the source does not have is refused, naming the field.
        @event["citations"]![0]!["occurrence"] = 3;
        var etag = await _anonymous.ETagAsync("/events/caption-event");
        using var beyond = await _editor.SendJsonAsync(HttpMethod.Put, "/events/caption-event", @event, etag);
        await beyond.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("must be a number from 1 to 2", (await beyond.BodyAsync()).GetProperty("errors").GetProperty("citations[0].occurrence")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_if_match_says_changed_since_for_an_older_etag_and_not_this_record_for_any_other()
    {
        var entity = new JsonObject { ["id"] = "etag-co", ["name"] = "ETag Co.", ["kind"] = "company", ["country"] = "NL", ["aliases"] = new JsonArray(), ["description"] = null };
        (await _editor.SendJsonAsync(HttpMethod.Post, "/entities", entity)).EnsureSuccessStatusCode();
        var first = await _anonymous.ETagAsync("/entities/etag-co");
        using (var renamed = await _editor.SendJsonAsync(HttpMethod.Patch, "/entities/etag-co", new JsonObject { ["name"] = "ETag Company" }, first, "application/merge-patch+json"))
        {
            await renamed.AssertStatusAsync(HttpStatusCode.OK);
        }

        using (var stale = await _editor.SendJsonAsync(HttpMethod.Patch, "/entities/etag-co", new JsonObject { ["name"] = "Lost" }, first, "application/merge-patch+json"))
        {
            await stale.AssertStatusAsync(HttpStatusCode.PreconditionFailed);
            var problem = await stale.BodyAsync();
            Assert.Equal("The record has changed", problem.GetProperty("title").GetString());
            Assert.Equal("changed-since", problem.GetProperty("reason").GetString());
            Assert.Equal((1, 2), (problem.GetProperty("yourVersion").GetInt64(), problem.GetProperty("currentVersion").GetInt64()));
        }

        foreach (var (tag, why) in new[]
        {
            ("\"99.1\"", "names version 99, which this record has never had (it is at version 2)"),
            ("\"0.1\"", "names version 0"),
            ("\"1.999999999\"", "names data version 999999999, which this store has not reached"),
            ("\"etag-co\"", "is not an ETag of a record"),
            ("W/\"abc\"", "is not an ETag of a record"),
            ("not an etag", "cannot be read as a list of entity tags"),
        })
        {
            using var foreign = await _editor.SendJsonAsync(HttpMethod.Patch, "/entities/etag-co", new JsonObject { ["name"] = "Lost" }, tag, "application/merge-patch+json");
            await foreign.AssertStatusAsync(HttpStatusCode.PreconditionFailed);
            var problem = await foreign.BodyAsync();
            Assert.Equal("If-Match is not an ETag of this record", problem.GetProperty("title").GetString());
            Assert.Equal("not-this-record", problem.GetProperty("reason").GetString());
            Assert.Contains(why, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("ETag Company", (await _anonymous.GetJsonAsync("/entities/etag-co")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Creating_an_event_that_exists_reads_there_is_already_an_event()
    {
        using var taken = await _editor.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("smic-added-to-us-sanctions-list"));
        await taken.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("There is already an event 'smic-added-to-us-sanctions-list'; change it with PUT or PATCH /events/smic-added-to-us-sanctions-list.", (await taken.BodyAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Search_source_hits_carry_their_publication_date()
    {
        var results = await _anonymous.GetJsonAsync("/search?q=huawei");
        var sources = results.GetProperty("sources").GetProperty("items").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal("2025-09-18", sources["nishadil-huawei-bold-leap"].GetProperty("date").GetString());
        Assert.Equal(JsonValueKind.Null, sources[Source].GetProperty("date").ValueKind);
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Timeline.Api.Tests;

/// <summary>
/// The data-honesty checks (DatasetChecks): unused records, paraphrases in quotation marks, events dated after their only
/// source; as warnings for a whole dataset (validate, the seed) and in the answer of every write (Timeline-Warning).
/// </summary>
public sealed class DatasetCheckTests : IDisposable
{
    private static readonly PartialDate Published = PartialDate.Parse("2023-11");

    private readonly TimelineApp _app = new();
    private readonly HttpClient _editor;

    public DatasetCheckTests()
    {
        _editor = _app.CreateClient(TimelineApp.EditorKey);
    }

    public void Dispose()
    {
        _editor.Dispose();
        _app.Dispose();
    }

    private static IReadOnlyList<DatasetWarning> Check(string summary, string date = "2023-09", string title = "A title", params string[] caveats) =>
        DatasetChecks.Event("e", PartialDate.Parse(date), title, summary, caveats, [new QuotedSource("s", "the chip performed as well as Qualcomm chips")], _ => Published);

    [Theory]
    [InlineData("Testers said it \"performed as well as Qualcomm chips\".")]
    [InlineData("Testers said it \u201Cperformed as well as Qualcomm chips\u201D.")]
    [InlineData("No quotation marks at all.")]
    public void A_quoted_phrase_that_is_a_quote_is_no_warning(string summary) =>
        Assert.Empty(Check(summary));

    [Theory]
    [InlineData("Sullivan said \"we need more information\" about the chip.", "we need more information")]
    [InlineData("Sullivan said \u201Cwe need more information\u201D about the chip.", "we need more information")]
    public void A_quoted_phrase_in_no_citation_is_a_paraphrase_that_is_not_quoted(string summary, string phrase)
    {
        var warning = Assert.Single(Check(summary));

        Assert.Equal("paraphrase-not-quoted", warning.Code);
        Assert.Equal("events 'e'.summary", warning.Path);
        Assert.StartsWith("paraphrase is not quoted", warning.Message);
        Assert.Contains(phrase, warning.Message);
    }

    [Fact]
    public void The_title_is_checked_too() =>
        Assert.Equal("events 'e'.title", Assert.Single(Check("Plain.", title: "Huawei \u201Cin survival mode\u201D")).Path);

    [Fact]
    public void An_event_after_its_only_sources_publication_warns_unless_a_caveat_speaks_of_a_plan()
    {
        var warning = Assert.Single(Check("Plain.", date: "2024-03"));
        Assert.Equal(("dated-after-source", "events 'e'.date"), (warning.Code, warning.Path));

        Assert.Empty(Check("Plain.", "2024-03", "A title", "The source announces the plan; the date is the one it gives."));
        Assert.Empty(Check("Plain.", "2024-03", "A title", "Expected in March 2024 according to the source."));
        Assert.Single(Check("Plain.", "2024-03", "A title", "An unrelated caveat."));

        // Within the publication month, or before it: no warning.
        Assert.Empty(Check("Plain.", date: "2023-11-30"));
        Assert.Empty(Check("Plain.", date: "2023"));
    }

    [Fact]
    public void Unused_entities_and_sources_warn_unless_standalone()
    {
        Assert.Equal("unused", DatasetChecks.Use("entity", "x", 0, standalone: false)!.Code);
        Assert.Contains("standalone", DatasetChecks.Use("source", "x", 0, standalone: false)!.Message);
        Assert.Null(DatasetChecks.Use("entity", "x", 0, standalone: true));
        Assert.Null(DatasetChecks.Use("entity", "x", 2, standalone: false));
    }

    [Fact]
    public async Task The_whole_dataset_check_finds_each_kind_and_honours_standalone()
    {
        var dataset = await DatasetReader.ReadAndValidateAsync(RepositoryFiles.ReferenceDataset, CancellationToken.None);
        var warnings = DatasetChecks.Check(dataset);

        // The reference dataset links wadhwani-center and financial-times to no event (issue 17's audit).
        Assert.Contains(warnings, w => w.Path == "entities 'wadhwani-center'" && w.Code == "unused");
        Assert.Contains(warnings, w => w.Path == "entities 'financial-times'" && w.Code == "unused");

        var marked = dataset with { Entities = [.. dataset.Entities.Select(e => e.Id == "wadhwani-center" ? e with { Standalone = true } : e)] };
        Assert.DoesNotContain(DatasetChecks.Check(marked), w => w.Path == "entities 'wadhwani-center'");
    }

    [Fact]
    public void Standalone_and_the_official_fields_are_validated_and_round_trip()
    {
        var source = new SourceDocument
        {
            Id = "fr-2020-28031", Title = "t", Text = "text", Citation = "85 FR 83416", DocumentNumber = "2020-28031",
            EffectiveDate = "2020-12-18", Agencies = ["Industry and Security Bureau"], DocumentType = "Rule", Standalone = true,
        };
        var valid = DatasetValidator.ValidateSource(source, "sources[0]", []);
        Assert.NotNull(valid);
        Assert.True(valid.Standalone);
        var back = Documents.From(valid);
        Assert.Equal((source.Citation, source.DocumentNumber, source.EffectiveDate, source.DocumentType, source.Standalone), (back.Citation, back.DocumentNumber, back.EffectiveDate, back.DocumentType, back.Standalone));
        Assert.Equal(source.Agencies, back.Agencies);

        var errors = new List<DatasetError>();
        Assert.Null(DatasetValidator.ValidateSource(source with { Citation = "85 F.R. 83416", DocumentNumber = "2020-2803", EffectiveDate = "2020-13" }, "sources[0]", errors));
        Assert.Contains(errors, e => e.Path.EndsWith(".citation", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path.EndsWith(".documentNumber", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path.EndsWith(".effectiveDate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_write_that_breaks_a_check_succeeds_with_a_Timeline_Warning_header()
    {
        var @event = Curation.NewEvent("quoted-paraphrase-event");
        @event["summary"] = "Testers said the chip was \u201Cas good as anything from Qualcomm\u201D.";
        @event["entities"] = new JsonArray(); // linked to Qualcomm, it would also be a possibleDuplicates of the curated comparison (DuplicateWarningTests)
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", @event);
        await created.AssertStatusAsync(HttpStatusCode.Created);

        var warning = Assert.Single(created.Headers.GetValues("Timeline-Warning"));
        var text = JsonSerializer.Deserialize<string>(warning)!;
        Assert.StartsWith("events 'quoted-paraphrase-event'.summary: paraphrase is not quoted", text);
        Assert.Contains("\u201Cas good as anything from Qualcomm\u201D".Trim('\u201C', '\u201D'), text);
        Assert.All(warning, c => Assert.True(c < 128, "the header value is ASCII"));

        // Quoting the source's words removes the warning.
        var patch = new JsonObject { ["summary"] = "Testers said it \u201Cperformed as well as Qualcomm chips that are 1 or 2 years old\u201D." };
        using var patched = await _editor.SendJsonAsync(HttpMethod.Patch, "/events/quoted-paraphrase-event", patch, created.Headers.ETag!.ToString(), "application/merge-patch+json");
        await patched.AssertStatusAsync(HttpStatusCode.OK);
        Assert.False(patched.Headers.Contains("Timeline-Warning"));
    }

    [Fact]
    public async Task A_new_entity_linked_to_no_event_warns_unless_standalone()
    {
        var entity = new JsonObject { ["id"] = "lonely-agency", ["name"] = "Lonely Agency", ["kind"] = "agency", ["country"] = "US", ["aliases"] = new JsonArray(), ["description"] = null };
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/entities", entity);
        await created.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Contains("is linked to no event", JsonSerializer.Deserialize<string>(Assert.Single(created.Headers.GetValues("Timeline-Warning")))!);

        using var marked = await _editor.SendJsonAsync(HttpMethod.Patch, "/entities/lonely-agency", new JsonObject { ["standalone"] = true }, created.Headers.ETag!.ToString(), "application/merge-patch+json");
        await marked.AssertStatusAsync(HttpStatusCode.OK);
        Assert.False(marked.Headers.Contains("Timeline-Warning"));
    }
}

/// <summary>The Timeline-Warning header is documented under every write's success response.</summary>
public sealed class WriteWarningOpenApiTests : IDisposable
{
    private readonly TimelineApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Every_successful_write_response_documents_the_Timeline_Warning_header()
    {
        using var client = _app.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var (path, verb, status) in new[]
        {
            ("/events", "post", "201"), ("/events/{id}", "put", "200"), ("/entities/{id}", "patch", "200"), ("/sources/{id}/restore", "post", "200"),
        })
        {
            var header = paths.GetProperty(path).GetProperty(verb).GetProperty("responses").GetProperty(status).GetProperty("headers").GetProperty("Timeline-Warning");
            Assert.Contains("paraphrase-not-quoted", header.GetProperty("description").GetString());
            Assert.Equal("entities 'lonely-agency': is linked to no event; link it, or mark it \"standalone\": true if it is kept on purpose", JsonSerializer.Deserialize<string>(header.GetProperty("example").GetString()!));
        }

        Assert.Contains("Timeline-Warning", paths.GetProperty("/events").GetProperty("post").GetProperty("description").GetString());
    }
}

/// <summary>The seed's warnings are logged at startup, and startup goes on.</summary>
public sealed class SeedWarningLogTests
{
    [Fact]
    public async Task Seeding_an_empty_store_logs_each_warning_and_serves()
    {
        var lines = new Recorder();
        using var app = new TimelineApp().LoggingTo(lines);
        using var client = app.CreateClient();

        using var ready = await client.GetAsync("/events/smic-added-to-us-sanctions-list");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains(lines.Lines, l => l.StartsWith("[Warning]", StringComparison.Ordinal) && l.Contains("entities 'wadhwani-center': is linked to no event", StringComparison.Ordinal));
    }

    private sealed class Recorder : Xunit.Abstractions.ITestOutputHelper
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public void WriteLine(string message)
        {
            lock (_lines)
            {
                _lines.Add(message);
            }
        }

        public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Timeline.Model.Dataset;
using Timeline.Model.Store;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Issue 18.6: a write of an event that overlaps another in dates, shares an entity and reads alike answers a
/// possibleDuplicates warning naming the candidates (the write succeeds); calibrated on the curated data/timeline.json,
/// whose own events must not flag one another.
/// </summary>
public sealed class DuplicateWarningTests : IClassFixture<DuplicateWarningTests.App>, IDisposable
{
    private readonly App _app;
    private readonly HttpClient _editor;
    private readonly HttpClient _anonymous;

    public DuplicateWarningTests(App app, ITestOutputHelper output)
    {
        _app = app;
        _app.Output = output;
        _editor = app.CreateClient(TimelineApp.EditorKey);
        _anonymous = app.CreateClient();
    }

    /// <summary>The app, seeded with the curated dataset (the README's walkthroughs run against it).</summary>
    public sealed class App() : TimelineApp(RepositoryFiles.Dataset);

    public void Dispose()
    {
        _app.Output = null;
        _editor.Dispose();
        _anonymous.Dispose();
    }

    /// <summary>The README's curator walkthrough, step 2: a near-copy of the curated Kirin 9000S comparison.</summary>
    public static JsonObject ReadmeWalkthroughEvent(string id = "testers-compare-kirin-9000s") => new()
    {
        ["id"] = id,
        ["date"] = "2023",
        ["title"] = "Testers compare the Kirin 9000S with Qualcomm chips",
        ["summary"] = "Testing teams found it on a par with Qualcomm chips one or two years old.",
        ["category"] = "analysis",
        ["tags"] = new JsonArray("kirin-9000s"),
        ["caveats"] = new JsonArray("The source gives no date; the year is inferred."),
        ["entities"] = new JsonArray(new JsonObject { ["id"] = "kirin-9000s", ["role"] = "subject" }),
        ["citations"] = new JsonArray(new JsonObject { ["source"] = Curation.SourceId, ["quote"] = "performed as well as Qualcomm chips that are 1 or 2 years old" }),
    };

    /// <summary>The README's Federal Register walkthrough, step 4: SMIC's listing at day precision (quoting the FT-derived source here).</summary>
    public static JsonObject DayPrecisionListing(string id = "bis-adds-smic-to-entity-list") => new()
    {
        ["id"] = id,
        ["date"] = "2020-12-18",
        ["title"] = "BIS adds SMIC to the Entity List",
        ["summary"] = "The rule, effective 2020-12-18 and published 2020-12-22 (85 FR 83416), requires a licence for items subject to the EAR.",
        ["category"] = "entity-listing",
        ["tags"] = new JsonArray("entity-list"),
        ["caveats"] = new JsonArray(),
        ["entities"] = new JsonArray(new JsonObject { ["id"] = "smic", ["role"] = "target" }),
        ["citations"] = new JsonArray(new JsonObject { ["source"] = Curation.SourceId, ["quote"] = "SMIC joined Huawei on the US sanctions list" }),
    };

    private static List<string> Warnings(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Timeline-Warning", out var values) ? [.. values.Select(v => JsonSerializer.Deserialize<string>(v)!)] : [];

    [Fact]
    public async Task The_readme_walkthroughs_near_copy_is_created_with_a_possibleDuplicates_warning_naming_the_curated_event()
    {
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events", ReadmeWalkthroughEvent());

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var warning = Assert.Single(Warnings(response), w => w.Contains("possibleDuplicates", StringComparison.Ordinal));
        Assert.StartsWith("events 'testers-compare-kirin-9000s': possibleDuplicates:", warning, StringComparison.Ordinal);
        Assert.Contains("'testing-teams-compare-kirin-9000s-to-qualcomm' (2023: the dates overlap; shares kirin-9000s; words 0.7", warning, StringComparison.Ordinal);
        await _anonymous.GetJsonAsync("/events/testers-compare-kirin-9000s");
    }

    [Fact]
    public async Task A_day_precision_SMIC_listing_beside_the_month_precision_one_is_flagged()
    {
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events", DayPrecisionListing());

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var warning = Assert.Single(Warnings(response), w => w.Contains("possibleDuplicates", StringComparison.Ordinal));
        Assert.Contains("'smic-added-to-us-sanctions-list' (2020-12: the dates overlap; shares smic; words 0.5", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("huawei-strikes-charlotte-deal-with-smic", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_that_makes_an_event_a_near_copy_is_flagged_and_a_distinct_one_is_not()
    {
        var distinct = DayPrecisionListing("smic-reports-quarterly-revenue");
        distinct["title"] = "SMIC reports its quarterly revenue";
        distinct["summary"] = "The foundry reported revenue for the fourth quarter.";
        using var created = await _editor.SendJsonAsync(HttpMethod.Post, "/events", distinct);
        await created.AssertStatusAsync(HttpStatusCode.Created);
        Assert.DoesNotContain(Warnings(created), w => w.Contains("possibleDuplicates", StringComparison.Ordinal));

        using var patched = await _editor.SendJsonAsync(
            HttpMethod.Patch,
            "/events/smic-reports-quarterly-revenue",
            new JsonObject { ["title"] = "SMIC added to the US Entity List" },
            created.Headers.ETag!.ToString(),
            "application/merge-patch+json");

        await patched.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Contains(Warnings(patched), w => w.Contains("possibleDuplicates", StringComparison.Ordinal) && w.Contains("'smic-added-to-us-sanctions-list'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_in_other_dates_or_without_a_shared_entity_is_not_flagged()
    {
        var later = ReadmeWalkthroughEvent("testers-compare-again-in-2024");
        later["date"] = "2024";
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events", later);
        await response.AssertStatusAsync(HttpStatusCode.Created);
        Assert.DoesNotContain(Warnings(response), w => w.Contains("possibleDuplicates", StringComparison.Ordinal));

        var otherEntity = ReadmeWalkthroughEvent("testers-compare-other-entity");
        otherEntity["entities"] = new JsonArray(new JsonObject { ["id"] = "jake-sullivan", ["role"] = "subject" });
        using var other = await _editor.SendJsonAsync(HttpMethod.Post, "/events", otherEntity);
        await other.AssertStatusAsync(HttpStatusCode.Created);
        Assert.DoesNotContain(Warnings(other), w => w.Contains("possibleDuplicates", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_two_curated_events_flag_each_other()
    {
        foreach (var file in new[] { RepositoryFiles.Dataset, RepositoryFiles.ReferenceDataset })
        {
            var dataset = await DatasetReader.ReadAndValidateAsync(file, CancellationToken.None);

            Assert.Empty(DatasetChecks.Duplicates(dataset));
            var closest = dataset.Events.SelectMany((a, i) => dataset.Events.Skip(i + 1).Select(b => DatasetChecks.WordSimilarity(a.Title, a.Summary, b.Title, b.Summary))).Max();
            Assert.True(closest < DatasetChecks.DuplicateSimilarity, $"{file}: two events are {closest:0.00} alike");
        }
    }

    [Fact]
    public async Task The_walkthrough_events_are_flagged_by_the_dataset_check_too()
    {
        var curated = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryFiles.Dataset))!.AsObject();
        curated["events"]!.AsArray().Add(ReadmeWalkthroughEvent());
        curated["events"]!.AsArray().Add(DayPrecisionListing());
        var dataset = await DatasetReader.ReadAndValidateAsync(SyntheticDataset.Write(WithInlineTexts(curated)), CancellationToken.None);

        var warnings = DatasetChecks.Duplicates(dataset);

        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(DatasetChecks.PossibleDuplicatesCode, w.Code));
        Assert.Equal(["testing-teams-compare-kirin-9000s-to-qualcomm"], warnings.Single(w => w.Path == "events 'testers-compare-kirin-9000s'").Candidates!.Select(c => c.Id));
        Assert.Equal(["smic-added-to-us-sanctions-list"], warnings.Single(w => w.Path == "events 'bis-adds-smic-to-entity-list'").Candidates!.Select(c => c.Id));
    }

    [Fact]
    public async Task The_neighbours_read_covers_partial_dates_and_spans_and_leaves_out_other_entities_and_the_event_itself()
    {
        var neighbours = _app.Services.GetRequiredService<IEventNeighbours>();

        // 2020-12-18 lies within 2020-12 (month), 2020 (year) and the span 2019 to 2020.
        var found = await neighbours.OverlappingAsync(new DateOnly(2020, 12, 18), new DateOnly(2020, 12, 18), ["smic", "us-government"], "none", 100, CancellationToken.None);
        var byId = found.ToDictionary(c => c.Id);
        Assert.Equal(["smic", "us-government"], byId["smic-added-to-us-sanctions-list"].SharedEntities);
        Assert.Equal(["us-government"], byId["us-sanctions-cut-huawei-from-chip-supply-chains"].SharedEntities);
        Assert.Contains("huawei-strikes-charlotte-deal-with-smic", byId.Keys);
        Assert.Contains("smic-develops-charlotte-under-constraints", byId.Keys);
        Assert.DoesNotContain("huawei-fights-to-stay-afloat-as-smartphone-maker", byId.Keys); // 2020, but neither entity
        Assert.DoesNotContain("huawei-unveils-mate-60-with-kirin-9000s", byId.Keys);        // smic, but 2023-08
        Assert.Equal("smic-added-to-us-sanctions-list", found[0].Id);                        // the most entities shared first

        var without = await neighbours.OverlappingAsync(new DateOnly(2020, 12, 1), new DateOnly(2020, 12, 31), ["smic"], "smic-added-to-us-sanctions-list", 100, CancellationToken.None);
        Assert.DoesNotContain(without, c => c.Id == "smic-added-to-us-sanctions-list");
        Assert.Single(await neighbours.OverlappingAsync(new DateOnly(2020, 12, 1), new DateOnly(2020, 12, 31), ["smic", "us-government"], "none", 1, CancellationToken.None));
    }

    /// <summary>The curated dataset with each textFile read into text (so it can be written elsewhere).</summary>
    private static JsonObject WithInlineTexts(JsonObject dataset)
    {
        foreach (var source in dataset["sources"]!.AsArray().Select(s => s!.AsObject()))
        {
            if (source["textFile"]?.GetValue<string>() is { } file)
            {
                source["text"] = File.ReadAllText(Path.Combine(Path.GetDirectoryName(RepositoryFiles.Dataset)!, file));
                source.Remove("textFile");
            }
        }

        return dataset;
    }
}

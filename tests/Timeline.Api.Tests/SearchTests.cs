using System.Net;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Full-text search on GET /events?q= and GET /search over the curated dataset.</summary>
public class SearchTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private const string Launch = "huawei-unveils-mate-60-with-kirin-9000s";
    private readonly HttpClient _client = fixture.CreateClient();

    [Theory]
    [InlineData("Kirin 9000S")]
    [InlineData("kirin 9000s")]
    [InlineData("Kirin-9000S")]
    [InlineData("KIRIN-9000s")]
    [InlineData("\"kirin 9000s\"")]
    [InlineData("kirin 9000*")]
    public async Task The_Kirin_9000S_is_found_however_it_is_written(string q)
    {
        var ids = (await _client.GetJsonAsync("/events?limit=200&q=" + Uri.EscapeDataString(q))).Ids();

        Assert.Contains(Launch, ids);
    }

    [Fact]
    public async Task Diacritics_are_folded()
    {
        var plain = (await _client.GetJsonAsync("/events?q=elephant")).Ids();
        var accented = (await _client.GetJsonAsync("/events?q=" + Uri.EscapeDataString("éléphant"))).Ids();

        Assert.NotEmpty(plain);
        Assert.Equal(plain, accented);
    }

    [Fact]
    public async Task Search_results_keep_timeline_order_and_carry_a_snippet_with_the_term()
    {
        var page = await _client.GetJsonAsync("/events?q=sanctions&limit=200");

        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.True(items.Count >= 2);
        var dates = items.Select(i => i.GetProperty("date").GetString()!).ToList();
        var all = (await _client.GetJsonAsync("/events?limit=200")).Ids();
        Assert.Equal(all.Where(page.Ids().Contains).ToList(), page.Ids());
        foreach (var item in items)
        {
            var snippet = item.GetProperty("snippet").GetString()!;
            Assert.Contains("<mark>", snippet, StringComparison.Ordinal);
            Assert.Matches("(?i)<mark>sanctions</mark>", snippet);
        }
    }

    [Fact]
    public async Task Without_q_there_is_no_snippet()
    {
        var page = await _client.GetJsonAsync("/events?limit=1");

        Assert.False(page.GetProperty("items")[0].TryGetProperty("snippet", out _));
    }

    [Fact]
    public async Task Relevance_ranking_puts_the_exact_phrase_match_first()
    {
        var page = await _client.GetJsonAsync("/events?sort=relevance&q=" + Uri.EscapeDataString("measuring an elephant in the dark"));

        Assert.Equal("smic-develops-charlotte-under-constraints", page.Ids()[0]);
    }

    [Fact]
    public async Task Relevance_ranking_prefers_a_title_match_over_a_passing_mention()
    {
        var ids = (await _client.GetJsonAsync("/events?sort=relevance&q=qualcomm")).Ids();

        Assert.Equal("testing-teams-compare-kirin-9000s-to-qualcomm", ids[0]);
    }

    [Fact]
    public async Task Relevance_results_page_by_cursor_without_gap_or_repeat()
    {
        var all = (await _client.GetJsonAsync("/events?sort=relevance&q=huawei&limit=200")).Ids();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _client.GetJsonAsync("/events?sort=relevance&q=huawei&limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page.Ids());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.True(all.Count > 4);
        Assert.Equal(all, seen);
    }

    [Fact]
    public async Task Operators_combine_terms()
    {
        var smic = (await _client.GetJsonAsync("/events?limit=200&q=smic")).Ids();
        var tsmc = (await _client.GetJsonAsync("/events?limit=200&q=tsmc")).Ids();
        var either = (await _client.GetJsonAsync("/events?limit=200&q=smic%20OR%20tsmc")).Ids();
        var without = (await _client.GetJsonAsync("/events?limit=200&q=smic%20NOT%20tsmc")).Ids();
        var both = (await _client.GetJsonAsync("/events?limit=200&q=smic%20AND%20tsmc")).Ids();

        Assert.Equal(smic.Union(tsmc).Order(), either.Order());
        Assert.Equal(smic.Except(tsmc).Order(), without.Order());
        Assert.Equal(smic.Intersect(tsmc).Order(), both.Order());
        Assert.NotEmpty(without);
    }

    [Fact]
    public async Task Search_combines_with_the_other_filters()
    {
        var ids = (await _client.GetJsonAsync("/events?q=huawei&category=statement&from=2024")).Ids();

        Assert.Equal(["xu-zhijun-supply-chain-faces-us-suppression"], ids);
    }

    [Fact]
    public async Task Snippets_are_html_escaped_apart_from_the_marks()
    {
        var page = await _client.GetJsonAsync("/events?q=" + Uri.EscapeDataString("\"survival mode\""));

        var snippet = page.GetProperty("items")[0].GetProperty("snippet").GetString()!;
        Assert.Contains("<mark>survival mode</mark>", snippet, StringComparison.Ordinal);
        Assert.DoesNotContain("<", snippet.Replace("<mark>", "", StringComparison.Ordinal).Replace("</mark>", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    public static TheoryData<string> MalformedQueries =>
    [
        "\"", "\"\"", "\"unbalanced phrase", "unbalanced\"", "((", ")", "(kirin", "kirin)", "*", "**", "kirin**", "*kirin",
        "AND", "OR", "NOT", "AND OR NOT", "kirin AND", "OR kirin", "NOT kirin", "kirin NOT", "kirin OR OR smic",
        "NEAR(kirin smic)", "NEAR(", "NEAR(kirin, 2)", "title:kirin", "col:", ":", "{title summary}: kirin", "^kirin", "+kirin", "-kirin",
        "kirin\0smic", "\0", new string('a', 10_000), string.Join(' ', Enumerable.Repeat("kirin", 40)), "🔥", "🔥 kirin 🔥",
        "שלום", "مرحبا kirin", "\u202Ekirin\u202C", "'; DROP TABLE events; --", "%", "_", "\\", "kirin\\", "a*", "é*", "\t\n",
        "[kirin]", "kirin; smic", "\"kirin\" \"", "kirin\u0000\u0001\u0002", "SELECT * FROM events_fts",
    ];

    [Theory]
    [MemberData(nameof(MalformedQueries))]
    public async Task A_malformed_search_is_answered_with_results_or_a_400_naming_q_never_a_500(string q)
    {
        foreach (var url in new[] { "/events?q=", "/events?sort=relevance&q=", "/search?q=", "/events/facets?facet=category&q=", "/events.csv?q=" })
        {
            using var response = await _client.GetAsync(url + Uri.EscapeDataString(q));
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{url}{q}: {(int)response.StatusCode} {body}");
            Assert.DoesNotContain("fts5", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SQLite", body, StringComparison.OrdinalIgnoreCase);
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                var problem = System.Text.Json.JsonDocument.Parse(body).RootElement;
                Assert.True(problem.GetProperty("errors").TryGetProperty("q", out _), body);
            }
        }
    }

    [Fact]
    public async Task Search_groups_events_entities_and_sources_with_snippets_and_links()
    {
        var results = await _client.GetJsonAsync("/search?q=charlotte");

        Assert.Equal("charlotte", results.GetProperty("query").GetString());
        var events = results.GetProperty("events").GetProperty("items").EnumerateArray().ToList();
        var entities = results.GetProperty("entities").GetProperty("items").EnumerateArray().ToList();
        var sources = results.GetProperty("sources").GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(events);
        Assert.Equal("kirin-9000s", entities[0].GetProperty("id").GetString());
        Assert.Equal("/entities/kirin-9000s", entities[0].GetProperty("link").GetString());
        Assert.Equal("ft-derived-huawei-smic-kirin-9000s", Assert.Single(sources).GetProperty("id").GetString());
        foreach (var hit in events.Concat(entities).Concat(sources))
        {
            Assert.Contains("<mark>", hit.GetProperty("snippet").GetString(), StringComparison.OrdinalIgnoreCase);
            var link = hit.GetProperty("link").GetString()!;
            await _client.GetJsonAsync(link);
        }
    }

    [Fact]
    public async Task Search_ranks_each_group_by_relevance_and_reports_more()
    {
        var results = await _client.GetJsonAsync("/search?q=huawei&limit=2");

        var events = results.GetProperty("events");
        Assert.Equal(2, events.GetProperty("items").GetArrayLength());
        Assert.True(events.GetProperty("more").GetBoolean());
        var ranked = (await _client.GetJsonAsync("/events?sort=relevance&q=huawei&limit=2")).Ids();
        Assert.Equal(ranked, events.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList());
    }

    [Fact]
    public async Task Search_applies_the_event_filters_to_the_events_group()
    {
        var results = await _client.GetJsonAsync("/search?q=huawei&category=product-launch");

        var events = results.GetProperty("events").GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal([Launch], events);
    }

    [Theory]
    [InlineData("/search", "q")]
    [InlineData("/search?q=", "q")]
    [InlineData("/search?q=kirin&limit=51", "limit")]
    [InlineData("/search?q=kirin&cursor=abc", "cursor")]
    [InlineData("/search?q=kirin&category=nope", "category")]
    public async Task A_bad_search_is_a_400_naming_the_parameter(string url, string parameter)
    {
        var problem = await _client.GetProblemAsync(url, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task An_unknown_search_parameter_is_a_400_listing_the_parameters_search_takes_and_not_cursor()
    {
        var problem = await _client.GetProblemAsync("/search?q=kirin&page=2", HttpStatusCode.BadRequest);

        var message = Assert.Single(problem.GetProperty("errors").GetProperty("page").EnumerateArray()).GetString();
        Assert.Equal("'page' is not a parameter of this endpoint; it takes category, entity, from, limit, q, source, tag, to", message);
    }
}

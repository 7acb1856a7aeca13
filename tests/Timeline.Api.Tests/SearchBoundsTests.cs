using System.Net;

namespace Timeline.Api.Tests;

/// <summary>
/// The work one anonymous search may cause is bounded (issue 13, item 9): by its shape (prefixes of at least three
/// characters, at most four of them, at most sixteen terms) wherever the search syntax is accepted, and by a budget
/// read from how often its words occur, with a 400 problem that names q and the rule.
/// </summary>
public sealed class SearchBoundsTests : IClassFixture<TimelineApp>, IClassFixture<SearchBoundsTests.App>
{
    private readonly HttpClient _curated;
    private readonly HttpClient _budgeted;

    public SearchBoundsTests(TimelineApp curated, App budgeted)
    {
        _curated = curated.CreateClient();
        _budgeted = budgeted.CreateClient();
    }

    /// <summary>60 synthetic events ("Event N" titles, "A synthetic event." in every summary, "ministry" in a quarter of the quotes) under small budgets.</summary>
    public sealed class App() : TimelineApp(SyntheticDataset.Write(SyntheticDataset.Build(60)))
    {
        protected override void ConfigureSettings(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            builder.UseSetting("Timeline:SearchReadLimit", "500");
            builder.UseSetting("Timeline:SearchRankLimit", "20");
            builder.UseSetting("Timeline:SearchFacetLimit", "10");
        }
    }

    /// <summary>Every route that takes the search syntax in q.</summary>
    public static readonly string[] Routes =
    [
        "/events?q=", "/events?sort=relevance&q=", "/search?q=", "/events/facets?facet=category&q=", "/events.csv?q=",
        "/events.ics?q=", "/events/timelinejs?q=", "/events/feed.atom?q=", "/entities/huawei/events?q=",
        "/sources/ft-derived-huawei-smic-kirin-9000s/events?q=",
    ];

    [Theory]
    [InlineData("ab*", "at least 3")]
    [InlineData("a*", "at least 3")]
    [InlineData("\"kirin 9\"*", "at least 3")]
    [InlineData("kirin-9*", "at least 3")]
    [InlineData("ab* cd* ef* gh* ij* kl* mn* op* qr* st* uv* wx* yz* ba* dc* fe* hg* ji* lk* nm* po* rq* ts* vu* xw* zy* ac* bd*", "at least 3")]
    [InlineData("sanc* kiri* huaw* smic* tsmc*", "at most 4")]
    [InlineData("a b c d e f g h i j k l m n o p q", "at most 16")]
    [InlineData("smic OR tsmc OR huawei OR kirin OR mate OR ascend OR asml OR nikon OR canon OR intel OR amd OR nvidia OR apple OR samsung OR sk OR micron OR ymtc", "at most 16")]
    public async Task A_search_beyond_the_bounds_is_a_400_naming_q_and_the_rule_on_every_route(string q, string rule)
    {
        foreach (var route in Routes)
        {
            var problem = await _curated.GetProblemAsync(route + Uri.EscapeDataString(q), HttpStatusCode.BadRequest);

            var messages = problem.GetProperty("errors").GetProperty("q").Strings();
            Assert.Contains(messages, m => m.Contains(rule, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("sanc*")]
    [InlineData("900*")]
    [InlineData("sanc* kiri* huaw* smic*")]
    [InlineData("\"kirin 900\"*")]
    [InlineData("a b c d e f g h i j k l m n o p")]
    [InlineData("smic OR tsmc OR huawei OR kirin OR mate OR ascend OR asml OR nikon OR canon OR intel OR amd OR nvidia OR apple OR samsung OR sk OR micron")]
    public async Task A_search_within_the_bounds_is_answered(string q)
    {
        foreach (var route in Routes)
        {
            using var response = await _curated.GetAsync(route + Uri.EscapeDataString(q));

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{route}{q}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task The_short_prefix_rule_still_finds_what_a_long_prefix_finds()
    {
        var ids = (await _curated.GetJsonAsync("/events?limit=200&q=sanction*")).Ids();

        Assert.NotEmpty(ids);
        Assert.Equal(ids, (await _curated.GetJsonAsync("/events?limit=200&q=san*")).Ids().Intersect(ids).ToList());
    }

    [Theory]
    [InlineData("/events?sort=relevance&q=synthetic", "rank by relevance")]
    [InlineData("/search?q=synthetic", "rank by relevance")]
    [InlineData("/entities/acme/events?sort=relevance&q=synthetic", "rank by relevance")]
    [InlineData("/events?sort=relevance&q=synth*", "rank by relevance")]
    [InlineData("/events?tag=even&q=synthetic", "check against")]
    [InlineData("/entities/acme/events?q=synthetic", "check against")]
    [InlineData("/events.csv?category=sanction&q=synthetic", "check against")]
    [InlineData("/events?sort=relevance&q=alpha%20OR%20beta%20OR%20gamma%20OR%207%20OR%208", "rank by relevance")]
    [InlineData("/events/facets?facet=category&q=synthetic", "count facets")]
    [InlineData("/events/facets?facet=tag&q=ministry", "count facets")]
    [InlineData("/search?q=ministry", "rank by relevance")]
    [InlineData("/events?sort=relevance&q=synthetic%20OR%20event%20OR%20a%20OR%20synthetic%20OR%20event", "index entries")]
    [InlineData("/events?q=synthetic%20NOT%20event%20NOT%20a%20NOT%20synthetic%20NOT%20event%20NOT%20a%20NOT%20synthetic%20NOT%20event%20NOT%20a", "index entries")]
    [InlineData("/events.csv?q=synthetic%20OR%20event%20OR%20a%20OR%20synthetic%20OR%20event%20OR%20a%20OR%20synthetic%20OR%20event%20OR%20a", "index entries")]
    public async Task A_search_too_costly_for_its_work_is_a_400_naming_q_and_the_budget(string url, string rule)
    {
        var problem = await _budgeted.GetProblemAsync(url, HttpStatusCode.BadRequest);

        var message = Assert.Single(problem.GetProperty("errors").GetProperty("q").Strings());
        Assert.Contains(rule, message, StringComparison.Ordinal);
        Assert.Contains("at most", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/events?q=synthetic")]
    [InlineData("/events?sort=-date&q=synthetic")]
    [InlineData("/events?sort=relevance&q=ministry")]
    [InlineData("/search?q=7")]
    [InlineData("/events?sort=relevance&q=ministry%20synthetic")]
    [InlineData("/events?sort=relevance&q=7%20OR%208%20OR%209%20OR%2010%20OR%2011")]
    [InlineData("/events?tag=even&q=synthetic%20AND%207")]
    [InlineData("/events/facets?facet=category&q=synthetic%20AND%207")]
    [InlineData("/events.csv?q=synthetic")]
    public async Task A_search_within_its_budget_is_answered(string url)
    {
        using var response = await _budgeted.GetAsync(url);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

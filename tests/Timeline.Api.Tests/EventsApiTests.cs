using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>GET /events and GET /events/{id} over the curated dataset.</summary>
public class EventsApiTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _client = fixture.CreateClient();

    [Fact]
    public async Task Listing_events_returns_them_in_timeline_order_with_dates_at_their_precision()
    {
        var page = await _client.GetJsonAsync("/events?limit=200");

        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.True(items.Count >= 10);
        Assert.Equal(JsonValueKind.Null, page.GetProperty("nextCursor").ValueKind);
        var keys = items.Select(OrderKey).ToList();
        Assert.Equal(keys.OrderBy(k => k, StringComparer.Ordinal).ToList(), keys);
        foreach (var item in items)
        {
            var date = item.GetProperty("date").GetString()!;
            var expected = date.Length switch { 4 => "year", 7 => "month", _ => "day" };
            Assert.Equal(expected, item.GetProperty("datePrecision").GetString());
        }
    }

    [Fact]
    public async Task Sorting_by_minus_date_gives_exactly_the_reverse_order()
    {
        var ascending = (await _client.GetJsonAsync("/events?limit=200")).Ids();
        var descending = (await _client.GetJsonAsync("/events?limit=200&sort=-date")).Ids();

        ascending.Reverse();
        Assert.Equal(ascending, descending);
    }

    [Fact]
    public async Task What_happened_to_SMIC_in_December_2020_is_the_listing()
    {
        var page = await _client.GetJsonAsync("/events?entity=smic&from=2020-12&to=2020-12");

        var ids = page.Ids();
        Assert.Contains("smic-added-to-us-sanctions-list", ids);
        // Year-precision 2020 events overlap December 2020 too, and must be included, not dropped.
        Assert.All(page.GetProperty("items").EnumerateArray(), e => Assert.StartsWith("2020", e.GetProperty("date").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_month_precision_event_matches_a_single_day_inside_its_month()
    {
        var ids = (await _client.GetJsonAsync("/events?from=2020-12-18&to=2020-12-18")).Ids();

        Assert.Contains("smic-added-to-us-sanctions-list", ids);
    }

    [Fact]
    public async Task A_year_precision_event_matches_any_range_that_overlaps_its_year_and_no_other()
    {
        var inside = (await _client.GetJsonAsync("/events?from=2020-06-01&to=2020-06-30")).Ids();
        var before = (await _client.GetJsonAsync("/events?to=2019-12-31")).Ids();
        var straddling = (await _client.GetJsonAsync("/events?from=2019-12-31&to=2020-01-01")).Ids();

        Assert.Contains("us-sanctions-cut-huawei-from-chip-supply-chains", inside);
        Assert.DoesNotContain("us-sanctions-cut-huawei-from-chip-supply-chains", before);
        Assert.Contains("us-sanctions-cut-huawei-from-chip-supply-chains", straddling);
        Assert.DoesNotContain("smic-added-to-us-sanctions-list", inside);
    }

    [Fact]
    public async Task The_from_bound_excludes_events_that_ended_before_it()
    {
        var ids = (await _client.GetJsonAsync("/events?from=2023-09&limit=200")).Ids();

        Assert.DoesNotContain("smic-added-to-us-sanctions-list", ids);
        Assert.DoesNotContain("huawei-unveils-mate-60-with-kirin-9000s", ids);
        Assert.Contains("huawei-connect-2024-shift-to-long-term-development", ids);
    }

    [Fact]
    public async Task Everything_that_involves_the_Kirin_9000S_includes_the_Mate_60_launch()
    {
        var ids = (await _client.GetJsonAsync("/events?entity=kirin-9000s")).Ids();

        Assert.Contains("huawei-unveils-mate-60-with-kirin-9000s", ids);
        Assert.Contains("testing-teams-compare-kirin-9000s-to-qualcomm", ids);
    }

    [Fact]
    public async Task Entity_listings_since_2019_are_found_by_category_and_date()
    {
        var ids = (await _client.GetJsonAsync("/events?category=entity-listing&from=2019")).Ids();

        Assert.Equal(["smic-added-to-us-sanctions-list"], ids);
    }

    [Fact]
    public async Task A_repeated_category_means_any_of_them()
    {
        var sanctions = (await _client.GetJsonAsync("/events?category=sanction")).Ids();
        var listings = (await _client.GetJsonAsync("/events?category=entity-listing")).Ids();
        var both = (await _client.GetJsonAsync("/events?category=sanction&category=entity-listing")).Ids();

        Assert.Equal(sanctions.Concat(listings).Order().ToList(), both.Order().ToList());
        Assert.NotEmpty(sanctions);
        Assert.NotEmpty(listings);
    }

    [Fact]
    public async Task Filters_on_different_parameters_combine_with_and()
    {
        var page = await _client.GetJsonAsync("/events?entity=huawei&category=statement&limit=200");

        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, e => Assert.Equal("statement", e.GetProperty("category").GetString()));
        foreach (var id in page.Ids())
        {
            var detail = await _client.GetJsonAsync($"/events/{id}");
            Assert.Contains("huawei", detail.GetProperty("entities").EnumerateArray().Select(x => x.GetProperty("id").GetString()));
        }
    }

    [Fact]
    public async Task Filtering_by_tag_returns_only_events_with_that_tag()
    {
        var all = await _client.GetJsonAsync("/events?limit=200");
        var tag = all.GetProperty("items").EnumerateArray().SelectMany(e => e.GetProperty("tags").Strings()).GroupBy(t => t).OrderBy(g => g.Count()).First().Key;

        var page = await _client.GetJsonAsync($"/events?tag={tag}");

        var expected = all.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("tags").Strings().Contains(tag)).Select(e => e.GetProperty("id").GetString()!).ToList();
        Assert.Equal(expected, page.Ids());
    }

    [Fact]
    public async Task An_unknown_tag_matches_nothing()
    {
        var page = await _client.GetJsonAsync("/events?tag=no-such-tag");

        Assert.Empty(page.Ids());
    }

    [Fact]
    public async Task Filtering_by_source_returns_only_events_citing_it()
    {
        var ids = (await _client.GetJsonAsync("/events?source=nishadil-huawei-bold-leap&limit=200")).Ids();

        Assert.NotEmpty(ids);
        foreach (var id in ids)
        {
            var detail = await _client.GetJsonAsync($"/events/{id}");
            Assert.Contains("nishadil-huawei-bold-leap", detail.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("sourceId").GetString()));
        }

        var other = (await _client.GetJsonAsync("/events?source=ft-derived-huawei-smic-kirin-9000s&limit=200")).Ids();
        Assert.Equal(
            (await _client.GetJsonAsync("/events?limit=200")).Ids().Order().ToList(),
            ids.Union(other).Order().ToList());
    }

    [Fact]
    public async Task An_event_in_detail_has_its_entities_with_roles_and_its_citations()
    {
        var detail = await _client.GetJsonAsync("/events/smic-added-to-us-sanctions-list");

        Assert.Equal("2020-12", detail.GetProperty("date").GetString());
        Assert.Equal("entity-listing", detail.GetProperty("category").GetString());
        var entities = detail.GetProperty("entities").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("role").GetString());
        Assert.Equal("target", entities["smic"]);
        Assert.Equal("issuer", entities["us-government"]);
        var citation = Assert.Single(detail.GetProperty("citations").EnumerateArray());
        Assert.StartsWith("In December 2020, SMIC joined Huawei on the US sanctions list", citation.GetProperty("quote").GetString(), StringComparison.Ordinal);
        Assert.Equal("ft-derived-huawei-smic-kirin-9000s", citation.GetProperty("sourceId").GetString());
        Assert.True(citation.GetProperty("endOffset").GetInt32() > citation.GetProperty("startOffset").GetInt32());
        Assert.Equal(1, detail.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task An_unknown_event_is_a_404_problem()
    {
        var problem = await _client.GetProblemAsync("/events/no-such-event", HttpStatusCode.NotFound);

        Assert.Contains("no-such-event", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_next_page_is_linked_in_the_Link_header_with_the_other_parameters_kept()
    {
        using var response = await _client.GetAsync("/events?limit=2&category=corporate&category=statement");
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var cursor = page.GetProperty("nextCursor").GetString()!;
        var link = Assert.Single(response.Headers.GetValues("Link"));
        Assert.EndsWith("; rel=\"next\"", link, StringComparison.Ordinal);
        var target = link[1..link.IndexOf('>', StringComparison.Ordinal)];
        Assert.StartsWith("/events?", target, StringComparison.Ordinal);
        Assert.Contains("category=corporate&category=statement", target, StringComparison.Ordinal);
        Assert.Contains("cursor=" + Uri.EscapeDataString(cursor), target, StringComparison.Ordinal);

        var next = await _client.GetJsonAsync(target);
        Assert.Empty(next.Ids().Intersect(page.Ids()));
    }

    [Fact]
    public async Task The_last_page_has_no_next_cursor_and_no_Link_header()
    {
        using var response = await _client.GetAsync("/events?limit=200");

        Assert.False(response.Headers.Contains("Link"));
    }

    private static string OrderKey(JsonElement e)
    {
        var date = e.GetProperty("date").GetString()!;
        var firstDay = date.Length switch { 4 => date + "-01-01", 7 => date + "-01", _ => date };
        return $"{firstDay}|{date.Length}|{e.GetProperty("id").GetString()}";
    }
}

using System.Globalization;
using System.Net;

namespace Timeline.Api.Tests;

/// <summary>Keyset paging over a synthetic store where many events share a first day at different precisions.</summary>
public sealed class PagingTests : IClassFixture<PagingTests.App>
{
    private const int EventCount = 47;
    private readonly HttpClient _client;

    public PagingTests(App app) => _client = app.CreateClient();

    public sealed class App() : TimelineApp(SyntheticDataset.Write(SyntheticDataset.Build(EventCount)));

    [Theory]
    [InlineData(1, "date")]
    [InlineData(2, "date")]
    [InlineData(7, "date")]
    [InlineData(50, "date")]
    [InlineData(1, "-date")]
    [InlineData(6, "-date")]
    public async Task Paging_through_the_whole_set_returns_every_event_once_in_order(int limit, string sort)
    {
        var all = (await _client.GetJsonAsync($"/events?limit=200&sort={sort}")).Ids();
        Assert.Equal(EventCount, all.Count);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/events?limit={limit}&sort={sort}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await _client.GetJsonAsync(url);
            var ids = page.Ids();
            Assert.True(ids.Count <= limit);
            seen.AddRange(ids);
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
            Assert.True(pages <= EventCount + 1, "paging does not end");
        }
        while (cursor is not null);

        Assert.Equal(all, seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal((EventCount + limit - 1) / limit, pages);
    }

    [Fact]
    public async Task Events_starting_on_the_same_day_are_ordered_coarser_precision_first_then_by_id()
    {
        var page = await _client.GetJsonAsync("/events?from=2020-01-01&to=2020-01-01&limit=200");

        var dates = page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("date").GetString()!).ToList();
        var firstYear = dates.IndexOf("2020");
        var firstMonth = dates.IndexOf("2020-01");
        var firstDay = dates.IndexOf("2020-01-01");
        Assert.True(firstYear >= 0 && firstMonth > firstYear && firstDay > firstMonth, string.Join(",", dates));
        Assert.True(dates.LastIndexOf("2020") < firstMonth);
        Assert.True(dates.LastIndexOf("2020-01") < firstDay);
        var idsOfYear = page.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("date").GetString() == "2020").Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(idsOfYear.Order(StringComparer.Ordinal).ToList(), idsOfYear);
    }

    [Fact]
    public async Task Paging_a_filtered_slice_stays_within_the_filter()
    {
        var expected = (await _client.GetJsonAsync("/events?entity=acme&category=sanction&limit=200")).Ids();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _client.GetJsonAsync("/events?entity=acme&category=sanction&limit=1" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page.Ids());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task The_page_size_may_change_between_pages()
    {
        var all = (await _client.GetJsonAsync("/events?limit=200")).Ids();
        var first = await _client.GetJsonAsync("/events?limit=3");
        var cursor = first.GetProperty("nextCursor").GetString()!;

        var second = await _client.GetJsonAsync("/events?limit=10&cursor=" + Uri.EscapeDataString(cursor));

        Assert.Equal(all.Take(13), first.Ids().Concat(second.Ids()));
    }

    [Theory]
    [InlineData("&sort=-date")]
    [InlineData("&category=sanction")]
    [InlineData("&entity=acme")]
    [InlineData("&tag=even")]
    [InlineData("&from=2019")]
    [InlineData("&to=2030")]
    [InlineData("&source=report")]
    public async Task A_cursor_used_with_other_filters_is_refused_as_foreign(string otherFilter)
    {
        var first = await _client.GetJsonAsync("/events?limit=3");
        var cursor = Uri.EscapeDataString(first.GetProperty("nextCursor").GetString()!);

        var problem = await _client.GetProblemAsync($"/events?limit=3&cursor={cursor}{otherFilter}", HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("cursor", out _));
    }

    [Fact]
    public async Task A_cursor_from_one_entitys_events_does_not_work_for_another()
    {
        var first = await _client.GetJsonAsync("/entities/acme/events?limit=2");
        var cursor = Uri.EscapeDataString(first.GetProperty("nextCursor").GetString()!);

        await _client.GetProblemAsync($"/entities/globex/events?limit=2&cursor={cursor}", HttpStatusCode.BadRequest);
        var next = await _client.GetJsonAsync($"/entities/acme/events?limit=2&cursor={cursor}");
        Assert.Empty(next.Ids().Intersect(first.Ids()));
    }

    [Fact]
    public async Task A_tampered_cursor_is_a_400_naming_cursor()
    {
        var first = await _client.GetJsonAsync("/events?limit=3");
        var cursor = first.GetProperty("nextCursor").GetString()!;
        var tampered = string.Concat(cursor.AsSpan(0, 5), cursor[5] == 'x' ? "y" : "x", cursor.AsSpan(6));

        var problem = await _client.GetProblemAsync("/events?limit=3&cursor=" + Uri.EscapeDataString(tampered), HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("cursor", out _));
    }

    [Fact]
    public async Task The_synthetic_store_holds_every_event()
    {
        var ids = (await _client.GetJsonAsync("/events?limit=200")).Ids();

        Assert.Equal(Enumerable.Range(0, EventCount).Select(i => string.Create(CultureInfo.InvariantCulture, $"event-{i:000}")).Order(), ids.Order());
    }
}

using System.Text.Json;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Lists whose tags, source or entities hold few events are read from those events (tag and citation indexes) instead of walking the
/// timeline; pages in either order, from any cursor and under every other filter, are exactly the walked ones.
/// </summary>
public sealed class DeepFilterListTests(DeepFilterListTests.App fixture, ITestOutputHelper output) : IClassFixture<DeepFilterListTests.App>
{
    private readonly DeepFilterListTests.App app = fixture.LoggingTo(output);

    public sealed class App() : TimelineApp(SyntheticDataset.Write(SyntheticDataset.Build(60)));

    private readonly HttpClient _client = fixture.CreateClient();

    [Theory]
    [InlineData("tag=even", "")]
    [InlineData("tag=odd&tag=even", "")]
    [InlineData("tag=even", "&sort=-date")]
    [InlineData("tag=odd", "&from=2019-06&to=2020-01-01")]
    [InlineData("tag=odd", "&category=sanction&category=analysis&sort=-date")]
    [InlineData("source=report", "")]
    [InlineData("source=report&tag=even", "&sort=-date&from=2020")]
    [InlineData("tag=even&entity=acme&entity=globex", "")]
    [InlineData("tag=no-such-tag", "")]
    [InlineData("entity=acme&entity=globex", "&sort=-date&category=analysis")]
    [InlineData("entity=acme&entity=globex&tag=odd", "&from=2020")]
    public async Task A_list_driven_by_its_tags_source_or_entities_pages_exactly_like_the_timeline(string filter, string rest)
    {
        var everything = await AllAsync("/events?limit=200" + rest.Replace("&sort=-date", "", StringComparison.Ordinal) + (rest.Contains("-date", StringComparison.Ordinal) ? "&sort=-date" : ""));
        var tags = filter.Split('&').Where(p => p.StartsWith("tag=", StringComparison.Ordinal)).Select(p => p[4..]).ToList();
        var expected = everything
            .Where(e => tags.Count == 0 || e.GetProperty("tags").EnumerateArray().Any(t => tags.Contains(t.GetString()!)))
            .Select(e => e.GetProperty("id").GetString()!)
            .ToList();

        var paged = (await AllAsync($"/events?limit=7&{filter}{rest}")).Select(e => e.GetProperty("id").GetString()!).ToList();

        Assert.Equal(expected, paged);
        if (!filter.Contains("no-such-tag", StringComparison.Ordinal))
        {
            Assert.NotEmpty(paged);
        }
    }

    /// <summary>Every item of a list, following its cursors.</summary>
    private async Task<List<JsonElement>> AllAsync(string url)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await _client.GetJsonAsync(url + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return items;
    }
}

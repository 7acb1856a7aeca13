using System.Net;
using System.Text.Json;

namespace Timeline.Api.Tests;

/// <summary>GET /events/facets: counts that agree exactly with the lists their links return.</summary>
public sealed class FacetTests : IClassFixture<FacetTests.App>, IClassFixture<TimelineApp>
{
    private readonly HttpClient _synthetic;
    private readonly HttpClient _curated;

    public FacetTests(App synthetic, TimelineApp curated)
    {
        _synthetic = synthetic.CreateClient();
        _curated = curated.CreateClient();
    }

    public sealed class App() : TimelineApp(SyntheticDataset.Write(SyntheticDataset.Build(60)));

    [Theory]
    [InlineData("")]
    [InlineData("&category=sanction")]
    [InlineData("&category=sanction&category=analysis&entity=acme")]
    [InlineData("&from=2020-01&to=2021-06-15")]
    [InlineData("&from=2019-03-10")]
    [InlineData("&tag=even&to=2020")]
    [InlineData("&q=ministry")]
    public async Task Every_facet_count_equals_the_number_of_events_its_link_lists(string filters)
    {
        var facets = await _synthetic.GetJsonAsync("/events/facets?facet=category&facet=year&facet=entity&facet=tag" + filters);

        var checkedValues = 0;
        foreach (var facet in facets.GetProperty("facets").EnumerateObject())
        {
            Assert.NotEmpty(facet.Value.EnumerateArray());
            foreach (var value in facet.Value.EnumerateArray())
            {
                var link = value.GetProperty("link").GetString()!;
                Assert.Equal(value.GetProperty("count").GetInt32(), await CountAllAsync(_synthetic, link));
                checkedValues++;
            }
        }

        Assert.True(checkedValues >= 6);
    }

    [Fact]
    public async Task Curated_facets_agree_with_the_list_too()
    {
        var facets = await _curated.GetJsonAsync("/events/facets?facet=category&facet=year&facet=entity&facet=tag&from=2020&to=2023");

        foreach (var facet in facets.GetProperty("facets").EnumerateObject())
        {
            foreach (var value in facet.Value.EnumerateArray())
            {
                Assert.Equal(value.GetProperty("count").GetInt32(), await CountAllAsync(_curated, value.GetProperty("link").GetString()!));
            }
        }
    }

    [Fact]
    public async Task Values_are_sorted_by_count_and_the_selected_ones_are_marked()
    {
        var facets = await _synthetic.GetJsonAsync("/events/facets?facet=category&facet=tag&category=analysis");

        var categories = facets.GetProperty("facets").GetProperty("category").EnumerateArray().ToList();
        var counts = categories.Select(c => c.GetProperty("count").GetInt32()).ToList();
        Assert.Equal(counts.OrderByDescending(c => c).ToList(), counts);
        Assert.Equal(4, categories.Count);
        Assert.True(categories.Single(c => c.GetProperty("value").GetString() == "analysis").GetProperty("selected").GetBoolean());
        Assert.False(categories.Single(c => c.GetProperty("value").GetString() == "sanction").GetProperty("selected").GetBoolean());
    }

    [Fact]
    public async Task A_span_counts_in_every_year_it_overlaps()
    {
        var facets = await _curated.GetJsonAsync("/events/facets?facet=year&entity=smic");

        var years = facets.GetProperty("facets").GetProperty("year").EnumerateArray()
            .ToDictionary(v => v.GetProperty("value").GetString()!, v => v.GetProperty("count").GetInt32());
        // The development of Charlotte spans 2020 to 2023-08: it counts in 2021 and 2022, when nothing else happened.
        Assert.Equal(1, years["2021"]);
        Assert.Equal(1, years["2022"]);
    }

    [Fact]
    public async Task The_entity_facet_labels_ids_with_names()
    {
        var facets = await _curated.GetJsonAsync("/events/facets?facet=entity&facetLimit=3");

        var entities = facets.GetProperty("facets").GetProperty("entity").EnumerateArray().ToList();
        Assert.Equal(3, entities.Count);
        Assert.Equal("huawei", entities[0].GetProperty("value").GetString());
        Assert.Equal("Huawei", entities[0].GetProperty("label").GetString());
    }

    [Theory]
    [InlineData("/events/facets", "facet")]
    [InlineData("/events/facets?facet=colour", "facet")]
    [InlineData("/events/facets?facet=year&facetLimit=0", "facetLimit")]
    [InlineData("/events/facets?facet=year&from=2020-02-31", "from")]
    public async Task A_bad_facet_request_is_a_400_naming_the_parameter(string url, string parameter)
    {
        var problem = await _curated.GetProblemAsync(url, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    private static async Task<int> CountAllAsync(HttpClient client, string link)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync(link + "&limit=200" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            count += page.GetProperty("items").GetArrayLength();
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return count;
    }
}

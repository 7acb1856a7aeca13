using System.Net;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>GET /entities, /sources, /categories and the health probes.</summary>
public class EntitiesAndSourcesTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _client = fixture.CreateClient();

    [Fact]
    public async Task Entities_are_listed_by_name_with_event_counts()
    {
        var list = await _client.GetJsonAsync("/entities");

        var names = list.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToList();
        Assert.Equal(names.Order(StringComparer.OrdinalIgnoreCase).ToList(), names);
        var huawei = list.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("id").GetString() == "huawei");
        var huaweiEvents = (await _client.GetJsonAsync("/events?entity=huawei&limit=200")).Ids();
        Assert.Equal(huaweiEvents.Count, huawei.GetProperty("eventCount").GetInt32());
    }

    [Theory]
    [InlineData("charlotte", "kirin-9000s")]
    [InlineData("CHARLOTTE", "kirin-9000s")]
    [InlineData("smic", "smic")]
    [InlineData("Semiconductor Manufacturing International", "smic")]
    [InlineData("sullivan", "jake-sullivan")]
    public async Task Entities_are_found_by_part_of_their_name_or_an_alias_ignoring_case(string q, string expected)
    {
        var ids = (await _client.GetJsonAsync($"/entities?q={Uri.EscapeDataString(q)}")).Ids();

        Assert.Contains(expected, ids);
    }

    [Fact]
    public async Task Entities_filter_by_kind()
    {
        var list = await _client.GetJsonAsync("/entities?kind=person");

        var kinds = list.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).Distinct().ToList();
        Assert.Equal(["person"], kinds);
        Assert.Contains("xu-zhijun", list.Ids());
    }

    [Fact]
    public async Task One_entity_has_its_aliases_and_description()
    {
        var entity = await _client.GetJsonAsync("/entities/smic");

        Assert.Equal("company", entity.GetProperty("kind").GetString());
        Assert.Contains("SMIC", entity.GetProperty("aliases").Strings());
        Assert.False(string.IsNullOrWhiteSpace(entity.GetProperty("description").GetString()));
    }

    [Fact]
    public async Task An_entitys_events_are_those_listed_with_the_entity_filter()
    {
        var scoped = (await _client.GetJsonAsync("/entities/kirin-9000s/events?limit=200")).Ids();
        var filtered = (await _client.GetJsonAsync("/events?entity=kirin-9000s&limit=200")).Ids();

        Assert.NotEmpty(scoped);
        Assert.Equal(filtered, scoped);
    }

    [Fact]
    public async Task An_entitys_events_take_the_event_filters()
    {
        var ids = (await _client.GetJsonAsync("/entities/huawei/events?category=product-launch")).Ids();

        Assert.Equal(["huawei-unveils-mate-60-with-kirin-9000s"], ids);
    }

    [Fact]
    public async Task Sources_are_listed_with_metadata_and_without_their_text()
    {
        var list = await _client.GetJsonAsync("/sources");

        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, s => Assert.False(s.TryGetProperty("text", out _)));
        var nishadil = items.Single(s => s.GetProperty("id").GetString() == "nishadil-huawei-bold-leap");
        Assert.Equal("2025-09-18", nishadil.GetProperty("publishedDate").GetString());
        Assert.Equal("Nishadil", nishadil.GetProperty("publisher").GetString());
        Assert.Contains(nishadil.GetProperty("notes").Strings(), n => n.Contains("artificial intelligence", StringComparison.Ordinal));
        var ft = items.Single(s => s.GetProperty("id").GetString() == "ft-derived-huawei-smic-kirin-9000s");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, ft.GetProperty("publishedDate").ValueKind);
        Assert.Contains(ft.GetProperty("notes").Strings(), n => n.Contains("Financial Times", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_source_has_its_full_text_and_its_length_in_code_points()
    {
        var source = await _client.GetJsonAsync("/sources/ft-derived-huawei-smic-kirin-9000s");

        var text = source.GetProperty("text").GetString()!;
        Assert.StartsWith("Huawei was fighting to stay afloat", text, StringComparison.Ordinal);
        Assert.EndsWith("semiconductor sector.", text, StringComparison.Ordinal);
        Assert.Equal(text.EnumerateRunes().Count(), source.GetProperty("length").GetInt32());
    }

    [Fact]
    public async Task A_sources_events_are_those_that_cite_it()
    {
        var scoped = (await _client.GetJsonAsync("/sources/nishadil-huawei-bold-leap/events?limit=200")).Ids();
        var filtered = (await _client.GetJsonAsync("/events?source=nishadil-huawei-bold-leap&limit=200")).Ids();

        Assert.NotEmpty(scoped);
        Assert.Equal(filtered, scoped);
    }

    [Fact]
    public async Task Categories_are_the_whole_vocabulary_with_descriptions_and_counts_that_match_the_list()
    {
        var list = await _client.GetJsonAsync("/categories");

        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            ["sanction", "entity-listing", "export-control", "product-launch", "corporate", "statement", "analysis", "industry-event"],
            items.Select(c => c.GetProperty("id").GetString()!).ToList());
        foreach (var category in items)
        {
            Assert.False(string.IsNullOrWhiteSpace(category.GetProperty("description").GetString()));
            var listed = (await _client.GetJsonAsync($"/events?category={category.GetProperty("id").GetString()}&limit=200")).Ids();
            Assert.Equal(listed.Count, category.GetProperty("eventCount").GetInt32());
        }
    }

    [Fact]
    public async Task Health_probes_answer_live_and_ready()
    {
        var live = await _client.GetJsonAsync("/health/live");
        var ready = await _client.GetJsonAsync("/health/ready");

        Assert.Equal("live", live.GetProperty("status").GetString());
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(TestStore.LatestSchemaVersion, ready.GetProperty("schemaVersion").GetInt32());
    }

    [Fact]
    public async Task The_root_redirects_to_swagger_ui()
    {
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/swagger", response.Headers.Location?.OriginalString);
        using var ui = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger-ui", await ui.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

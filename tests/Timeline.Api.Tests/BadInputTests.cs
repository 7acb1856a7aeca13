using System.Net;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Every bad input gets an RFC 9457 problem naming the parameter at fault; none gets a 500.</summary>
public class BadInputTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _client = fixture.CreateClient();

    public static TheoryData<string, string> BadQueries => new()
    {
        { "/events?from=2023-02-30", "from" },
        { "/events?from=2023-13", "from" },
        { "/events?from=20", "from" },
        { "/events?from=yesterday", "from" },
        { "/events?from=2020-12-18T10:00:00Z", "from" },
        { "/events?to=2021-02-29", "to" },
        { "/events?to=0000", "to" },
        { "/events?from=2021&to=2020", "to" },
        { "/events?from=2020-12-19&to=2020-12-18", "to" },
        { "/events?category=rumour", "category" },
        { "/events?category=sanction&category=Sanction", "category" },
        { "/events?limit=0", "limit" },
        { "/events?limit=201", "limit" },
        { "/events?limit=-1", "limit" },
        { "/events?limit=ten", "limit" },
        { "/events?limit=1e2", "limit" },
        { "/events?limit=99999999999999999999", "limit" },
        { "/events?sort=date_desc", "sort" },
        { "/events?sort=title", "sort" },
        { "/events?cursor=not-a-cursor", "cursor" },
        { "/events?cursor=%00%01%02", "cursor" },
        { "/events?cursor=%01%02%03", "cursor" },
        { "/events?cursor=" + new string('A', 5000), "cursor" },
        { "/events?entity=no-such-entity", "entity" },
        { "/events?entity=smic&entity=nobody", "entity" },
        { "/events?source=no-such-source", "source" },
        { "/events?catgory=sanction", "catgory" },
        { "/events?q=%22%22", "q" },
        { "/events?sort=relevance", "sort" },
        { "/entities?kind=planet", "kind" },
        { "/entities?name=smic", "name" },
        { "/entities?q=" + new string('x', 201), "q" },
        { "/entities/smic/events?from=2020-02-30", "from" },
        { "/entities/smic/events?limit=500", "limit" },
        { "/sources/ft-derived-huawei-smic-kirin-9000s/events?category=gossip", "category" },
        { "/sources?limit=5", "limit" },
        { "/categories?x=1", "x" },
        { "/events/smic-added-to-us-sanctions-list?foo=bar", "foo" },
        { "/health/live?verbose=1", "verbose" },
        { "/events?from=", "from" },
        { "/events?from", "from" },
        { "/events?category=", "category" },
        { "/events?limit=", "limit" },
        { "/events?cursor=", "cursor" },
        { "/entities?q=smic&q=tsmc", "q" },
        { "/entities?kind=chip&kind=company", "kind" },
        { "/events?source=a&source=b", "source" },
        { "/events?from=2020&from=2021", "from" },
        { "/events?FROM=2023-02-30", "from" },
        { "/events?from=2020&FROM=2021", "from" },
        { "/events?Limit=1&LIMIT=2", "limit" },

        // A NUL can be in no id, tag or text, and PostgreSQL cannot compare a value holding one (it answered 500).
        { "/events?entity=smic%00", "entity" },
        { "/events?entity=%00", "entity" },
        { "/events?source=ft-derived-huawei-smic-kirin-9000s%00", "source" },
        { "/events?tag=a%00b", "tag" },
        { "/events?category=sanction%00", "category" },
        { "/events?q=kirin%00smic", "q" },
        { "/entities/huawei/events?tag=%00", "tag" },
        { "/sources/ft-derived-huawei-smic-kirin-9000s/events?entity=smic%00", "entity" },
        { "/search?q=kirin&entity=a%00", "entity" },
        { "/events/facets?facet=entity&source=%00", "source" },
        { "/events.csv?tag=a%00b", "tag" },
        { "/events.ics?entity=smic%00", "entity" },
        { "/events/timelinejs?source=%00", "source" },
        { "/events/feed.atom?tag=%00", "tag" },
        { "/entities?q=hua%00wei", "q" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_parameter_is_a_400_problem_naming_it(string url, string parameter)
    {
        var problem = await _client.GetProblemAsync(url, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out var messages), $"errors do not name '{parameter}': {problem}");
        Assert.NotEmpty(messages.EnumerateArray());
        Assert.Contains(parameter, problem.GetProperty("title").GetString() + problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_bad_parameters_are_all_named_in_one_problem()
    {
        var problem = await _client.GetProblemAsync("/events?from=2023-02-30&category=rumour&limit=0&sort=up", HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        foreach (var name in new[] { "from", "category", "limit", "sort" })
        {
            Assert.True(errors.TryGetProperty(name, out _), name);
        }
    }

    [Theory]
    [InlineData("/events/no-such-event", "event")]
    [InlineData("/entities/no-such-entity", "entity")]
    [InlineData("/entities/no-such-entity/events", "entity")]
    [InlineData("/sources/no-such-source", "source")]
    [InlineData("/sources/no-such-source/events", "source")]
    [InlineData("/events/%E2%80%9Cweird%E2%80%9D", "event")]
    [InlineData("/events/..%2F..%2Fetc%2Fpasswd", "event")]
    [InlineData("/events/'%20OR%201=1--", "event")]
    public async Task An_unknown_id_is_a_404_problem(string url, string what)
    {
        var problem = await _client.GetProblemAsync(url, HttpStatusCode.NotFound);

        Assert.Equal($"No such {what}", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("/no/such/route")]
    [InlineData("/openapi/v2.json")]
    public async Task An_unknown_route_is_a_404_problem(string url)
    {
        await _client.GetProblemAsync(url, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    public async Task Errors_are_problem_json_whatever_the_client_accepts(string accept)
    {
        foreach (var url in new[] { "/no/such/route", "/events/no-such-event", "/events?limit=0" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd(accept);
            using var response = await _client.SendAsync(request);

            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
            Assert.True(problem.TryGetProperty("traceId", out _), url);
        }
    }

    [Theory]
    [InlineData("/events?limit=2")]
    [InlineData("/events/smic-added-to-us-sanctions-list")]
    [InlineData("/health/live")]
    [InlineData("/events.csv")]
    public async Task HEAD_answers_wherever_GET_does_with_headers_and_no_body(string url)
    {
        using var get = await _client.GetAsync(url);
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.NotEmpty(await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        using var response = await _client.DeleteAsync("/categories");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/events?from=%27%3B%20DROP%20TABLE%20events%3B--")]
    [InlineData("/events?entity=%27%20OR%20%271%27%3D%271")]
    [InlineData("/events?tag=%27%20OR%201%3D1--")]
    [InlineData("/events?tag=%F0%9F%94%A5&tag=%D7%A9%D7%9C%D7%95%D7%9D")]
    [InlineData("/entities?q=%25")]
    [InlineData("/entities?q=_")]
    [InlineData("/entities?q=%27%22%3B--")]
    public async Task Hostile_text_is_answered_without_a_server_error_and_the_store_is_intact(string url)
    {
        using var response = await _client.GetAsync(url);

        Assert.True((int)response.StatusCode is 200 or 400, $"{url}: {(int)response.StatusCode}");
        var all = await _client.GetJsonAsync("/events?limit=200");
        Assert.True(all.Ids().Count >= 10);
    }

    [Fact]
    public async Task Entity_search_treats_like_wildcards_as_plain_text()
    {
        var percent = await _client.GetJsonAsync("/entities?q=%25");

        Assert.Empty(percent.Ids());
    }
}

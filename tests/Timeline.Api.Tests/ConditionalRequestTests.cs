using System.Net;
using System.Net.Http.Headers;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>ETags, Last-Modified and 304s on every read.</summary>
public class ConditionalRequestTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _client = fixture.CreateClient();

    public static TheoryData<string> Reads =>
    [
        "/events", "/events?category=sanction&sort=-date", "/events/smic-added-to-us-sanctions-list", "/entities", "/entities/smic",
        "/entities/smic/events", "/sources", "/sources/ft-derived-huawei-smic-kirin-9000s", "/sources/ft-derived-huawei-smic-kirin-9000s/events",
        "/categories", "/search?q=kirin", "/events/facets?facet=year", "/events.csv", "/events.ics", "/events/timelinejs", "/events/feed.atom",
    ];

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Every_read_has_an_ETag_and_If_None_Match_gets_304_with_no_body(string url)
    {
        using var first = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        var singleRecord = url.Count(c => c == '/') == 2 && !url.Contains('?', StringComparison.Ordinal) && url is not "/events/timelinejs" and not "/events/feed.atom";
        Assert.True(singleRecord || first.Content.Headers.LastModified is not null, "lists carry Last-Modified");

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfNoneMatch.Add(etag);
        using var second = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, second.Headers.ETag);
    }

    [Fact]
    public async Task Different_queries_have_different_ETags_and_the_same_query_the_same()
    {
        using var a = await _client.GetAsync("/events?category=sanction");
        using var b = await _client.GetAsync("/events?category=analysis");
        using var again = await _client.GetAsync("/events?category=sanction");

        Assert.NotEqual(a.Headers.ETag, b.Headers.ETag);
        Assert.Equal(a.Headers.ETag, again.Headers.ETag);
    }

    [Fact]
    public async Task A_stale_ETag_gets_the_full_response()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0-0000000000000000\""));
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task If_Modified_Since_the_last_change_gets_304()
    {
        using var first = await _client.GetAsync("/categories");
        var lastModified = first.Content.Headers.LastModified!.Value;

        using var request = new HttpRequestMessage(HttpMethod.Get, "/categories");
        request.Headers.IfModifiedSince = lastModified;
        using var second = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task Errors_carry_no_ETag()
    {
        using var response = await _client.GetAsync("/events?limit=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.ETag);
    }

    [Fact]
    public async Task The_ETag_changes_when_the_data_changes()
    {
        using var isolated = TimelineApp.WithDataset(SyntheticDataset.Write(SyntheticDataset.Build(5))).LoggingTo(output);
        using var client = isolated.CreateClient();
        using var before = await client.GetAsync("/events");

        var dataset = (IDatasetStore)isolated.Services.GetService(typeof(IDatasetStore))!;
        await dataset.ReseedAsync(CancellationToken.None);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        request.Headers.IfNoneMatch.Add(before.Headers.ETag!);
        using var after = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
    }
}

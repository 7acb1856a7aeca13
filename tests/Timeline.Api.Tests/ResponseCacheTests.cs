using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Cached responses are served again only while the data is unchanged.</summary>
public class ResponseCacheTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_cached_list_changes_as_soon_as_a_write_commits()
    {
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(SyntheticDataset.Build(20))).LoggingTo(output);
        using var reader = app.CreateClient();
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        const string list = "/events?category=sanction&limit=200";
        var first = await reader.GetStringAsync(list);
        Assert.Equal(first, await reader.GetStringAsync(list));
        var csv = await reader.GetStringAsync("/events.csv?category=sanction");

        var etag = await reader.ETagAsync("/events/event-000");
        using var patched = await editor.SendJsonAsync(HttpMethod.Patch, "/events/event-000", new JsonObject { ["title"] = "A title written just now" }, etag, "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        var after = await reader.GetStringAsync(list);
        Assert.NotEqual(first, after);
        Assert.Contains("A title written just now", after, StringComparison.Ordinal);
        Assert.Contains("A title written just now", await reader.GetStringAsync("/events.csv?category=sanction"), StringComparison.Ordinal);
        Assert.DoesNotContain("A title written just now", csv, StringComparison.Ordinal);
        Assert.Contains("A title written just now", await reader.GetStringAsync("/events?q=written"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/events.csv?category=sanction")]
    [InlineData("/events.ics?category=sanction")]
    [InlineData("/events/timelinejs?category=sanction")]
    [InlineData("/events/feed.atom?category=sanction")]
    [InlineData("/export")]
    [InlineData("/events?category=sanction&limit=200")]
    public async Task A_head_request_never_leaves_an_empty_body_for_the_gets_after_it(string url)
    {
        // A HEAD runs as a GET whose body is dropped, and exports skip writing theirs: what it produced must not be
        // kept as the URL's answer, or every GET after it gets a 200 with no body until the next write.
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(SyntheticDataset.Build(20))).LoggingTo(output);
        using var reader = app.CreateClient();
        var whole = await reader.GetByteArrayAsync(url);
        Assert.True(whole.Length > 200, $"{whole.Length} bytes");
        for (var i = 0; i < 2; i++)
        {
            using var head = await reader.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(whole, await reader.GetByteArrayAsync(url));
        }
    }

    [Fact]
    public async Task A_cached_event_keeps_its_own_etag_answers_if_none_match_and_changes_after_a_write()
    {
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(SyntheticDataset.Build(20))).LoggingTo(output);
        using var reader = app.CreateClient();
        using var editor = app.CreateClient(TimelineApp.EditorKey);

        using var first = await reader.GetAsync("/events/event-003");
        using var second = await reader.GetAsync("/events/event-003");
        var body = await first.Content.ReadAsStringAsync();
        Assert.Equal(body, await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Matches("^\"1\\.[0-9]+\"$", second.Headers.ETag!.ToString());
        Assert.Equal("application/json", second.Content.Headers.ContentType?.MediaType);

        var conditional = new HttpRequestMessage(HttpMethod.Get, "/events/event-003");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", second.Headers.ETag.ToString());
        using var notModified = await reader.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var patched = await editor.SendJsonAsync(HttpMethod.Patch, "/events/event-003", new JsonObject { ["title"] = "Retitled after caching" }, second.Headers.ETag.ToString(), "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        using var after = await reader.GetAsync("/events/event-003");
        Assert.Contains("Retitled after caching", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.StartsWith("\"2.", after.Headers.ETag!.ToString(), StringComparison.Ordinal);
        Assert.Equal(patched.Headers.ETag, after.Headers.ETag);
    }

    /// <summary>
    /// The cache admits a URL on its second request and serves it from the third. To tell a served copy from a fresh
    /// answer, the store's titles are changed behind the API's back (in the file, without moving the data version):
    /// a fresh answer would show the new titles, a cached one the old. The copy must carry the headers the fresh answer
    /// had (the Link of the next page, the CSV's Content-Disposition, the type and the ETag) and answer If-None-Match.
    /// </summary>
    [Theory]
    [InlineData("/events?limit=3", "application/json", "Link")]
    [InlineData("/events.csv?category=sanction", "text/csv", "Content-Disposition")]
    public async Task A_response_served_from_the_cache_keeps_its_headers_and_answers_conditional_requests(string url, string mediaType, string header)
    {
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(SyntheticDataset.Build(20))).LoggingTo(output);
        using var client = app.CreateClient();

        using var fresh = await client.GetAsync(url);
        using var admitted = await client.GetAsync(url);
        var freshBody = await fresh.Content.ReadAsStringAsync();
        Assert.Equal(freshBody, await admitted.Content.ReadAsStringAsync());
        var freshHeader = HeaderOf(fresh, header);
        Assert.False(string.IsNullOrEmpty(freshHeader), $"the fresh answer has no {header}");

        Assert.Equal(20, await TestStore.ExecuteAsync(app, "UPDATE events SET title = 'Changed behind the API';"));

        Assert.Contains("Changed behind the API", await client.GetStringAsync("/events?limit=3&sort=-date"), StringComparison.Ordinal);

        using var cached = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(freshBody, await cached.Content.ReadAsStringAsync());
        Assert.Equal(mediaType, cached.Content.Headers.ContentType?.MediaType);
        Assert.Equal(freshHeader, HeaderOf(cached, header));
        Assert.Equal(fresh.Headers.ETag, cached.Headers.ETag);

        var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.TryAddWithoutValidation("If-None-Match", cached.Headers.ETag!.ToString());
        using var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(cached.Headers.ETag, notModified.Headers.ETag);
    }

    private static string? HeaderOf(HttpResponseMessage response, string name) => name switch
    {
        "Content-Disposition" => response.Content.Headers.ContentDisposition?.ToString(),
        _ => response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null,
    };

    [Fact]
    public async Task Paging_a_generated_ten_thousand_event_store_by_cursor_returns_every_event_once()
    {
        var folder = Directory.CreateTempSubdirectory("timeline-generated-").FullName;
        var path = Path.Combine(folder, "generated.json");
        await using (var file = File.Create(path))
        {
            Timeline.Model.Dataset.DatasetGenerator.Write(10_000, 42, file);
        }

        using var app = TimelineApp.WithDataset(path).LoggingTo(output);
        using var client = app.CreateClient();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync("/events?sort=-date&limit=200" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            foreach (var id in page.Ids())
            {
                Assert.True(seen.Add(id), $"{id} repeated");
                order.Add(id);
            }

            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(10_000, seen.Count);
        var lithography = (await client.GetJsonAsync("/events/facets?facet=category&q=lithography")).GetProperty("facets").GetProperty("category")
            .EnumerateArray().Sum(v => v.GetProperty("count").GetInt32());
        Assert.InRange(lithography, 50, 150);
    }
}

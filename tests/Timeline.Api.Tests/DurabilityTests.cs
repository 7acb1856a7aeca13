using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Nothing lost under load: concurrent writers and readers (and, on SQLite, a crash in the middle of an import: DurabilityTests.Sqlite.cs).</summary>
public partial class DurabilityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Concurrent_writers_never_lose_an_update_and_readers_never_see_half_a_change()
    {
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(SyntheticDataset.Build(10))).LoggingTo(output);

        // One server for every client: WebApplicationFactory starts its server on the first CreateClient, and
        // clients created at once from several threads before that could each start a server of their own.
        using var first = app.CreateClient();
        const string target = "/events/event-000";
        const int writers = 6;
        const int writesEach = 8;
        var accepted = new ConcurrentBag<string>();
        var conflicts = 0;
        var halfSeen = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        async Task WriteAsync(int writer)
        {
            using var client = app.CreateClient(TimelineApp.EditorKey);
            for (var n = 0; n < writesEach;)
            {
                var etag = await client.ETagAsync(target);
                var mark = $"writer {writer} write {n}";
                using var response = await client.SendJsonAsync(
                    HttpMethod.Patch, target, new JsonObject { ["title"] = mark, ["summary"] = mark, ["tags"] = new JsonArray($"w{writer}-{n}") }, etag, "application/merge-patch+json");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    accepted.Add(mark);
                    n++;
                }
                else
                {
                    Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
                    Interlocked.Increment(ref conflicts);
                }
            }
        }

        async Task ReadAsync()
        {
            using var client = app.CreateClient();
            while (!stop.IsCancellationRequested)
            {
                // Every write sets title, summary and tag together: a reader sees all three from one write, or the seed.
                var detail = await client.GetJsonAsync(target);
                if (!Consistent(detail))
                {
                    halfSeen.Add(detail.ToString());
                }

                var listed = (await client.GetJsonAsync("/events?limit=200")).GetProperty("items").EnumerateArray().Single(e => e.GetProperty("id").GetString() == "event-000");
                if (!Consistent(listed))
                {
                    halfSeen.Add(listed.ToString());
                }
            }
        }

        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(ReadAsync)).ToList();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(w))));
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        using var reader = app.CreateClient();
        Assert.Empty(halfSeen);
        Assert.Equal(writers * writesEach, accepted.Count);
        var final = await reader.GetJsonAsync(target);
        Assert.Equal(1 + accepted.Count, final.GetProperty("version").GetInt32());
        var revisions = (await reader.GetJsonAsync($"{target}/revisions")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(1 + accepted.Count, revisions.Count);
        Assert.Equal(Enumerable.Range(1, 1 + accepted.Count), revisions.Select(r => r.GetProperty("version").GetInt32()));

        // Every accepted write is in the history exactly once, and so in the change feed.
        var titles = new List<string>();
        for (var v = 2; v <= 1 + accepted.Count; v++)
        {
            titles.Add((await reader.GetJsonAsync($"{target}/revisions/{v}")).GetProperty("document").GetProperty("title").GetString()!);
        }

        Assert.Equal(accepted.Order(), titles.Order());
        var feed = (await reader.AllChangesAsync()).Where(c => c.GetProperty("id").GetString() == "event-000").ToList();
        Assert.Equal(1 + accepted.Count, feed.Count);
        Assert.Equal(titles[^1], final.GetProperty("title").GetString());
    }

    private static bool Consistent(System.Text.Json.JsonElement e)
    {
        var title = e.GetProperty("title").GetString()!;
        var summary = e.GetProperty("summary").GetString()!;
        var tags = e.GetProperty("tags").Strings();
        if (title == "Event 0")
        {
            return summary == "A synthetic event." && tags.SequenceEqual(["even"]);
        }

        var parts = title.Split(' ');
        return summary == title && tags.SequenceEqual([$"w{parts[1]}-{parts[3]}"]);
    }
}

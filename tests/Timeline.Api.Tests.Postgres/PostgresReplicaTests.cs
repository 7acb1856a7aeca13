using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Two API instances on one PostgreSQL database, as two replicas behind a proxy: a write through one is seen by the other
/// within Timeline:DataVersionRefreshMilliseconds, and from then on the other serves no answer it kept from before the
/// write (not from its response cache, not as a 304 for an older ETag).
/// </summary>
public class PostgresReplicaTests(ITestOutputHelper output)
{
    private const int RefreshMilliseconds = 400;

    /// <summary>A replica: the database of <paramref name="shared"/> when given (another replica's), else its own.</summary>
    private sealed class ReplicaApp(string seedPath, string? shared) : TimelineApp(seedPath)
    {
        public string Database => shared ?? PostgresConnectionString!;

        protected override void ConfigureSettings(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:Timeline", Database);
            builder.UseSetting("Timeline:DataVersionRefreshMilliseconds", RefreshMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task A_write_through_one_replica_is_seen_by_the_other_within_the_refresh_interval_and_nothing_stale_is_served_after()
    {
        var dataset = SyntheticDataset.Write(SyntheticDataset.Build(20));
        using var first = new ReplicaApp(dataset, shared: null).LoggingTo(output);
        using var writer = first.CreateClient(TimelineApp.EditorKey);
        using var second = new ReplicaApp(dataset, first.Database).LoggingTo(output);
        using var reader = second.CreateClient();

        // The second replica keeps its answers: the list in its response cache, the event with its own ETag.
        const string list = "/events?category=sanction&limit=200";
        using var listBefore = await reader.GetAsync(list);
        var listETag = listBefore.Headers.ETag!.ToString();
        var listBody = await listBefore.Content.ReadAsStringAsync();
        Assert.Equal(listBody, await reader.GetStringAsync(list));
        using var eventBefore = await reader.GetAsync("/events/event-000");
        var eventETag = eventBefore.Headers.ETag!.ToString();
        Assert.StartsWith("\"1.", eventETag, StringComparison.Ordinal);
        var versionBefore = (await reader.GetJsonAsync("/version")).GetProperty("dataVersion").GetInt64();

        // A write through the first replica (If-Match with the ETag the second replica served: one database, one truth).
        const string title = "Retitled through the other replica";
        using var patched = await writer.SendJsonAsync(HttpMethod.Patch, "/events/event-000", new JsonObject { ["title"] = title }, eventETag, "application/merge-patch+json");
        await patched.AssertStatusAsync(HttpStatusCode.OK);
        var committed = Stopwatch.GetTimestamp();

        // The second replica sees it within the interval: how soon is logged; that it has by the end of it is asserted.
        var seenAfter = TimeSpan.MaxValue;
        while (Stopwatch.GetElapsedTime(committed) < TimeSpan.FromMilliseconds(RefreshMilliseconds))
        {
            if ((await reader.GetStringAsync(list)).Contains(title, StringComparison.Ordinal))
            {
                seenAfter = Stopwatch.GetElapsedTime(committed);
                break;
            }

            await Task.Delay(25);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(RefreshMilliseconds) - Stopwatch.GetElapsedTime(committed) is { } rest && rest > TimeSpan.Zero ? rest : TimeSpan.Zero);
        output.WriteLine(seenAfter == TimeSpan.MaxValue
            ? $"not seen by the polling within {RefreshMilliseconds} ms"
            : $"seen by the other replica {seenAfter.TotalMilliseconds:F0} ms after the write committed (refresh interval {RefreshMilliseconds} ms)");

        // From the end of the interval on, every answer of the second replica is the new one, again and again.
        for (var round = 0; round < 5; round++)
        {
            var listAfter = await reader.GetStringAsync(list);
            Assert.Contains(title, listAfter, StringComparison.Ordinal);
            Assert.NotEqual(listBody, listAfter);

            using var eventAfter = await reader.GetAsync("/events/event-000");
            Assert.Contains(title, await eventAfter.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(patched.Headers.ETag, eventAfter.Headers.ETag);

            // The ETags it served before the write are no longer current: a full answer, never a 304.
            using var staleList = new HttpRequestMessage(HttpMethod.Get, list);
            staleList.Headers.TryAddWithoutValidation("If-None-Match", listETag);
            using var listAnswer = await reader.SendAsync(staleList);
            Assert.Equal(HttpStatusCode.OK, listAnswer.StatusCode);
            Assert.NotEqual(listETag, listAnswer.Headers.ETag!.ToString());

            using var staleEvent = new HttpRequestMessage(HttpMethod.Get, "/events/event-000");
            staleEvent.Headers.TryAddWithoutValidation("If-None-Match", eventETag);
            using var eventAnswer = await reader.SendAsync(staleEvent);
            Assert.Equal(HttpStatusCode.OK, eventAnswer.StatusCode);

            Assert.True((await reader.GetJsonAsync("/version")).GetProperty("dataVersion").GetInt64() > versionBefore);
            await Task.Delay(RefreshMilliseconds / 4);
        }

        // And the other way round: the first replica refuses the ETag the second served before the write.
        using var lost = await writer.SendJsonAsync(HttpMethod.Patch, "/events/event-000", new JsonObject { ["title"] = "A lost update" }, eventETag, "application/merge-patch+json");
        await lost.AssertStatusAsync(HttpStatusCode.PreconditionFailed);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Nothing lost under load: concurrent writers and readers, and a crash in the middle of an import.</summary>
public class DurabilityTests(ITestOutputHelper output)
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

    [Fact]
    public async Task A_crash_in_the_middle_of_an_import_leaves_the_store_as_it_was()
    {
        var folder = Directory.CreateTempSubdirectory("timeline-crash-").FullName;
        var database = Path.Combine(folder, "timeline.db");
        var small = SyntheticDataset.Write(SyntheticDataset.Build(10));
        var big = Path.Combine(folder, "big.json");
        var bigDataset = SyntheticDataset.Build(25_000);
        await File.WriteAllTextAsync(big, bigDataset.ToJsonString());

        await RunApiAsync(database, small, ["validate"], waitForExit: true);
        await RunApiAsync(database, small, ["reseed"], waitForExit: true);
        var before = await CountAsync(database);
        Assert.Equal(10, before.Events);

        // Import the big file in another process and kill it while its one transaction is writing: the import
        // reports every 10,000 events written, long before it commits.
        using var import = await RunApiAsync(database, small, ["import", big], waitForExit: false);
        var watch = Stopwatch.StartNew();
        while (!import.HasExited && !Output.Any(line => line.Contains("10,000 / 25,000 events written", StringComparison.Ordinal)) && watch.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(5);
        }

        Assert.False(import.HasExited, $"the import ended (exit {(import.HasExited ? import.ExitCode : 0)}) before it could be interrupted: {string.Join(" | ", Output)}");
        import.Kill(entireProcessTree: true);
        await import.WaitForExitAsync();

        var after = await CountAsync(database);
        Assert.Equal("ok", after.Integrity);
        Assert.Equal(before, after with { Integrity = before.Integrity });

        using var app = new TimelineAppOnFile(database, small);
        using var client = app.CreateClient();
        Assert.Equal(10, (await client.GetJsonAsync("/events?limit=200")).Ids().Count);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
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

    private static readonly ConcurrentQueue<string> Output = new();

    private sealed record Counts(long Events, long Revisions, long Fts, long DataVersion, string Integrity);

    private static async Task<Counts> CountAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM revisions), (SELECT COUNT(*) FROM events_fts),
                   (SELECT data_version FROM store_state), (SELECT integrity_check FROM pragma_integrity_check);
            """;
        using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return new Counts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4));
    }

    /// <summary>Runs the built API (the same build the tests use) as its own process with a command.</summary>
    private static async Task<Process> RunApiAsync(string database, string seed, string[] command, bool waitForExit)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Timeline.Api.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var part in command)
        {
            start.ArgumentList.Add(part);
        }

        start.ArgumentList.Add($"--Timeline:DatabasePath={database}");
        start.ArgumentList.Add($"--Timeline:SeedPath={seed}");
        var process = Process.Start(start)!;
        if (!waitForExit)
        {
            // Drained as it comes, so the child never blocks on a full pipe; kept for the failure message.
            process.OutputDataReceived += (_, e) => Output.Enqueue(e.Data ?? string.Empty);
            process.ErrorDataReceived += (_, e) => Output.Enqueue(e.Data ?? string.Empty);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        if (waitForExit)
        {
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{string.Join(' ', command)} exited {process.ExitCode}: {output}");
            process.Dispose();
        }

        return process;
    }
}

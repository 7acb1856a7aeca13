using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;

namespace Timeline.Api.Tests;

/// <summary>
/// The SQLite file after a crash: an import killed in the middle of its one transaction leaves the file as it was, whole
/// (integrity check, search index). Engine-only: the durability of the SQLite file (tests/Timeline.Api.Tests.Postgres lists it).
/// </summary>
public partial class DurabilityTests
{
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

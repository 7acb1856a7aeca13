using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ClientSession;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// The contract as an integrator meets it: the app on Kestrel, its served document (/openapi/v1.json), clients generated
/// from it by Kiota and NSwag (the dotnet tools pinned in .config/dotnet-tools.json), and a scripted session
/// (tests/Clients/ClientSession) built on them and run against the server. Every step goes through a generated client's
/// typed methods; a step they cannot do is a bug in the document. The session prints one line of facts per step, compared
/// here with what the server answers to plain HTTP.
/// </summary>
public sealed class GeneratedClientTests(ITestOutputHelper output)
{
    private static readonly string[] Clients = ["kiota", "nswag"];

    /// <summary>Kiota's default structured media types, plus the CSV and iCalendar exports' (README, Generated clients).</summary>
    private static readonly string[] KiotaMediaTypes =
        ["application/json;q=1", "text/plain;q=0.9", "text/csv;q=0.5", "text/calendar;q=0.5", "application/x-www-form-urlencoded;q=0.2", "multipart/form-data;q=0.1"];

    [DotnetToolsFact]
    public async Task Clients_generated_by_Kiota_and_NSwag_from_the_served_document_run_a_whole_session_through_their_typed_methods()
    {
        var clock = Stopwatch.StartNew();
        using var app = TimelineApp.WithDatasetOnPort(RepositoryFiles.ReferenceDataset, FreePort()).LoggingTo(output);
        app.StartOnKestrel();
        using var http = new HttpClient { BaseAddress = new Uri(app.KestrelAddress!) };
        var expected = await ExpectedSessionAsync(http);

        var work = Directory.CreateTempSubdirectory("timeline-clients-").FullName;
        try
        {
            var document = Path.Combine(work, "v1.json");
            await File.WriteAllTextAsync(document, await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
            var session = CopySession(work);
            var generated = Path.Combine(session, "Generated");

            output.WriteLine($"server up, document read in {clock.Elapsed.TotalSeconds:0.0} s");

            // Both generators at once, from the repository root, where the tool manifest is, while the session restores.
            await Task.WhenAll(
                Dotnet.RunAsync(session, ["restore", "--nologo", "-v:q"], TimeSpan.FromMinutes(5)),
                Dotnet.RunAsync(
                    RepositoryFiles.Root,
                    ["tool", "run", "kiota", "generate", "--language", "CSharp", "--openapi", document, "--output", Path.Combine(generated, "Kiota"),
                        "--class-name", "TimelineClient", "--namespace-name", "Timeline.KiotaClient", "--exclude-backward-compatible", "--clean-output",
                        // The exports' media types among the structured ones: with a 304 declared beside their 200, Kiota otherwise makes their methods void.
                        .. KiotaMediaTypes.SelectMany(m => new[] { "--structured-mime-types", m })],
                    TimeSpan.FromMinutes(2)),
                Dotnet.RunAsync(
                    RepositoryFiles.Root,
                    ["tool", "run", "nswag", "openapi2csclient", $"/input:{document}", $"/output:{Path.Combine(generated, "NSwag", "TimelineClient.cs")}",
                        "/namespace:Timeline.NSwagClient", "/className:TimelineClient", "/wrapResponses:true", "/generateOptionalParameters:true"],
                    TimeSpan.FromMinutes(2)));
            output.WriteLine($"generated and restored in {clock.Elapsed.TotalSeconds:0.0} s");

            await Dotnet.RunAsync(session, ["build", "--no-restore", "--nologo", "-nodeReuse:false", "-v:q", "-clp:ErrorsOnly"], TimeSpan.FromMinutes(5));
            output.WriteLine($"built in {clock.Elapsed.TotalSeconds:0.0} s");

            var run = await Dotnet.RunAsync(
                session, [Path.Combine(session, "bin", "Debug", "net10.0", "ClientSession.dll"), app.KestrelAddress!, TimelineApp.EditorKey], TimeSpan.FromMinutes(2));
            output.WriteLine($"session ran in {clock.Elapsed.TotalSeconds:0.0} s:{Environment.NewLine}{run}");

            var lines = run.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(Clients.SelectMany(c => expected.Select(line => $"{c} {line.Replace("{client}", c, StringComparison.Ordinal)}")), lines);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        // What the sessions wrote is there, restored, as plain HTTP reads it.
        foreach (var client in Clients)
        {
            using var written = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/events/{Script.NewEventId(client)}", UriKind.Relative)));
            Assert.Equal(4, written.RootElement.GetProperty("version").GetInt32());
            Assert.Equal(Script.PatchedSummary, written.RootElement.GetProperty("summary").GetString());
        }
    }

    /// <summary>The lines a session prints (less its client's name), from the server's own answers to plain HTTP.</summary>
    private static async Task<List<string>> ExpectedSessionAsync(HttpClient http)
    {
        async Task<JsonElement> Json(string url)
        {
            using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, UriKind.Relative)));
            return document.RootElement.Clone();
        }

        var filter = $"entity={Script.Entity}&category=corporate&category=statement";
        var listed = (await Json($"/events?{filter}&limit=50")).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.True(listed.Count > Script.PageSize, "the list must take several pages");
        var pages = (listed.Count + Script.PageSize - 1) / Script.PageSize;

        var detail = await Json($"/events/{Script.EventId}");
        var citation = detail.GetProperty("citations")[0];
        var search = await Json($"/search?q={Script.SearchQuery}&limit={Script.SearchLimit}");
        var hits = search.GetProperty("events");
        var facets = (await Json($"/events/facets?facet=category&entity={Script.Entity}")).GetProperty("facets").GetProperty("category").EnumerateArray();
        var csv = Lines(await http.GetStringAsync(new Uri($"/events.csv?entity={Script.ExportEntity}", UriKind.Relative)));
        var ics = Lines(await http.GetStringAsync(new Uri($"/events.ics?entity={Script.ExportEntity}", UriKind.Relative)));

        return
        [
            $"list {pages} pages: {string.Join(",", listed)}",
            $"event {detail.GetProperty("id")} {detail.GetProperty("date")} {detail.GetProperty("datePrecision")} citations={detail.GetProperty("citations").GetArrayLength()} {citation.GetProperty("sourceId")}@{citation.GetProperty("startOffset")}-{citation.GetProperty("endOffset")}",
            $"search {Script.SearchQuery} events={string.Join(",", hits.GetProperty("items").EnumerateArray().Select(h => h.GetProperty("id").GetString()))} more={(hits.GetProperty("more").GetBoolean() ? "True" : "False")}",
            $"facets category {string.Join(",", facets.Select(v => $"{v.GetProperty("value")}={v.GetProperty("count")}"))}",
            $"csv {csv.Count} lines, header {csv[0].Split(',')[0]}",
            $"ics {ics[0]} {ics.Count(l => l == "BEGIN:VEVENT")} events",
            "created client-session-{client} version=1 etag=yes",
            $"patched version=2 summary={Script.PatchedSummary}",
            "stale 412 412",
            "deleted, then 410",
            $"restored client-session-{{client}} version=4 summary={Script.PatchedSummary}",
            "done",
        ];
    }

    /// <summary>Lines as the session reads them (StreamReader.ReadLine: CR, LF or CRLF ends one).</summary>
    private static List<string> Lines(string text)
    {
        using var reader = new StringReader(text);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>
    /// tests/Clients copied into the work folder, with the root Directory.Packages.props beside it: the session restores the
    /// versions pinned there, and tests/Clients/Directory.Build.props (not the root one) sets its build.
    /// </summary>
    private static string CopySession(string work)
    {
        var clients = Path.Combine(RepositoryFiles.Root, "tests", "Clients");
        foreach (var file in Directory.EnumerateFiles(clients, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(clients, file);
            var top = relative.Split(Path.DirectorySeparatorChar);
            if (top.Any(part => part is "bin" or "obj" or "Generated"))
            {
                continue;
            }

            var target = Path.Combine(work, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        File.Copy(Path.Combine(RepositoryFiles.Root, "Directory.Packages.props"), Path.Combine(work, "Directory.Packages.props"));
        return Path.Combine(work, "ClientSession");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Runs the dotnet CLI (the one running the tests) as a child process, outside this test run's MSBuild settings.</summary>
internal static class Dotnet
{
    public static string Path { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Runs it, and returns its standard output; a non-zero exit or a timeout fails with everything it printed.</summary>
    public static async Task<string> RunAsync(string directory, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var (code, stdout, stderr) = await TryRunAsync(directory, arguments, timeout);
        if (code != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} exited with {code}:{Environment.NewLine}{stdout}{Environment.NewLine}{stderr}");
        }

        return stdout;
    }

    public static async Task<(int Code, string Stdout, string Stderr)> TryRunAsync(string directory, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = ChildProcess.Start(Path, directory, arguments);

        // The test run's own MSBuild settings (set by `dotnet test`) would steer a nested build; the child starts clean.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        // Kiota asks GitHub for a newer version on every run, which fails (and is noise) without that network.
        start.Environment["KIOTA_UPDATE_DISABLED"] = "true";
        start.Environment["KIOTA_OFFLINE_ENABLED"] = "true";

        return await ChildProcess.RunAsync(start, timeout);
    }
}

/// <summary>
/// A test that needs the dotnet tools pinned in .config/dotnet-tools.json (Kiota and NSwag): skipped, saying how to get them,
/// only where `dotnet tool restore` fails (no NuGet source reachable). CI reaches NuGet, so there it runs.
/// </summary>
public sealed class DotnetToolsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> RestoreFailure = new(() =>
    {
        try
        {
            var (code, stdout, stderr) = Dotnet.TryRunAsync(RepositoryFiles.Root, ["tool", "restore"], TimeSpan.FromMinutes(3)).GetAwaiter().GetResult();
            return code == 0 ? null : $"{stdout}{stderr}".Trim().Split('\n').LastOrDefault() ?? $"exit code {code}";
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            return e.Message;
        }
    });

    public DotnetToolsFactAttribute()
    {
        if (RestoreFailure.Value is { } failure)
        {
            Skip = $"Needs the dotnet tools of .config/dotnet-tools.json (Kiota 1.38.0, NSwag 14.8.0): run 'dotnet tool restore' at the repository root with a NuGet source reachable ({failure}).";
        }
    }
}

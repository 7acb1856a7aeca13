using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// A standard OpenAPI linter, Redocly CLI with its recommended rules, finds no error in the served document
/// (/openapi/v1.json). Its warnings are written to the test's output. Runs through npx (Node.js and npm; .ci/run installs
/// them where they are missing); the CLI's version is pinned here.
/// </summary>
public sealed class OpenApiLintTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    /// <summary>
    /// The linter, pinned: a new version may add rules. Redocly CLI 2.x needs Node.js 20.19 or later; where an older
    /// Node.js is installed (Debian 12's own package is 18.19), the last 1.x release, which needs 18.17, lints instead.
    /// </summary>
    public static string RedoclyCli { get; } = NodeVersion() >= new Version(20, 19) ? "@redocly/cli@2.77.0" : "@redocly/cli@1.34.5";

    private static Version NodeVersion()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = node.StandardOutput.ReadToEnd().Trim().TrimStart('v');
            node.WaitForExit();
            return Version.TryParse(text, out var version) ? version : new Version(0, 0);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new Version(0, 0);
        }
    }

    private readonly TimelineApp app = fixture.LoggingTo(output);

    [NpxFact]
    public async Task Redocly_lint_finds_no_error_in_the_served_document()
    {
        using var client = app.CreateClient();
        var work = Directory.CreateTempSubdirectory("timeline-lint-").FullName;
        try
        {
            var document = Path.Combine(work, "openapi.json");
            await File.WriteAllTextAsync(document, await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

            var (code, stdout, stderr) = await NpxFactAttribute.RunAsync(work, ["--yes", RedoclyCli, "lint", document, "--format=json"], TimeSpan.FromMinutes(5));
            var json = stdout.IndexOf('{', StringComparison.Ordinal) is var start and >= 0
                ? stdout[start..]
                : throw new InvalidOperationException($"npx {RedoclyCli} printed no report (exit code {code}):{Environment.NewLine}{stdout}{Environment.NewLine}{stderr}");
            using var report = JsonDocument.Parse(json);

            var problems = report.RootElement.GetProperty("problems").EnumerateArray()
                .Select(p => (Severity: p.GetProperty("severity").GetString(), Line: $"{p.GetProperty("ruleId").GetString()} at {p.GetProperty("location")[0].GetProperty("pointer").GetString()}: {p.GetProperty("message").GetString()}"))
                .ToList();
            foreach (var (severity, line) in problems)
            {
                output.WriteLine($"{severity}: {line}");
            }

            Assert.Empty(problems.Where(p => p.Severity == "error").Select(p => p.Line));
            Assert.Equal(0, report.RootElement.GetProperty("totals").GetProperty("errors").GetInt32());
            Assert.Equal(0, code);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

/// <summary>A test that runs a package from the npm registry through npx: skipped, saying how to install it, where npx is missing.</summary>
public sealed class NpxFactAttribute : FactAttribute
{
    public static string? NpxPath { get; } = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => Path.Combine(folder, "npx"))
        .FirstOrDefault(File.Exists);

    public NpxFactAttribute()
    {
        if (NpxPath is null)
        {
            Skip = "Needs npx (Node.js 20.19 or later, and npm): install them with 'apt-get install nodejs npm' (or from nodejs.org); .ci/run does.";
        }
    }

    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string directory, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = ChildProcess.Start(NpxPath!, directory, arguments);

        // No telemetry, no update notices: a test run talks to the npm registry only to fetch the pinned package.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_UPDATE_NOTIFIER"] = "1";

        return await ChildProcess.RunAsync(start, timeout);
    }
}

using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>GET /version says what runs and what it serves.</summary>
public class VersionTests(OperationsApp fixture, ITestOutputHelper output) : IClassFixture<OperationsApp>
{
    private readonly OperationsApp app = fixture.LoggingTo(output);

    [Fact]
    public async Task Version_names_the_build_the_commit_the_schema_and_the_dataset_counts()
    {
        using var client = app.CreateClient();

        var version = await client.GetJsonAsync("/version");

        Assert.Matches(@"^\d+\.\d+\.\d+", version.GetProperty("version").GetString());
        Assert.Matches("^([0-9a-f]{7,40}|unknown)$", version.GetProperty("commit").GetString());
        Assert.StartsWith(".NET", version.GetProperty("runtime").GetString(), StringComparison.Ordinal);
        Assert.Equal(TestStore.LatestSchemaVersion, version.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(TestStore.LatestSchemaVersion, version.GetProperty("expectedSchemaVersion").GetInt32());
        Assert.True(version.GetProperty("dataVersion").GetInt64() > 0);

        using var dataset = JsonDocument.Parse(await File.ReadAllTextAsync(RepositoryFiles.ReferenceDataset));
        var counts = version.GetProperty("counts");
        Assert.Equal(dataset.RootElement.GetProperty("events").GetArrayLength(), counts.GetProperty("events").GetInt32());
        Assert.Equal(dataset.RootElement.GetProperty("entities").GetArrayLength(), counts.GetProperty("entities").GetInt32());
        Assert.Equal(dataset.RootElement.GetProperty("sources").GetArrayLength(), counts.GetProperty("sources").GetInt32());
        var citations = dataset.RootElement.GetProperty("events").EnumerateArray().Sum(e => e.GetProperty("citations").GetArrayLength());
        Assert.Equal(citations, counts.GetProperty("citations").GetInt32());
    }

    [Fact]
    public async Task The_commit_is_the_one_the_build_embedded()
    {
        using var client = app.CreateClient();
        var informational = typeof(Program).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;

        var version = await client.GetJsonAsync("/version");

        Assert.Equal(informational, $"{version.GetProperty("version").GetString()}+{version.GetProperty("commit").GetString()}".Replace("+unknown", string.Empty, StringComparison.Ordinal));
    }
}

/// <summary>One structured log line per request, and JSON on the console.</summary>
public class RequestLogTests(OperationsApp fixture, ITestOutputHelper output) : IClassFixture<OperationsApp>
{
    private readonly OperationsApp app = fixture.LoggingTo(output);

    [Fact]
    public async Task Each_request_is_logged_once_with_method_route_template_status_duration_and_client()
    {
        using var client = app.ClientFrom("192.0.2.80");

        using var response = await client.GetAsync("/entities/smic?x=secret-in-query");

        var line = Assert.Single(app.Logs.Requests, e => (string?)e.State["Client"] == "192.0.2.80");
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("GET", line.State["Method"]);
        Assert.Equal("/entities/{id}", line.State["Route"]);
        Assert.Equal("/entities/smic", line.State["Path"]);
        Assert.Equal((int)response.StatusCode, line.State["Status"]);
        Assert.IsType<double>(line.State["DurationMs"]);
        Assert.True((double)line.State["DurationMs"]! >= 0);
        Assert.DoesNotContain("secret-in-query", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_and_refusals_are_logged_with_their_status_and_the_key_that_made_them()
    {
        using var anonymous = app.ClientFrom("192.0.2.81");
        using var editor = app.ClientFrom("192.0.2.82", app.EditorKey);

        (await anonymous.GetAsync("/events?limit=0")).Dispose();
        (await anonymous.GetAsync("/no/such/route")).Dispose();
        (await editor.PostAsync("/admin/backup", null)).Dispose();

        var anonymousLines = app.Logs.Requests.Where(e => (string?)e.State["Client"] == "192.0.2.81").ToList();
        Assert.Contains(anonymousLines, e => e.State["Status"] is 400 && (string?)e.State["Route"] == "/events/");
        Assert.Contains(anonymousLines, e => e.State["Status"] is 404 && (string?)e.State["Route"] == "(no route)");
        var editorLine = Assert.Single(app.Logs.Requests, e => (string?)e.State["Client"] == "192.0.2.82");
        Assert.Equal(403, editorLine.State["Status"]);
        Assert.Equal("ops-editor", editorLine.State["Key"]);
    }

    [Theory]
    [InlineData("/events/a%0AHTTP%20GET%20/admin/backup%20responded%20200", "\n", "a\\u000AHTTP GET /admin/backup")]
    [InlineData("/events/a%0D%0Aforged", "\r", "a\\u000D\\u000Aforged")]
    [InlineData("/events/%1B%5B31mred%1B%5B0m", "\u001b", "\\u001B[31mred")]
    [InlineData("/events/right%E2%80%AEtxt.exe", "\u202e", "right\\u202Etxt.exe")]
    [InlineData("/events/back%5Cslash%0A", "\n", "back\\\\slash\\u000A")]
    public async Task Request_values_are_logged_neutralised_so_no_path_forges_a_line_or_reaches_the_console_raw(string path, string raw, string logged)
    {
        var peer = $"192.0.2.{90 + Math.Abs(path.GetHashCode(StringComparison.Ordinal) % 100)}";
        using var client = app.ClientFrom(peer);

        (await client.GetAsync(path)).Dispose();

        var line = Assert.Single(app.Logs.Requests, e => (string?)e.State["Client"] == peer && ((string?)e.State["Path"])!.StartsWith("/events/", StringComparison.Ordinal) && ((string?)e.State["Path"])!.Contains(logged, StringComparison.Ordinal));
        Assert.DoesNotContain(raw, (string?)line.State["Path"], StringComparison.Ordinal);
        Assert.DoesNotContain(raw, line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(line.Message, char.IsControl);
    }

    [Fact]
    public void The_console_writes_JSON_unless_configuration_chooses_another_formatter()
    {
        Assert.Equal(ConsoleFormatterNames.Json, app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);

        using var simple = new SimpleConsoleApp().LoggingTo(output);
        Assert.Equal(ConsoleFormatterNames.Simple, simple.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    private sealed class SimpleConsoleApp() : OperationsApp(new Dictionary<string, string> { ["Logging:Console:FormatterName"] = "simple" });
}

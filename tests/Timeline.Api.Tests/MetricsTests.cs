using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// GET /metrics (OpenTelemetry's Prometheus exporter), read back with a strict parser of the Prometheus text format. Every
/// value asserted is one that requests made here moved: meters are process-wide and other tests' apps run at the same time,
/// so a leak from another app would show as a wrong count.
/// </summary>
public class MetricsTests(OperationsApp fixture, ITestOutputHelper output) : IClassFixture<OperationsApp>
{
    private readonly OperationsApp app = fixture.LoggingTo(output);

    [Fact]
    public async Task Metrics_are_Prometheus_text_that_parses_line_by_line()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var samples = MetricsText.Parse(await response.Content.ReadAsStringAsync());
        Assert.NotEmpty(samples);
    }

    [Fact]
    public async Task Requests_are_counted_by_route_template_method_and_status()
    {
        using var client = app.CreateClient();
        var before = await ScrapeAsync(client);
        (await client.GetAsync("/entities/smic")).Dispose();
        (await client.GetAsync("/entities/huawei")).Dispose();
        (await client.GetAsync("/entities/no-such-entity")).Dispose();

        (string, string)[] ok = [("http_route", "/entities/{id}"), ("http_request_method", "GET"), ("http_response_status_code", "200")];
        (string, string)[] notFound = [("http_route", "/entities/{id}"), ("http_request_method", "GET"), ("http_response_status_code", "404")];

        // The server records a request's duration as the request ends, which can be just after the client has the
        // response: scrape until the last one is in (or give up after a while and let the assertions say what is missing).
        var after = await ScrapeAsync(client);
        for (var i = 0; i < 100 && MetricsText.Value(after, "http_server_request_duration_seconds_count", notFound) - MetricsText.Value(before, "http_server_request_duration_seconds_count", notFound) < 1; i++)
        {
            await Task.Delay(20);
            after = await ScrapeAsync(client);
        }

        Assert.Equal(2, MetricsText.Value(after, "http_server_request_duration_seconds_count", ok) - MetricsText.Value(before, "http_server_request_duration_seconds_count", ok));
        Assert.Equal(1, MetricsText.Value(after, "http_server_request_duration_seconds_count", notFound) - MetricsText.Value(before, "http_server_request_duration_seconds_count", notFound));
        Assert.Equal(
            MetricsText.Value(after, "http_server_request_duration_seconds_count", ok),
            MetricsText.Value(after, "http_server_request_duration_seconds_bucket", [.. ok, ("le", "+Inf")]));
    }

    [Fact]
    public async Task Database_statement_durations_are_recorded_by_operation()
    {
        using var client = app.CreateClient();
        var before = MetricsText.Value(await ScrapeAsync(client), "timeline_db_statement_duration_seconds_count", ("db_operation", "select"));
        (await client.GetAsync("/events?category=sanction")).Dispose();

        var text = await ScrapeAsync(client);
        var after = MetricsText.Value(text, "timeline_db_statement_duration_seconds_count", ("db_operation", "select"));

        Assert.True(after > before, $"select statements: {before} then {after}");
        Assert.Contains(MetricsText.Parse(text), s => s.Name == "timeline_db_statement_duration_seconds_bucket" && s.Labels.GetValueOrDefault("le") == "0.001");
        Assert.True(MetricsText.Value(text, "timeline_db_statement_duration_seconds_count", ("db_operation", "insert")) > 0, "the seed's inserts");
    }

    [Fact]
    public async Task The_store_gauges_count_what_the_API_serves()
    {
        using var client = app.CreateClient();
        var text = await ScrapeAsync(client);
        var version = await client.GetJsonAsync("/version");
        var sources = await client.GetJsonAsync("/sources");

        Assert.Equal(version.GetProperty("counts").GetProperty("events").GetInt64(), MetricsText.Value(text, "timeline_store_records", ("table", "events")));
        Assert.Equal(sources.GetProperty("items").GetArrayLength(), MetricsText.Value(text, "timeline_store_records", ("table", "sources")));
        Assert.Equal(version.GetProperty("dataVersion").GetInt64(), MetricsText.Value(text, "timeline_store_data_version"));
        Assert.Equal(1, MetricsText.Value(text, "timeline_build_info", ("commit", version.GetProperty("commit").GetString()!)));
        Assert.True(MetricsText.Value(text, "timeline_store_file_bytes", ("file", "database")) > 0);
    }

    [Fact]
    public async Task The_stores_series_carry_the_engine_as_a_label()
    {
        using var client = app.CreateClient();
        (await client.GetAsync($"/events?category=sanction&limit={Random.Shared.Next(2, 40)}")).Dispose();
        var samples = MetricsText.Parse(await ScrapeAsync(client));
        string[] storeSeries = ["timeline_store_records", "timeline_store_data_version", "timeline_store_schema_version", "timeline_store_file_bytes", "timeline_build_info", "timeline_db_statement_duration_seconds_count"];

        foreach (var name in storeSeries)
        {
            var series = samples.Where(s => s.Name == name).ToList();
            Assert.NotEmpty(series);
            Assert.All(series, s => Assert.Equal(TimelineApp.Engine, s.Labels.GetValueOrDefault("engine")));
        }
    }

    [Fact]
    public async Task Metrics_answer_OpenMetrics_when_the_scraper_asks_for_it()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE timeline_store_records gauge", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_reads_the_store_adds_statement_samples_with_their_durations()
    {
        using var client = app.CreateClient();
        (string, string)[] select = [("db_operation", "select")];
        var before = await ScrapeAsync(client);

        // A query of its own, so that no cached answer serves it: the store must run its statements.
        (await client.GetAsync($"/events?q=sanctions&limit={Random.Shared.Next(2, 40)}")).Dispose();
        var after = await ScrapeAsync(client);

        var count = MetricsText.Value(after, "timeline_db_statement_duration_seconds_count", select) - MetricsText.Value(before, "timeline_db_statement_duration_seconds_count", select);
        Assert.True(count >= 1, $"select statements counted: {count}");
        Assert.Equal(
            MetricsText.Value(after, "timeline_db_statement_duration_seconds_count", select),
            MetricsText.Value(after, "timeline_db_statement_duration_seconds_bucket", [.. select, ("le", "+Inf")]));
        Assert.True(MetricsText.Value(after, "timeline_db_statement_duration_seconds_sum", select) >= MetricsText.Value(before, "timeline_db_statement_duration_seconds_sum", select));
    }

    [Fact]
    public async Task A_write_moves_the_store_gauges_at_the_next_scrape()
    {
        using var own = new TimelineApp();
        using var client = own.CreateClient(TimelineApp.EditorKey);
        var before = await ScrapeAsync(client);
        var seeded = (await client.GetJsonAsync("/version")).GetProperty("counts").GetProperty("entities").GetInt64();

        var entity = new JsonObject { ["id"] = "asml", ["name"] = "ASML", ["kind"] = "company", ["country"] = "NL", ["description"] = "Lithography equipment maker." };
        using var created = await client.SendJsonAsync(HttpMethod.Post, "/entities", entity);
        await created.AssertStatusAsync(HttpStatusCode.Created);
        var after = await ScrapeAsync(client);

        Assert.Equal(seeded, MetricsText.Value(before, "timeline_store_records", ("table", "entities")));
        Assert.Equal(seeded + 1, MetricsText.Value(after, "timeline_store_records", ("table", "entities")));
        Assert.True(MetricsText.Value(after, "timeline_store_data_version") > MetricsText.Value(before, "timeline_store_data_version"));
        Assert.Equal((await client.GetJsonAsync("/version")).GetProperty("dataVersion").GetInt64(), MetricsText.Value(after, "timeline_store_data_version"));
    }

    [Fact]
    public async Task The_runtime_meters_are_included()
    {
        using var client = app.CreateClient();
        var samples = MetricsText.Parse(await ScrapeAsync(client));

        Assert.Contains(samples, s => s.Name == "dotnet_gc_collections_total");
        Assert.Contains(samples, s => s.Name == "dotnet_process_memory_working_set_bytes");
    }

    [Fact]
    public async Task Metrics_are_never_answered_304_nor_carry_an_ETag()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1-0000000000000000\""));
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.ETag);
    }

    [Fact]
    public async Task Two_apps_in_one_process_never_count_each_others_requests()
    {
        using var other = new OperationsApp().LoggingTo(output);
        using var otherClient = other.CreateClient();
        using var client = app.CreateClient();
        (string, string)[] route = [("http_route", "/categories/"), ("http_response_status_code", "200")];
        var before = MetricsText.Value(await ScrapeAsync(client), "http_server_request_duration_seconds_count", route);

        for (var i = 0; i < 5; i++)
        {
            (await otherClient.GetAsync("/categories")).Dispose();
        }

        Assert.Equal(before, MetricsText.Value(await ScrapeAsync(client), "http_server_request_duration_seconds_count", route));
        Assert.Equal(5, MetricsText.Value(await ScrapeAsync(otherClient), "http_server_request_duration_seconds_count", route));
    }

    private static Task<string> ScrapeAsync(HttpClient client) => client.GetStringAsync("/metrics");
}

/// <summary>A strict reader of the Prometheus text exposition format (0.0.4), enough to check what the API writes.</summary>
public static partial class MetricsText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>Every sample; fails on any line that is not a comment, a HELP/TYPE line or a well-formed sample.</summary>
    public static List<Sample> Parse(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.True(parts.Length == 4 && NamePattern().IsMatch(parts[2]), line);
                Assert.Contains(parts[3], Types);
                Assert.True(types.TryAdd(parts[2], parts[3]), $"a second TYPE line for {parts[2]}");
                continue;
            }

            if (line.StartsWith('#'))
            {
                Assert.True(line.StartsWith("# HELP ", StringComparison.Ordinal), line);
                continue;
            }

            var match = SamplePattern().Match(line);
            Assert.True(match.Success, $"not a sample line: {line}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPattern().Matches(match.Groups["labels"].Value))
            {
                labels.Add(label.Groups["key"].Value, Regex.Unescape(label.Groups["value"].Value));
            }

            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            var name = match.Groups["name"].Value;
            var family = types.Keys.FirstOrDefault(f => name == f || (types[f] == "histogram" && name.StartsWith(f + "_", StringComparison.Ordinal)));
            Assert.True(family is not null, $"{name} has no TYPE line before it");
            samples.Add(new Sample(name, labels, value));
        }

        return samples;
    }

    /// <summary>The sum of the samples with this name whose labels include these (0 when there are none).</summary>
    public static double Value(string text, string name, params (string Key, string Value)[] labels)
    {
        var matching = Parse(text)
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .ToList();
        return matching.Sum(s => s.Value);
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*)\})? (?<value>\S+)$""")]
    private static partial Regex SamplePattern();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPattern();
}

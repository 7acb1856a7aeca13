using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Traces: a request's activity has the store's statements as children, and OTLP export is switched on by the standard
/// OTEL_EXPORTER_OTLP_ENDPOINT (and off without it). Activity listeners are process-wide and other tests' apps run at the
/// same time, so each test follows only the trace it started itself (its own traceparent).
/// </summary>
public class TelemetryTests(OperationsApp fixture, ITestOutputHelper output) : IClassFixture<OperationsApp>
{
    private readonly OperationsApp app = fixture.LoggingTo(output);

    [Fact]
    public async Task A_requests_trace_holds_its_store_statements_as_child_activities()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" || source.Name == StoreTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/events?entity=smic&limit={Random.Shared.Next(2, 40)}");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The server's activity stops as the request ends, which can be just after the client has the response.
        for (var i = 0; i < 200 && !stopped.Any(a => a.Source.Name == "Microsoft.AspNetCore"); i++)
        {
            await Task.Delay(20);
        }

        foreach (var activity in stopped)
        {
            output.WriteLine($"{activity.Source.Name}: {activity.DisplayName} {activity.SpanId} (parent {activity.ParentSpanId}) {activity.GetTagItem("db.query.text")}");
        }

        var requestActivity = Assert.Single(stopped, a => a.Source.Name == "Microsoft.AspNetCore");
        var statements = stopped.Where(a => a.Source.Name == StoreTelemetry.ActivitySourceName).ToList();
        Assert.NotEmpty(statements);
        Assert.All(statements, statement =>
        {
            Assert.Equal(requestActivity.SpanId, statement.ParentSpanId);
            Assert.Equal(ActivityKind.Client, statement.Kind);
            Assert.Equal(TimelineApp.Engine == TimelineOptions.StorePostgres ? "postgresql" : "sqlite", statement.GetTagItem("db.system.name"));
            Assert.True(statement.Duration >= TimeSpan.Zero);
        });
        // The entity filter's check that the entity exists is one of them, with its text and its operation.
        var entityCheck = TimelineApp.Engine == TimelineOptions.StorePostgres ? "FROM entities WHERE id = ANY(" : "FROM entities WHERE id IN";
        var lookup = Assert.Single(statements, s => s.GetTagItem("db.query.text") is string sql && sql.Contains(entityCheck, StringComparison.Ordinal));
        Assert.Equal("SELECT", lookup.DisplayName);
        Assert.Equal("select", lookup.GetTagItem("db.operation.name"));
    }

    [Fact]
    public void Without_an_OTLP_endpoint_nothing_is_traced_or_exported()
    {
        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task An_OTLP_endpoint_in_OTEL_EXPORTER_OTLP_ENDPOINT_receives_traces_and_metrics()
    {
        await using var collector = await OtlpCollector.StartAsync();
        using var traced = new OtlpApp(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        }).LoggingTo(output);
        using var client = traced.CreateClient();

        Assert.NotNull(traced.Services.GetService<TracerProvider>());
        (await client.GetAsync("/events/smic-added-to-us-sanctions-list")).Dispose();

        // OTLP/protobuf carries names as plain UTF-8: the request's route, the store's source and its statement histogram.
        // A statement ends before its request, so the two may come in different batches.
        var traces = await collector.WaitForAsync("/v1/traces", StoreTelemetry.ActivitySourceName) && await collector.WaitForAsync("/v1/traces", "/events/{id}");
        var metrics = await collector.WaitForAsync("/v1/metrics", "timeline.db.statement.duration") && await collector.WaitForAsync("/v1/metrics", "http.server.request.duration");

        // The collector's own requests (another host in this process) are not this app's to trace.
        Assert.False(await collector.WaitForAsync("/v1/traces", "/v1/{signal}", attempts: 10), "the app traced the collector's requests");
        Assert.True(traces, $"no trace with the store's statements and the request's route reached the collector; it got: {collector.Summary()}");
        Assert.True(metrics, $"no metrics with the statement and request durations reached the collector; it got: {collector.Summary()}");
    }

    private sealed class OtlpApp(IReadOnlyDictionary<string, string> settings) : OperationsApp(settings);

    /// <summary>A stand-in OTLP/HTTP collector on a free port of 127.0.0.1: it keeps every body posted to it, by path.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _server;
        private readonly ConcurrentQueue<(string Path, string Body)> _received = new();

        private OtlpCollector(WebApplication server) => _server = server;

        public string Endpoint => _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var server = builder.Build();
            var collector = new OtlpCollector(server);
            server.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector._received.Enqueue((context.Request.Path.Value!, Encoding.Latin1.GetString(body.ToArray())));
                context.Response.ContentType = "application/x-protobuf";
            });
            await server.StartAsync();
            return collector;
        }

        /// <summary>Whether a body posted to the path holds the text, within 20 seconds (by default).</summary>
        public async Task<bool> WaitForAsync(string path, string text, int attempts = 400)
        {
            for (var i = 0; i < attempts; i++)
            {
                if (_received.Any(r => r.Path == path && r.Body.Contains(text, StringComparison.Ordinal)))
                {
                    return true;
                }

                await Task.Delay(50);
            }

            return false;
        }

        public string Summary() => string.Join(", ", _received.GroupBy(r => r.Path).Select(g => $"{g.Key}: {g.Count()} posts"));

        public async ValueTask DisposeAsync()
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }
    }
}

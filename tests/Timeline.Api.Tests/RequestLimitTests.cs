using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Limits on what a request may send and how long it may run, each refused with a problem.</summary>
public class RequestLimitTests(RequestLimitTests.App fixture, ITestOutputHelper output) : IClassFixture<RequestLimitTests.App>
{
    private readonly RequestLimitTests.App app = fixture.LoggingTo(output);

    public sealed class App() : OperationsApp(new Dictionary<string, string>
    {
        ["Timeline:Limits:MaxQueryStringLength"] = "100",
        ["Timeline:Limits:MaxRequestBodyBytes"] = "1000",
        ["Timeline:Limits:RequestTimeoutSeconds"] = "1",
    });

    [Fact]
    public async Task A_query_string_over_the_limit_is_a_414_problem()
    {
        using var client = app.CreateClient();

        var problem = await client.GetProblemAsync("/events?q=" + new string('k', 100), HttpStatusCode.RequestUriTooLong);

        Assert.Contains("at most 100", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_string_at_the_limit_is_served()
    {
        using var client = app.CreateClient();
        var query = "?q=" + new string('k', 97);

        using var response = await client.GetAsync("/events" + query);

        Assert.Equal(100, query.Length);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem_before_authentication_or_the_endpoint_reads_it()
    {
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.AdminKey);
        using var body = new ByteArrayContent(new byte[1001]);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync("/admin/backup", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most 1000", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(Path.Combine(app.Folder, "backups")) ? Directory.GetFiles(Path.Combine(app.Folder, "backups")) : []);
    }

    [Fact]
    public async Task A_query_still_running_when_the_request_times_out_is_interrupted_and_answered_504()
    {
        using var client = app.CreateClient();
        var metrics = await client.GetStringAsync("/metrics");
        var interruptedBefore = MetricsText.Value(metrics, "timeline_db_statement_interruptions_total");

        // The query would count to ten billion; only the request timeout (1 s) ends it.
        var problem = await client.GetProblemAsync("/test/slow-query", HttpStatusCode.GatewayTimeout);

        Assert.Equal("Request timed out", problem.GetProperty("title").GetString());
        Assert.Contains("1 seconds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var interruptedAfter = MetricsText.Value(await client.GetStringAsync("/metrics"), "timeline_db_statement_interruptions_total");
        Assert.Equal(1, interruptedAfter - interruptedBefore);

        // The interrupted connection went back to the pool in working order.
        using var next = await client.GetAsync("/events");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public void The_limits_reach_the_framework_settings()
    {
        var timeouts = app.Services.GetRequiredService<IOptions<RequestTimeoutOptions>>().Value;
        var host = app.Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(1), timeouts.DefaultPolicy?.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(30), host.ShutdownTimeout);
    }
}

/// <summary>The production defaults, as documented.</summary>
public class DefaultLimitTests(ITestOutputHelper output)
{
    [Fact]
    public void Without_configuration_the_limits_are_the_documented_defaults()
    {
        var defaults = new Api.Operations.OperationsOptions();

        Assert.Equal(1024 * 1024, defaults.Limits.MaxRequestBodyBytes);
        Assert.Equal(6144, defaults.Limits.MaxQueryStringLength);
        Assert.True(defaults.Limits.MaxQueryStringLength < defaults.Limits.MaxRequestLineBytes, "a long query must meet our 414 problem before Kestrel's bare one");
        Assert.Equal(30, defaults.Limits.RequestTimeoutSeconds);
        Assert.Equal(600, defaults.RateLimits.ReadsPerWindow);
        Assert.Equal(60, defaults.RateLimits.WritesPerWindow);
        Assert.Equal(60, defaults.RateLimits.WindowSeconds);
        Assert.Empty(defaults.KnownProxies);
    }

    [Fact]
    public void Invalid_operations_settings_stop_startup_naming_each_problem()
    {
        using var app = new BadSettingsApp().LoggingTo(output);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains("'not-an-address' is not an IP address", error.Message, StringComparison.Ordinal);
        Assert.Contains("WindowSeconds must be at least 1", error.Message, StringComparison.Ordinal);
    }

    private sealed class BadSettingsApp() : OperationsApp(new Dictionary<string, string>
    {
        ["Timeline:KnownProxies:0"] = "not-an-address",
        ["Timeline:RateLimits:WindowSeconds"] = "0",
    });
}

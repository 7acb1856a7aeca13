using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Timeline.Api.Tests;

/// <summary>
/// Per-client rate limits: three reads and two writes per hour-long window (so no window ends during a test).
/// Each test is a different client (its own address), so none uses up another's allowance.
/// </summary>
public class RateLimitTests(RateLimitTests.App app) : IClassFixture<RateLimitTests.App>
{
    public const int Reads = 3;
    public const int Writes = 2;

    public sealed class App() : OperationsApp(new Dictionary<string, string>
    {
        ["Timeline:RateLimits:ReadsPerWindow"] = Reads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Timeline:RateLimits:WritesPerWindow"] = Writes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Timeline:RateLimits:WindowSeconds"] = "3600",
        ["Timeline:KnownProxies:0"] = "10.0.0.1",
    });

    [Fact]
    public async Task Reads_over_the_limit_get_429_with_Retry_After_and_a_problem()
    {
        using var client = app.ClientFrom("192.0.2.10");
        for (var i = 0; i < Reads; i++)
        {
            using var allowed = await client.GetAsync("/categories");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await client.GetAsync("/categories");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 3600);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains($"{Reads} reads every 3600 seconds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_kind_of_read_counts_against_the_same_allowance()
    {
        using var client = app.ClientFrom("192.0.2.11");
        string[] urls = ["/events", "/entities/smic", "/events.csv"];
        foreach (var url in urls)
        {
            using var allowed = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await client.GetAsync("/sources");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task Each_client_address_has_its_own_allowance()
    {
        using var first = app.ClientFrom("192.0.2.12");
        using var second = app.ClientFrom("192.0.2.13");
        for (var i = 0; i < Reads; i++)
        {
            (await first.GetAsync("/categories")).Dispose();
        }

        using var firstRefused = await first.GetAsync("/categories");
        using var secondAllowed = await second.GetAsync("/categories");

        Assert.Equal(HttpStatusCode.TooManyRequests, firstRefused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondAllowed.StatusCode);
    }

    [Fact]
    public async Task An_API_key_is_its_own_client_whatever_address_it_comes_from()
    {
        // The editor key spends its reads from one address, then is refused from another...
        using var fromHome = app.ClientFrom("192.0.2.14", app.EditorKey);
        for (var i = 0; i < Reads; i++)
        {
            using var allowed = await fromHome.GetAsync("/categories");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var fromWork = app.ClientFrom("192.0.2.15", app.EditorKey);
        using var keyRefused = await fromWork.GetAsync("/categories");

        // ...while the address itself, without the key, still has its own allowance.
        using var anonymous = app.ClientFrom("192.0.2.14");
        using var addressAllowed = await anonymous.GetAsync("/categories");

        Assert.Equal(HttpStatusCode.TooManyRequests, keyRefused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, addressAllowed.StatusCode);
    }

    [Fact]
    public async Task Writes_have_their_own_allowance_apart_from_reads()
    {
        using var client = app.ClientFrom("192.0.2.16", app.AdminKey);
        for (var i = 0; i < Reads; i++)
        {
            (await client.GetAsync("/categories")).Dispose();
        }

        using var readRefused = await client.GetAsync("/categories");
        var writes = new List<HttpStatusCode>();
        for (var i = 0; i < Writes + 1; i++)
        {
            using var response = await client.PostAsync("/admin/backup", null);
            writes.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, readRefused.StatusCode);
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, Writes), HttpStatusCode.TooManyRequests], writes);
    }

    [Fact]
    public async Task Health_probes_and_metrics_are_never_limited()
    {
        using var client = app.ClientFrom("192.0.2.17");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Reads * 3; i++)
        {
            foreach (var url in new[] { "/health/live", "/health/ready", "/metrics" })
            {
                using var response = await client.GetAsync(url);
                statuses.Add(response.StatusCode);
            }
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task Behind_a_known_proxy_the_forwarded_address_is_the_client()
    {
        // Two people behind the same proxy are two clients...
        using var alice = app.ClientFrom("10.0.0.1");
        alice.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.1");
        using var bob = app.ClientFrom("10.0.0.1");
        bob.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.2");
        for (var i = 0; i < Reads; i++)
        {
            (await alice.GetAsync("/categories")).Dispose();
        }

        using var aliceRefused = await alice.GetAsync("/categories");
        using var bobAllowed = await bob.GetAsync("/categories");

        Assert.Equal(HttpStatusCode.TooManyRequests, aliceRefused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bobAllowed.StatusCode);
    }

    [Fact]
    public async Task An_unknown_peer_cannot_escape_its_limit_by_forging_X_Forwarded_For()
    {
        using var client = app.ClientFrom("192.0.2.18");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Reads + 1; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/categories");
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, Reads), HttpStatusCode.TooManyRequests], statuses);
        var logged = app.Logs.Requests.Where(e => e.State["Path"] as string == "/categories" && e.State["Status"] is 429).Select(e => e.State["Client"]);
        Assert.Contains("192.0.2.18", logged);
    }

    [Fact]
    public async Task Rejections_are_counted_in_the_metrics()
    {
        using var client = app.ClientFrom("192.0.2.19");
        var before = MetricsText.Value(await client.GetStringAsync("/metrics"), "timeline_rate_limit_rejections_total", ("kind", "read"));
        for (var i = 0; i < Reads + 2; i++)
        {
            (await client.GetAsync("/categories")).Dispose();
        }

        var after = MetricsText.Value(await client.GetStringAsync("/metrics"), "timeline_rate_limit_rejections_total", ("kind", "read"));

        // Other tests of this class may be refused too, but never concurrently with this one (xunit runs a class's tests in turn).
        Assert.Equal(2, after - before);
    }
}

/// <summary>Proxies may be listed (Timeline__KnownProxies__0) or given as one comma-separated value, as in docker-compose.yml.</summary>
public class KnownProxySettingsTests
{
    [Fact]
    public void A_comma_separated_list_of_proxies_and_networks_is_read_whole()
    {
        using var app = new ProxiesApp();

        var forwarded = app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;

        Assert.Equal([IPAddress.Parse("10.0.0.7"), IPAddress.Parse("10.0.0.8")], forwarded.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("172.18.0.0/16")], forwarded.KnownIPNetworks);
    }

    private sealed class ProxiesApp() : OperationsApp(new Dictionary<string, string>
    {
        ["Timeline:KnownProxies"] = "10.0.0.7, 10.0.0.8",
        ["Timeline:KnownNetworks"] = "172.18.0.0/16",
    });
}

/// <summary>The OpenAPI document tells clients what the operations layer may answer.</summary>
public class OperationsOpenApiTests(TimelineApp app) : IClassFixture<TimelineApp>
{
    [Fact]
    public async Task Every_rate_limited_operation_documents_429_with_Retry_After_and_the_probes_do_not()
    {
        using var client = app.CreateClient();
        var document = await client.GetJsonAsync("/openapi/v1.json");

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var responses = operation.Value.GetProperty("responses");
                var limited = !(path.Name.StartsWith("/health", StringComparison.Ordinal) || path.Name == "/metrics");
                Assert.True(limited == responses.TryGetProperty("429", out var tooMany), $"{operation.Name} {path.Name}");
                if (limited)
                {
                    Assert.True(tooMany.GetProperty("headers").TryGetProperty("Retry-After", out _));
                    Assert.True(tooMany.GetProperty("content").TryGetProperty("application/problem+json", out _));
                }
            }
        }
    }
}

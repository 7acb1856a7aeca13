using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Per-client rate limits: three reads and two writes per hour-long window (so no window ends during a test).
/// Each test is a different client (its own address), so none uses up another's allowance.
/// </summary>
public class RateLimitTests(RateLimitTests.App fixture, ITestOutputHelper output) : IClassFixture<RateLimitTests.App>
{
    private readonly RateLimitTests.App app = fixture.LoggingTo(output);

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

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe")] // one IPv6 /64: one client
    [InlineData("192.0.2.61", "::ffff:192.0.2.61")] // an IPv4 address, and the same address mapped into IPv6
    public async Task Addresses_of_one_client_share_its_allowance(string first, string second)
    {
        using var one = app.ClientFrom(first);
        using var other = app.ClientFrom(second);
        for (var i = 0; i < Reads; i++)
        {
            using var allowed = await one.GetAsync("/categories");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await other.GetAsync("/categories");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task Neighbouring_IPv6_networks_are_different_clients()
    {
        using var one = app.ClientFrom("2001:db8:1:3::1");
        using var neighbour = app.ClientFrom("2001:db8:1:4::1");
        for (var i = 0; i < Reads; i++)
        {
            (await one.GetAsync("/categories")).Dispose();
        }

        using var allowed = await neighbour.GetAsync("/categories");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
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
        Assert.Equal([.. Enumerable.Repeat(TestStore.AdminBackupStatus, Writes), HttpStatusCode.TooManyRequests], writes);
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

/// <summary>
/// With no proxy configured (the default, and the Docker setup), forwarded headers are nobody's to set: the client is
/// the connection's peer and the scheme the connection's own, whatever X-Forwarded-For and X-Forwarded-Proto say.
/// </summary>
public class UntrustedForwardedHeaderTests(UntrustedForwardedHeaderTests.App fixture, ITestOutputHelper output) : IClassFixture<UntrustedForwardedHeaderTests.App>
{
    private readonly UntrustedForwardedHeaderTests.App app = fixture.LoggingTo(output);

    public const int Reads = 5;

    public sealed class App() : OperationsApp(new Dictionary<string, string>
    {
        ["Timeline:RateLimits:ReadsPerWindow"] = Reads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Timeline:RateLimits:WindowSeconds"] = "3600",
    });

    [Fact]
    public async Task A_rotating_X_Forwarded_For_from_an_unlisted_peer_gets_no_fresh_allowance_and_is_not_logged()
    {
        using var client = app.ClientFrom("192.0.2.40");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Reads + 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/categories");
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i + 1}");
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, Reads), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 10)], statuses);
        var clients = app.Logs.Requests.Where(e => e.State["Path"] as string == "/categories").Select(e => e.State["Client"] as string).ToHashSet();
        Assert.Contains("192.0.2.40", clients);
        Assert.DoesNotContain(clients, c => c!.StartsWith("198.51.100.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task X_Forwarded_Proto_from_an_unlisted_peer_does_not_rewrite_generated_links()
    {
        using var client = app.ClientFrom("192.0.2.41");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events/feed.atom");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await client.SendAsync(request);
        var feed = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("http://localhost/events/", feed, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", feed.Replace("https://www.w3.org", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }
}

/// <summary>
/// Refused writes cost what accepted ones do: a bad key's 401s and a missing role's 403s use up the client's write
/// allowance, so guessing keys is as slow as writing.
/// </summary>
public class RefusedWriteLimitTests(RateLimitTests.App fixture, ITestOutputHelper output) : IClassFixture<RateLimitTests.App>
{
    private readonly RateLimitTests.App app = fixture.LoggingTo(output);

    [Fact]
    public async Task Writes_with_a_bad_key_are_limited_like_any_write()
    {
        using var client = app.ClientFrom("192.0.2.50", "tl_guessed-key");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < RateLimitTests.Writes + 3; i++)
        {
            using var response = await client.PostAsync("/events", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(
            [.. Enumerable.Repeat(HttpStatusCode.Unauthorized, RateLimitTests.Writes), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)],
            statuses);
    }

    [Fact]
    public async Task An_editor_key_refused_on_admin_routes_is_limited_too()
    {
        using var client = app.ClientFrom("192.0.2.51", app.EditorKey);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < RateLimitTests.Writes + 2; i++)
        {
            using var response = await client.PostAsync("/admin/backup", null);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(
            [.. Enumerable.Repeat(HttpStatusCode.Forbidden, RateLimitTests.Writes), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2)],
            statuses);
    }

    [Fact]
    public async Task Retry_After_is_the_time_left_in_the_window_not_the_whole_window()
    {
        using var client = app.ClientFrom("192.0.2.52");
        for (var i = 0; i < RateLimitTests.Reads; i++)
        {
            (await client.GetAsync("/categories")).Dispose();
        }

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        using var refused = await client.GetAsync("/categories");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, 3590, 3598);
        Assert.Contains($"try again in {retryAfter} seconds", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>Proxies may be listed (Timeline__KnownProxies__0) or given as one comma-separated value, as in docker-compose.yml.</summary>
public class KnownProxySettingsTests(ITestOutputHelper output)
{
    [Fact]
    public void A_comma_separated_list_of_proxies_and_networks_is_read_whole()
    {
        using var app = new ProxiesApp().LoggingTo(output);

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
public class OperationsOpenApiTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

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

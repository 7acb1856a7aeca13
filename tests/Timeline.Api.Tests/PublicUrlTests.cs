using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Absolute URLs in answers come from Timeline:PublicBaseUrl when it is set, never from a Host header a client forged;
/// with AllowedHosts set, another host is refused with a problem; an empty Host is refused rather than linked to.
/// </summary>
public class PublicUrlTests(PublicUrlTests.App fixture, ITestOutputHelper output) : IClassFixture<PublicUrlTests.App>
{
    private readonly PublicUrlTests.App app = fixture.LoggingTo(output);

    public sealed class App() : OperationsApp(new Dictionary<string, string>
    {
        ["Timeline:PublicBaseUrl"] = "https://timeline.example.org/",
    });

    public static TheoryData<string> Exports => ["/events/feed.atom", "/events.csv", "/events.ics", "/events/timelinejs"];

    [Theory]
    [MemberData(nameof(Exports))]
    public async Task Exports_link_to_the_configured_public_address_whatever_Host_says(string url)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Host = "evil.example.com";
        request.Headers.Add("X-Forwarded-Host", "evil.example.com");

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("https://timeline.example.org/events/", body.Replace("\r\n ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example.com", body, StringComparison.Ordinal);
        Assert.DoesNotContain("https://timeline.example.org//", body, StringComparison.Ordinal);
    }
}

/// <summary>AllowedHosts, when set, is enforced with a problem; an empty Host without a public base URL too.</summary>
public class AllowedHostsTests(AllowedHostsTests.App fixture, ITestOutputHelper output) : IClassFixture<AllowedHostsTests.App>
{
    private readonly AllowedHostsTests.App app = fixture.LoggingTo(output);

    public const int ServerPort = 5341;

    public sealed class App() : KestrelOperationsApp(ServerPort, new Dictionary<string, string>
    {
        ["AllowedHosts"] = "timeline.example.org;127.0.0.1",
    });

    [Theory]
    [InlineData("evil.example.com", 400)]
    [InlineData("timeline.example.org.evil.example.com", 400)]
    [InlineData("timeline.example.org", 200)]
    [InlineData("127.0.0.1:5341", 200)]
    public async Task A_host_outside_AllowedHosts_is_refused_with_a_problem(string host, int expected)
    {
        var (status, headers, body) = await RawGetAsync("/events/feed.atom", host, app.Port);

        Assert.Equal(expected, status);
        if (expected == 400)
        {
            Assert.Contains("application/problem+json", headers, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Host not served", body, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"http://{host}/events/", body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/health/live", "evil.example.com")]
    [InlineData("/health/ready", "localhost")]
    [InlineData("/metrics", "10.0.0.8:8080")]
    public async Task Probes_and_metrics_are_answered_whatever_their_Host(string path, string host)
    {
        var (status, _, _) = await RawGetAsync(path, host, app.Port);

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task An_HTTP_1_0_probe_without_a_Host_is_answered()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, app.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /health/live HTTP/1.0\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);

        var response = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_Host_without_a_public_base_URL_is_refused_never_linked_as_http_slash_slash_slash()
    {
        using var open = new KestrelOperationsApp(ServerPort + 1, new Dictionary<string, string>()).LoggingTo(output);

        var (status, headers, body) = await RawGetAsync("/events/feed.atom", string.Empty, open.Port);

        Assert.Equal(400, status);
        Assert.Contains("application/problem+json", headers, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Host header required", body, StringComparison.Ordinal);
        Assert.DoesNotContain("http:///", body, StringComparison.Ordinal);
    }

    /// <summary>A GET written by hand, so the Host header is exactly what the test says (HttpClient would correct it).</summary>
    private static async Task<(int Status, string Headers, string Body)> RawGetAsync(string path, string host, int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = response[..split];
        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, head, response[(split + 4)..]);
    }
}

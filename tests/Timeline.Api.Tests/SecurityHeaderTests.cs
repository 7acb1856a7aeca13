using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Security headers on every response, a CSP that Swagger UI can live with, and CORS: reads open, writes closed.</summary>
public partial class SecurityHeaderTests(OperationsApp fixture, ITestOutputHelper output) : IClassFixture<OperationsApp>
{
    private readonly OperationsApp app = fixture.LoggingTo(output);

    public static TheoryData<string> Responses =>
    [
        "/events", "/events/smic-added-to-us-sanctions-list", "/events.csv", "/events/feed.atom", "/health/ready", "/metrics", "/version",
        "/events/no-such-event", "/events?limit=0", "/no-such-path", "/openapi/v1.json",
    ];

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task Every_response_carries_the_security_headers_errors_included(string url)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(url);

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task Swagger_UI_loads_only_same_origin_files_and_its_policy_allows_exactly_those()
    {
        using var client = app.CreateClient();
        using var page = await client.GetAsync("/swagger/index.html");
        var html = await page.Content.ReadAsStringAsync();
        var csp = Header(page, "Content-Security-Policy");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // No inline script (which the policy would block): every script has a src.
        var scripts = ScriptTag().Matches(html).Select(m => m.Value).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, tag => Assert.Contains("src=", tag, StringComparison.Ordinal));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);

        // Every script and stylesheet it names is a same-origin file that is served.
        var files = AssetReference().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.True(files.Count >= 4, string.Join(", ", files));
        foreach (var file in files)
        {
            Assert.DoesNotContain("//", file, StringComparison.Ordinal);
            using var asset = await client.GetAsync(new Uri(new Uri("http://localhost/swagger/"), file));
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{file}: {(int)asset.StatusCode}");
        }

        // The UI styles elements inline, draws data: images, and fetches the document from this origin.
        Assert.Contains("style-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Contains("img-src 'self' data:", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_origin_may_read()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events?limit=1");
        request.Headers.Add("Origin", "https://newsroom.example");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("ETag", Header(response, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
        Assert.Contains("Link", Header(response, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_preflight_allows_GET_and_HEAD_and_never_a_write_method()
    {
        using var client = app.CreateClient();
        foreach (var method in new[] { "GET", "POST", "PUT", "PATCH", "DELETE" })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/events");
            preflight.Headers.Add("Origin", "https://newsroom.example");
            preflight.Headers.Add("Access-Control-Request-Method", method);
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
            using var response = await client.SendAsync(preflight);

            var allowed = response.Headers.TryGetValues("Access-Control-Allow-Methods", out var values) ? string.Join(",", values) : string.Empty;
            Assert.Equal(["GET", "HEAD"], allowed.Split(',', StringSplitOptions.TrimEntries));
        }
    }

    [Fact]
    public async Task A_write_from_another_origin_is_refused_with_a_problem_even_with_an_admin_key()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/backup");
        request.Headers.Add("Origin", "https://elsewhere.example");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.AdminKey);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("elsewhere.example", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_from_the_APIs_own_origin_such_as_Swagger_UI_goes_through()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/backup");
        request.Headers.Add("Origin", "http://localhost");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.AdminKey);
        using var response = await client.SendAsync(request);

        Assert.Equal(TestStore.AdminBackupStatus, response.StatusCode);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : string.Empty;

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"]+\\.(?:js|css))\"", RegexOptions.IgnoreCase)]
    private static partial Regex AssetReference();
}

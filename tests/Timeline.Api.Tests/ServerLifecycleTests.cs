using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Timeline.Api.Operations;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Stopping: in-flight requests finish (and on SQLite the log is folded into the database and the store let go: ServerLifecycleTests.Sqlite.cs).</summary>
public partial class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_request_in_flight_when_the_server_is_told_to_stop_is_answered_in_full()
    {
        using var app = new KestrelOperationsApp(5311, new Dictionary<string, string>()).LoggingTo(output);
        using var client = new HttpClient(ResponseContractHandler.OverSockets()) { BaseAddress = app.BaseAddress };
        var inFlight = client.GetAsync("/test/gate");
        await app.GateReached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = app.Services.GetRequiredService<IHost>().StopAsync();

        // The stop waits for the request (up to the shutdown timeout, 30 s): it cannot be done while the gate is shut.
        Assert.NotSame(stopping, await Task.WhenAny(stopping, Task.Delay(300)));
        app.Gate.SetResult();
        using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("through the gate", await response.Content.ReadAsStringAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        // Stopped: no more connections.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync("/health/live"));
    }
}

/// <summary>What only a real Kestrel server does: header and body limits on the wire, and the healthcheck command.</summary>
public class KestrelLimitTests(KestrelLimitTests.App fixture, ITestOutputHelper output) : IClassFixture<KestrelLimitTests.App>
{
    private readonly KestrelLimitTests.App app = fixture.LoggingTo(output);

    public const int ServerPort = 5312;

    public sealed class App() : KestrelOperationsApp(ServerPort, new Dictionary<string, string>
    {
        ["Timeline:Limits:MaxRequestBodyBytes"] = "1000",
        ["Timeline:Limits:MaxRequestHeadersTotalBytes"] = "4096",
    });

    [Fact]
    public async Task The_server_answers_on_127_0_0_1()
    {
        using var client = new HttpClient(ResponseContractHandler.OverSockets()) { BaseAddress = app.BaseAddress };

        using var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_body_without_a_length_that_grows_past_the_limit_is_a_413_problem()
    {
        using var client = new HttpClient(ResponseContractHandler.OverSockets()) { BaseAddress = app.BaseAddress };
        using var body = new StreamContent(new MemoryStream(new byte[5000]));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/test/read-body") { Content = body };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Request body too large", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_over_the_limit_are_refused_by_Kestrel_with_431()
    {
        // Kestrel answers this itself, before the application sees the request, so it carries no problem body.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ServerPort);
        await using var stream = tcp.GetStream();
        var request = $"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: {new string('p', 5000)}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);

        var statusLine = await reader.ReadLineAsync();

        Assert.StartsWith("HTTP/1.1 431", statusLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_healthcheck_command_passes_against_a_ready_server()
    {
        var run = await Command.RunAsync("healthcheck", $"http://127.0.0.1:{ServerPort}/health/ready");

        Assert.True(run.ExitCode == 0, run.Output);
    }

    [Fact]
    public async Task The_healthcheck_command_finds_the_port_in_ASPNETCORE_HTTP_PORTS()
    {
        var run = await Command.RunAsync(new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = ServerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "healthcheck");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"http://127.0.0.1:{ServerPort}/health/ready", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_healthcheck_command_fails_when_nothing_answers()
    {
        var run = await Command.RunAsync("healthcheck", "http://127.0.0.1:5399/health/ready");

        Assert.Equal(1, run.ExitCode);
    }
}

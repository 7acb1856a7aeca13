using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// The export slots on a real Kestrel server on 127.0.0.1 (port 0), where a slow reader is a real socket with real
/// buffers: a client reading an export at 20 KB/s loses its slot, and another client's export then streams.
/// </summary>
public sealed class KestrelExportTests(ITestOutputHelper output)
{
    /// <summary>The app on Kestrel, on a port of its own, with one export slot, a 2 s write timeout and a 64 KiB/s minimum.</summary>
    private sealed class App : OperationsApp
    {
        public App()
            : base(new Dictionary<string, string>
            {
                ["Timeline:SeedPath"] = SyntheticDataset.Write(SyntheticDataset.Build(20_000)),
                ["Timeline:Limits:ConcurrentExports"] = "1",
                ["Timeline:Limits:ExportWriteTimeoutSeconds"] = "2",
                ["Timeline:Limits:ExportMinBytesPerSecond"] = "65536",
                ["Timeline:Limits:ExportQueueSeconds"] = "60",
            })
        {
            UseKestrel(0);
            StartServer();
            BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        }

        public Uri BaseAddress { get; }
    }

    [Fact]
    public async Task A_client_reading_an_export_at_20_KB_a_second_is_disconnected_and_the_next_client_streams()
    {
        using var app = new App().LoggingTo(output);

        // The slow reader: a socket with a small receive buffer that takes 2 KB every 100 ms.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, app.BaseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /events.ics HTTP/1.1\r\nHost: 127.0.0.1:{app.BaseAddress.Port}\r\n\r\n"));
        var watch = Stopwatch.StartNew();
        using var stopReading = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var trickle = Task.Run(async () =>
        {
            var buffer = new byte[2048];
            long received = 0;
            try
            {
                while (!stopReading.IsCancellationRequested)
                {
                    var n = await socket.ReceiveAsync(buffer, stopReading.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    received += n;
                    streaming.TrySetResult();
                    await Task.Delay(100, stopReading.Token);
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // Reset by the server, or the test gave up.
            }

            streaming.TrySetResult();
            return received;
        });

        // Its export has the slot once its first bytes arrive.
        await streaming.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Another client's export waits for the slot, and gets it once the slow reader is dropped.
        using var other = new HttpClient(ResponseContractHandler.OverSockets()) { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        other.DefaultRequestHeaders.Authorization = new("Bearer", app.EditorKey); // another client: its key, not the address
        using var response = await other.GetAsync("/events.csv?category=analysis");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("id,date,", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(45), $"the other export waited {watch.Elapsed}");
        stopReading.Cancel();
        var got = await trickle;
        Assert.True(app.Logs.Entries.Any(e => e.Category == "Timeline.Api.Exports" && e.Message.Contains("dropped", StringComparison.Ordinal)),
            $"not dropped; the slow reader got {got} bytes; after {watch.Elapsed}; " + string.Join(" | ", app.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message).Take(5)));
        Assert.True(got < 5_000_000, "the slow reader got the whole calendar");
    }
}

using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using Timeline.Api.Exports;
using Timeline.Api.Operations;

namespace Timeline.Api.Tests;

/// <summary>
/// The export slots: every whole-store answer takes one, a client holds at most one, waiting for one is bounded
/// (503 with Retry-After), and a client that stops reading is dropped, so no client can starve the others.
/// </summary>
public sealed class ExportSlotTests
{
    private static readonly string Store = SyntheticDataset.Write(SyntheticDataset.Build(3_000));

    /// <summary>An app on 3,000 events with the export settings a test asks for.</summary>
    public sealed class SlotApp(Dictionary<string, string> settings) : OperationsApp(With(settings))
    {
        private static Dictionary<string, string> With(Dictionary<string, string> settings)
        {
            settings["Timeline:SeedPath"] = Store;
            return settings;
        }
    }

    // ------------------------------------------------------------------ the gate itself

    private static ExportGate Gate(int slots, int queueSeconds) =>
        new(Options.Create(new OperationsOptions { Limits = { ConcurrentExports = slots, ExportQueueSeconds = queueSeconds } }), TimeProvider.System);

    [Fact]
    public async Task A_clients_second_export_waits_for_its_first_and_never_takes_a_second_slot()
    {
        var gate = Gate(slots: 2, queueSeconds: 30);
        var first = await gate.EnterAsync("ip:192.0.2.1", CancellationToken.None);
        Assert.NotNull(first);

        var second = gate.EnterAsync("ip:192.0.2.1", CancellationToken.None);
        var other = await gate.EnterAsync("ip:192.0.2.2", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(other); // the second slot was still free for another client
        Assert.False(second.IsCompleted);
        first.Dispose();
        other.Dispose();
        using var secondLease = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(secondLease);
    }

    [Fact]
    public async Task Waiting_for_a_slot_ends_without_one_after_the_queue_time()
    {
        var gate = Gate(slots: 1, queueSeconds: 1);
        using var held = await gate.EnterAsync("ip:192.0.2.1", CancellationToken.None);

        var watch = Stopwatch.StartNew();
        var refused = await gate.EnterAsync("ip:192.0.2.2", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(refused);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
        Assert.Equal(1, gate.ClientsInFlight); // the refused client left no trace
    }

    [Fact]
    public async Task A_slot_given_back_goes_to_the_next_client_and_leaves_nothing_behind()
    {
        var gate = Gate(slots: 1, queueSeconds: 30);
        var held = await gate.EnterAsync("key:alice", CancellationToken.None);
        var waiting = gate.EnterAsync("key:bob", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var leaving = gate.EnterAsync("key:carol", cancel.Token);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        held!.Dispose();
        (await waiting.WaitAsync(TimeSpan.FromSeconds(5)))!.Dispose();

        Assert.Equal(0, gate.ClientsInFlight);
    }

    // ------------------------------------------------------------------ the body's pace

    /// <summary>A client at the other end of a socket: its buffers take the first bytes at once, then it reads at its pace (or not at all).</summary>
    private sealed class PacedClient(long buffered, double bytesPerSecond) : Stream
    {
        private long _taken;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var before = _taken;
            _taken += buffer.Length;
            var beyond = _taken - Math.Max(before, buffered);
            if (beyond > 0)
            {
                await Task.Delay(bytesPerSecond <= 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(beyond / bytesPerSecond), cancellationToken);
            }
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _taken;

        public override long Position { get => _taken; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static async Task<(long Bytes, TimeSpan Elapsed)> WriteUntilDroppedAsync(Stream body, long total)
    {
        var chunk = new byte[16 * 1024];
        var watch = Stopwatch.StartNew();
        long written = 0;
        while (written < total)
        {
            await body.WriteAsync(chunk);
            written += chunk.Length;
        }

        return (written, watch.Elapsed);
    }

    [Fact]
    public async Task A_client_that_reads_slower_than_the_minimum_rate_is_dropped_once_its_buffers_are_full()
    {
        // 2 MB of socket buffers taken at once must not buy a 64 KB/s reader a minute: only the waiting counts. Each
        // 16 KiB write waits a quarter of a second, far inside the 2 s write timeout even when a loaded machine's
        // timers run late (with half-second waits against a 1 s timeout, a busy full run hit the timeout instead).
        var body = new ExportBodyStream(new PacedClient(buffered: 2_000_000, bytesPerSecond: 64 * 1024), null, TimeSpan.FromSeconds(2), minBytesPerSecond: 256 * 1024);
        var watch = Stopwatch.StartNew();

        var dropped = await Assert.ThrowsAsync<ExportClientTooSlowException>(() => WriteUntilDroppedAsync(body, 100_000_000));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(20));
        Assert.Contains("bytes a second", dropped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_after_the_write_timeout()
    {
        var body = new ExportBodyStream(new PacedClient(buffered: 100_000, bytesPerSecond: 0), null, TimeSpan.FromSeconds(1), minBytesPerSecond: 0);

        var dropped = await Assert.ThrowsAsync<ExportClientTooSlowException>(() => WriteUntilDroppedAsync(body, 100_000_000));

        Assert.Contains("did not finish within 1 seconds", dropped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_keeps_up_with_the_minimum_rate_is_never_dropped()
    {
        // A quarter of a megabyte a second against a minimum of 8 KiB over a 4-second window. Each 16 KiB write waits
        // 62.5 ms on a timer; under a full test run's load a timer can fire a second or more late (thread-pool
        // starvation), which with a 1-second window and a 32 KiB minimum dropped this client in 1 of a few full runs.
        var body = new ExportBodyStream(new PacedClient(buffered: 64 * 1024, bytesPerSecond: 256 * 1024), null, TimeSpan.FromSeconds(4), minBytesPerSecond: 8 * 1024);

        var (bytes, elapsed) = await WriteUntilDroppedAsync(body, 768 * 1024);

        Assert.Equal(768 * 1024, bytes);
        Assert.True(elapsed > TimeSpan.FromSeconds(2), "the paced client did not make the export wait");
    }

    // ------------------------------------------------------------------ through the pipeline

    [Fact]
    public async Task An_export_whose_client_stops_reading_is_dropped_and_its_slot_serves_the_next_client()
    {
        using var app = new SlotApp(new()
        {
            ["Timeline:Limits:ConcurrentExports"] = "1",
            ["Timeline:Limits:ExportWriteTimeoutSeconds"] = "1",
            ["Timeline:Limits:ExportQueueSeconds"] = "60",
        });
        using var stalled = app.ClientFrom("192.0.2.10");
        using var patient = app.ClientFrom("192.0.2.11");

        // The first client reads the headers and then nothing: its export fills the buffers and stops.
        using var held = await stalled.GetAsync("/events.ics", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);

        var watch = Stopwatch.StartNew();
        var small = await patient.GetStringAsync("/events.csv?category=analysis").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith("id,date,", small, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"waited {watch.Elapsed}");
        Assert.Contains(app.Logs.Entries, e => e.Category == "Timeline.Api.Exports" && e.Message.Contains("dropped", StringComparison.Ordinal));
        await Assert.ThrowsAnyAsync<Exception>(() => held.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task When_no_slot_frees_in_time_an_export_is_a_503_problem_with_retry_after()
    {
        using var app = new SlotApp(new()
        {
            ["Timeline:Limits:ConcurrentExports"] = "1",
            ["Timeline:Limits:ExportWriteTimeoutSeconds"] = "120",
            ["Timeline:Limits:ExportQueueSeconds"] = "1",
        });
        using var holder = app.ClientFrom("192.0.2.20");
        using var other = app.ClientFrom("192.0.2.21");
        using var held = await holder.GetAsync("/events.ics", HttpCompletionOption.ResponseHeadersRead);

        foreach (var url in new[] { "/events.csv?category=analysis", "/events.ics?category=analysis", "/events/timelinejs?category=analysis", "/export" })
        {
            using var response = await other.GetAsync(url).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.True(HttpStatusCode.ServiceUnavailable == response.StatusCode, $"{url}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        }

        // The Atom feed (its 50 newest changes) is bounded: it needs no slot, so held slots never hold up a feed reader.
        using var feed = await other.GetAsync("/events/feed.atom").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);

        // A HEAD on an export sends headers only: no slot, no reading of the store.
        using var head = await other.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/events.csv")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/csv", head.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task One_client_holds_one_slot_so_another_client_still_gets_the_second()
    {
        using var app = new SlotApp(new()
        {
            ["Timeline:Limits:ConcurrentExports"] = "2",
            ["Timeline:Limits:ExportWriteTimeoutSeconds"] = "120",
            ["Timeline:Limits:ExportQueueSeconds"] = "60",
        });
        using var greedy = app.ClientFrom("192.0.2.30");
        using var other = app.ClientFrom("192.0.2.31");

        using var first = await greedy.GetAsync("/events.ics", HttpCompletionOption.ResponseHeadersRead);
        var second = greedy.GetAsync("/events.csv?tag=even", HttpCompletionOption.ResponseHeadersRead);
        var third = other.GetStringAsync("/events/timelinejs?category=analysis");

        Assert.StartsWith("{", await third.WaitAsync(TimeSpan.FromSeconds(30)), StringComparison.Ordinal);
        Assert.False(second.IsCompleted, "the same client's second export took a second slot");

        // Once the first is read to its end, the second runs.
        await first.Content.ReadAsStringAsync();
        using var secondResponse = await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode);
        Assert.Equal(1 + 1_500, (await secondResponse.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }
}

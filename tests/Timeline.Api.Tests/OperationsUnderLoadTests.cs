using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Limits that recover, hostile request shapes, and backups taken while writers run.</summary>
public class OperationsUnderLoadTests(ITestOutputHelper output)
{
    public sealed class ShortWindowApp() : OperationsApp(new Dictionary<string, string>
    {
        ["Timeline:RateLimits:ReadsPerWindow"] = "3",
        ["Timeline:RateLimits:WindowSeconds"] = "2",
    });

    [Fact]
    public async Task Reads_over_the_limit_get_429_and_the_client_is_served_again_after_the_window()
    {
        using var app = new ShortWindowApp().LoggingTo(output);
        using var client = app.ClientFrom("192.0.2.200");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/categories")).StatusCode);
        }

        using var limited = await client.GetAsync("/categories");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        var wait = limited.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2);
        Assert.InRange(wait, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        await Task.Delay(wait + TimeSpan.FromMilliseconds(300));
        using var again = await client.GetAsync("/categories");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    public sealed class OneExportAtATimeApp() : OperationsApp(new Dictionary<string, string>
    {
        ["Timeline:Limits:ConcurrentExports"] = "1",
        ["Timeline:SeedPath"] = SyntheticDataset.Write(SyntheticDataset.Build(3_000)),
    });

    [Fact]
    public async Task An_export_waits_for_its_turn_while_the_export_limit_is_taken_then_streams_in_full()
    {
        using var app = new OneExportAtATimeApp().LoggingTo(output);
        using var first = app.CreateClient();
        using var second = app.CreateClient();
        var expected = await first.GetStringAsync("/events.csv?category=analysis");

        // The first export's client reads nothing: its export holds the only slot, its writes held back by the client.
        using var held = await first.GetAsync("/events.csv?tag=even", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);

        var waiting = second.GetStringAsync("/events.csv?category=analysis&sort=date");
        Assert.NotSame(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(700))));

        // Once the first export is read to its end, the second one runs and is complete.
        var firstBody = await held.Content.ReadAsStringAsync();
        Assert.Equal(1 + 1_500, firstBody.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(expected, await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    public sealed class DefaultLimitsApp() : OperationsApp(new Dictionary<string, string>
    {
        ["Timeline:Limits:MaxQueryStringLength"] = "6144",
    });

    [Fact]
    public async Task Ten_thousand_query_parameters_get_a_clear_4xx()
    {
        using var app = new DefaultLimitsApp().LoggingTo(output);
        using var client = app.CreateClient();
        var url = "/events?" + string.Join('&', Enumerable.Range(0, 10_000).Select(i => $"p{i}=1"));

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_100_MB_body_is_refused_with_413_before_it_is_read()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", app.EditorKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = new StreamContent(new RepeatingStream(100L * 1024 * 1024)) };
        request.Content.Headers.ContentType = new("application/json");
        request.Content.Headers.ContentLength = 100L * 1024 * 1024;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

#if !POSTGRES
    // SQLite only: on PostgreSQL backups are the database's own (pg_dump, base backups), and /admin/backup answers a
    // problem that says so (PostgresOperationsTests).
    [Fact]
    public async Task A_backup_taken_while_writers_run_restores_every_write_acknowledged_before_it_began()
    {
        using var app = new OperationsApp().LoggingTo(output);
        var acknowledged = new ConcurrentQueue<(string Id, DateTime At)>();
        using var stop = new CancellationTokenSource();

        async Task WriteAsync(int writer)
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", app.EditorKey);
            for (var n = 0; !stop.IsCancellationRequested && n < 200; n++)
            {
                var id = $"load-{writer}-{n}";
                using var response = await client.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent(id));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                acknowledged.Enqueue((id, DateTime.UtcNow));
            }
        }

        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(() => WriteAsync(w))).ToList();
        while (acknowledged.Count < 30)
        {
            await Task.Delay(10);
        }

        var before = acknowledged.ToArray().Select(a => a.Id).ToList();
        using var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", app.AdminKey);
        using var backup = await admin.PostAsync("/admin/backup", null);
        Assert.Equal(HttpStatusCode.OK, backup.StatusCode);
        var path = Path.Combine(app.Folder, "backups", JsonDocument.Parse(await backup.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString()!);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        // Restore the copy into a fresh place and open it as a store.
        var restoredFolder = Directory.CreateTempSubdirectory("timeline-restored-").FullName;
        var restored = Path.Combine(restoredFolder, "timeline.db");
        File.Copy(path, restored);
        await using (var connection = new SqliteConnection($"Data Source={restored};Pooling=False"))
        {
            await connection.OpenAsync();
            Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check;"));
            var ids = (await connection.QueryAsync<string>("SELECT id FROM events WHERE id LIKE 'load-%';")).ToHashSet();
            Assert.All(before, id => Assert.Contains(id, ids));
            var revisions = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM revisions WHERE resource_id LIKE 'load-%';");
            Assert.Equal(ids.Count, revisions);
        }

        using var served = new TimelineAppOnFile(restored, app.SeedPath);
        using var reader = served.CreateClient();
        foreach (var id in before.Take(5))
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/events/{id}")).StatusCode);
        }
    }
#endif

    /// <summary>A body of the given length that is never held in memory.</summary>
    private sealed class RepeatingStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill((byte)' ');
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

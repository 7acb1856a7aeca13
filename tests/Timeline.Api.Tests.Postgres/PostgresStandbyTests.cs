using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Npgsql;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// A real streaming standby: a primary, a standby made from it with pg_basebackup -R and started as a hot standby on a
/// port of its own, and the API on both (ConnectionStrings:Timeline = Host=primary,standby; Timeline:Postgres:
/// ReadsFromStandby = true). With the standby's replay paused, a write through the API succeeds (the primary took it) while
/// reads through the API still answer the standby's older state, and answer the write once replay resumes.
/// </summary>
public class PostgresStandbyTests(ITestOutputHelper output)
{
    private sealed class StandbyApp(string seedPath, string connectionString) : TimelineApp(seedPath)
    {
        protected override void ConfigureSettings(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:Timeline", connectionString);
            builder.UseSetting("Timeline:Postgres:ReadsFromStandby", "true");
            builder.UseSetting("Timeline:DataVersionRefreshMilliseconds", "100");
        }
    }

    [Fact]
    public async Task Reads_are_served_by_a_streaming_standby_and_writes_by_the_primary()
    {
        using var primary = PostgresCluster.Start("primary");
        using var standby = PostgresCluster.StartStandby(primary, "standby");
        var onPrimary = primary.CreateDatabase();
        var database = new NpgsqlConnectionStringBuilder(onPrimary).Database!;
        var onStandby = standby.ConnectionString(database);
        await WaitForAsync(async () =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(onStandby);
                await connection.OpenAsync();
                return true;
            }
            catch (PostgresException)
            {
                return false; // the standby has not replayed CREATE DATABASE yet
            }
        });
        Assert.True(await ScalarAsync<bool>(onStandby, "SELECT pg_is_in_recovery();"), "the standby is in recovery");

        var both = new NpgsqlConnectionStringBuilder(onPrimary) { Host = $"127.0.0.1:{primary.Port},127.0.0.1:{standby.Port}" }.ConnectionString;
        using var app = new StandbyApp(SyntheticDataset.Write(SyntheticDataset.Build(20)), both).LoggingTo(output);
        using var reader = app.CreateClient();
        using var editor = app.CreateClient(TimelineApp.EditorKey);

        // The API migrated and seeded through the primary; the standby has replayed it.
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/health/ready")).StatusCode);
        await WaitForReplayAsync(onPrimary, onStandby);
        const string list = "/events?category=sanction&limit=200";
        using var first = await reader.GetAsync("/events/event-000");
        var etag = first.Headers.ETag!.ToString();
        var title = (await first.BodyAsync()).GetProperty("title").GetString()!;
        Assert.Contains(title, await reader.GetStringAsync(list), StringComparison.Ordinal);

        // The app holds connections to both servers: reads on the standby, writes (and the data version's ETags) apart.
        Assert.True(await AppConnectionsAsync(onStandby, database) > 0, "the app has connections to the standby");

        // Replay paused: the standby stays where it is while the primary goes on.
        await ScalarAsync<object>(onStandby, "SELECT pg_wal_replay_pause();");
        await WaitForAsync(async () => await ScalarAsync<string>(onStandby, "SELECT pg_get_wal_replay_pause_state();") == "paused");

        const string written = "Written while the standby waits";
        using var patched = await editor.SendJsonAsync(HttpMethod.Patch, "/events/event-000", new JsonObject { ["title"] = written }, etag, "application/merge-patch+json");
        await patched.AssertStatusAsync(HttpStatusCode.OK); // a standby takes no writes: the primary did
        Assert.Equal(written, await ScalarAsync<string>(onPrimary, "SELECT title FROM events WHERE id = 'event-000';"));
        Assert.Equal(title, await ScalarAsync<string>(onStandby, "SELECT title FROM events WHERE id = 'event-000';"));

        // Reads through the API are the standby's: the write is not there yet, under the ETags of the state they show.
        await Task.Delay(300); // past the data version's refresh interval
        Assert.DoesNotContain(written, await reader.GetStringAsync(list), StringComparison.Ordinal);
        using var stale = await reader.GetAsync("/events/event-000");
        Assert.Equal(title, (await stale.BodyAsync()).GetProperty("title").GetString());
        Assert.Equal(etag, stale.Headers.ETag!.ToString());

        // If-Match is decided on the primary: the ETag the write answered with is current there (a second write with it
        // succeeds while the standby still lags), and the older one a standby read handed out is refused, never lost.
        using var refused = await editor.SendJsonAsync(HttpMethod.Patch, "/events/event-000", new JsonObject { ["title"] = "A lost update" }, etag, "application/merge-patch+json");
        await refused.AssertStatusAsync(HttpStatusCode.PreconditionFailed);
        const string again = "Written twice while the standby waits";
        using var second = await editor.SendJsonAsync(HttpMethod.Patch, "/events/event-000", new JsonObject { ["title"] = again }, patched.Headers.ETag!.ToString(), "application/merge-patch+json");
        await second.AssertStatusAsync(HttpStatusCode.OK);

        // Replay resumed: the reads catch up, with the write's own ETag.
        await ScalarAsync<object>(onStandby, "SELECT pg_wal_replay_resume();");
        await WaitForReplayAsync(onPrimary, onStandby);
        await WaitForAsync(async () => (await reader.GetStringAsync(list)).Contains(again, StringComparison.Ordinal));

        // A data version read while the standby was still replaying may tag an answer for one refresh interval more (its
        // body then newer than its tag, never older): the write's own ETag comes once the next version is read.
        await WaitForAsync(async () =>
        {
            using var caughtUp = await reader.GetAsync("/events/event-000");
            return (await caughtUp.BodyAsync()).GetProperty("title").GetString() == again && caughtUp.Headers.ETag!.Equals(second.Headers.ETag);
        });
        output.WriteLine($"primary :{primary.Port}, standby :{standby.Port}; app connections: {await AppConnectionsAsync(onPrimary, database)} on the primary, {await AppConnectionsAsync(onStandby, database)} on the standby");
    }

    /// <summary>The connections the app (application_name timeline) holds to the database on a server.</summary>
    private static Task<long> AppConnectionsAsync(string connectionString, string database) =>
        ScalarAsync<long>(connectionString, $"SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'timeline' AND datname = '{database}';");

    /// <summary>Waits until the standby has replayed everything the primary has written so far.</summary>
    private static async Task WaitForReplayAsync(string onPrimary, string onStandby)
    {
        var target = await ScalarAsync<string>(onPrimary, "SELECT pg_current_wal_lsn()::text;");
        await WaitForAsync(async () => await ScalarAsync<bool>(onStandby, $"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn;"));
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "test" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)Convert.ChangeType(value, typeof(T) == typeof(object) ? value.GetType() : typeof(T), CultureInfo.InvariantCulture);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30), "the condition did not hold within 30 s");
            await Task.Delay(50);
        }
    }
}

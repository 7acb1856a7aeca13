using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Timeline.Store.Sqlite;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// The open connections kept with their prepared statements for the requests' reads (Storage/ReadSessions.cs):
/// a query asked again runs the statement already prepared, a failed session is not lent again, list parameters
/// expand as Dapper expands them, and a snapshot holds one state of the store until the lease ends.
/// </summary>
public class ReadSessionTests(ITestOutputHelper output)
{
    private sealed class UncachedApp() : OperationsApp(new Dictionary<string, string>
    {
        // Every request reaches the store (no response cache), so each one runs its query.
        ["Timeline:ResponseCacheMegabytes"] = "0",
    });

    [Fact]
    public async Task A_list_asked_again_runs_its_prepared_statement_instead_of_preparing_it_again()
    {
        using var app = new UncachedApp().LoggingTo(output);
        using var client = app.CreateClient();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync("/events?category=entity-listing&limit=3");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // One command per session for the query, run again on each request.
        var sessions = app.Services.GetRequiredService<ReadSessions>();
        var idle = sessions.Idle;
        var runs = idle.SelectMany(s => s.Runs)
            .Where(r => r.Key.StartsWith("SELECT e.seq, e.id", StringComparison.Ordinal) && r.Key.Contains("e.category IN", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(6, runs.Sum(r => r.Value));
        Assert.True(runs.Count <= idle.Count, $"{runs.Count} commands for one query on {idle.Count} sessions");
        var (sql, times) = runs.MaxBy(r => r.Value);
        Assert.True(times > 1);

        // SQLite's own count of the runs of the statement the session holds for that text: it has run once for each
        // request that session served, so it was kept prepared between them and not prepared anew.
        var leases = new List<ReadSession>();
        try
        {
            for (var i = 0; i < idle.Count; i++)
            {
                leases.Add(await sessions.RentAsync(CancellationToken.None));
            }

            var session = leases.First(s => s.Runs.GetValueOrDefault(sql) == times);
            var again = new DynamicParameters();
            again.Add("Categories1", "entity-listing");
            again.Add("Take", 4);
            var statementRuns = await session.QueryAsync(sql, again, StatementRuns, CancellationToken.None);
            Assert.Equal(times + 1, statementRuns);
            Assert.All(leases, s => Assert.True(s.PreparedStatementBytes > 0));
        }
        finally
        {
            foreach (var lease in leases)
            {
                await lease.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_statement_run_again_on_a_session_is_the_one_prepared_the_first_time()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var client = app.CreateClient();
        (await client.GetAsync("/events?limit=1")).EnsureSuccessStatusCode();
        var sessions = app.Services.GetRequiredService<ReadSessions>();
        await using var session = await sessions.RentAsync(CancellationToken.None);
        const string Sql = "SELECT id FROM entities WHERE id IN @Ids ORDER BY id;";

        var counts = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var parameters = new DynamicParameters();
            parameters.Add("Ids", new[] { "smic", i % 2 == 0 ? "huawei" : "no-such-entity" });
            counts.Add(await session.QueryAsync(Sql, parameters, StatementRuns, CancellationToken.None));
        }

        Assert.Equal([1, 2, 3], counts);
    }

    [Theory]
    [InlineData("/events?entity=smic&from={0}&to=2026-01-01&sort=date&limit=2")]
    [InlineData("/events?category=entity-listing&from={0}&to=2026-01-01&sort=date&limit=2")]
    [InlineData("/events?from={0}&to=2026-01-01&sort=-date&limit=2")]
    [InlineData("/events?from={0}&sort=date&limit=2")]
    [InlineData("/events?q=huawei&from={0}&to=2026-01-01&limit=2")]
    public async Task A_list_asked_with_other_values_is_not_prepared_again(string url)
    {
        using var app = new UncachedApp().LoggingTo(output);
        using var client = app.CreateClient();
        foreach (var from in new[] { "2019-01-01", "2019-06-01", "2020-01-01", "2020-12-01", "2021-03-15", "2023-09-01" })
        {
            using var response = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, url, from));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // SQLite prepares a statement again when its plan may depend on a bound value (the query planner looked at
        // the value, as it may when matching partial indexes): each request would pay the planning again.
        var sessions = app.Services.GetRequiredService<ReadSessions>();
        Assert.NotEmpty(sessions.Idle);
        Assert.All(sessions.Idle, session => Assert.Equal(0, session.Reprepares));
    }

    [Fact]
    public async Task A_session_closed_inside_its_snapshot_leaves_no_transaction_on_the_pooled_connection()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var client = app.CreateClient();
        (await client.GetAsync("/events?limit=1")).EnsureSuccessStatusCode();
        var database = app.Services.GetRequiredService<SqliteConnections>();
        var sessions = app.Services.GetRequiredService<ReadSessions>();

        // Closed while its BEGIN is still open (as when its ROLLBACK failed): Microsoft.Data.Sqlite's pool takes the
        // physical connection back as it is, so the session must end the transaction itself.
        var session = await sessions.RentAsync(CancellationToken.None);
        session.BeginSnapshot();
        var handle = session.Connection.Handle!;
        Assert.Equal(0, SQLitePCL.raw.sqlite3_get_autocommit(handle));
        session.Close();

        // Every pooled connection can begin a write transaction (none is left inside a read one).
        var connections = new List<SqliteConnection>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var connection = await database.OpenAsync(CancellationToken.None);
                connections.Add(connection);
                Assert.Equal(1, SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle!));
            }

            Assert.Contains(connections, c => ReferenceEquals(c.Handle, handle)); // the same physical connection came back
            using var transaction = connections[0].BeginTransaction();
            transaction.Rollback();
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Steps through the rows, then reads SQLITE_STMTSTATUS_RUN: how many times this prepared statement has run.</summary>
    private static int StatementRuns(SqliteDataReader reader)
    {
        while (reader.Read())
        {
        }

        const int Run = 6; // SQLITE_STMTSTATUS_RUN
        return SQLitePCL.raw.sqlite3_stmt_status(reader.Handle, Run, 0);
    }

    [Fact]
    public async Task A_session_whose_statement_failed_is_closed_not_lent_again()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var client = app.CreateClient();
        (await client.GetAsync("/events?limit=1")).EnsureSuccessStatusCode();
        var sessions = app.Services.GetRequiredService<ReadSessions>();

        var failing = await sessions.RentAsync(CancellationToken.None);
        await Assert.ThrowsAsync<SqliteException>(() => failing.QueryAsync("SELECT no_such_column FROM events;", null, r => r.Read(), CancellationToken.None));
        await failing.DisposeAsync();

        Assert.DoesNotContain(failing, sessions.Idle);
        Assert.Null(failing.Connection.Handle); // closed

        await using var next = await sessions.RentAsync(CancellationToken.None);
        Assert.NotSame(failing, next);
        Assert.True(await next.QueryAsync("SELECT 1 FROM events LIMIT 1;", null, r => r.Read(), CancellationToken.None));
    }

    [Fact]
    public async Task A_list_parameter_becomes_parameters_padded_to_a_power_of_two_and_an_empty_list_matches_nothing()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var client = app.CreateClient();
        (await client.GetAsync("/events?limit=1")).EnsureSuccessStatusCode();
        var sessions = app.Services.GetRequiredService<ReadSessions>();

        async Task<List<string>> IdsAsync(string[] ids, string[] other)
        {
            await using var session = await sessions.RentAsync(CancellationToken.None);
            var parameters = new DynamicParameters();
            parameters.Add("Ids", ids);
            parameters.Add("IdsOther", other); // a list whose name begins with the other's: each expands on its own
            return await session.QueryAsync(
                "SELECT id FROM entities WHERE id IN @Ids OR id IN @IdsOther ORDER BY id;",
                parameters,
                reader =>
                {
                    var found = new List<string>();
                    while (reader.Read())
                    {
                        found.Add(reader.GetString(0));
                    }

                    return found;
                },
                CancellationToken.None);
        }

        Assert.Equal(["huawei", "smic"], await IdsAsync(["smic", "huawei", "no-such-entity"], ["none"]));
        Assert.Equal(["huawei"], await IdsAsync([], ["huawei"]));
        Assert.Equal(["huawei", "smic"], await IdsAsync(["smic"], ["huawei", "none", "none", "none", "none"]));
        Assert.Empty(await IdsAsync([], []));
        Assert.Empty(await IdsAsync(["none"], []));

        // Lists of 5 to 8 items pad to one statement of eight parameters (the last item again), not four statements.
        await using var session = await sessions.RentAsync(CancellationToken.None);
        foreach (var count in new[] { 5, 6, 7, 8 })
        {
            var parameters = new DynamicParameters();
            parameters.Add("Ids", Enumerable.Range(0, count).Select(i => i == 0 ? "smic" : $"no-such-{i}").ToArray());
            Assert.True(await session.QueryAsync("SELECT 1 FROM entities WHERE id IN @Ids;", parameters, r => r.Read(), CancellationToken.None));
        }

        var padded = Assert.Single(session.Runs, r => r.Key.StartsWith("SELECT 1 FROM entities", StringComparison.Ordinal));
        Assert.Equal("SELECT 1 FROM entities WHERE id IN (@Ids1, @Ids2, @Ids3, @Ids4, @Ids5, @Ids6, @Ids7, @Ids8);", padded.Key);
        Assert.Equal(4, padded.Value);
    }

    [Fact]
    public async Task A_snapshot_sees_one_state_of_the_store_until_its_lease_ends()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var client = app.CreateClient();
        (await client.GetAsync("/events?limit=1")).EnsureSuccessStatusCode();
        var sessions = app.Services.GetRequiredService<ReadSessions>();
        const string TitleOfSmic = "SELECT name FROM entities WHERE id = 'smic';";

        await using (var session = await sessions.RentAsync(CancellationToken.None))
        {
            session.BeginSnapshot();
            var before = await session.QueryAsync(TitleOfSmic, null, r => r.Read() ? r.GetString(0) : null, CancellationToken.None);

            await using (var writer = new SqliteConnection(app.Services.GetRequiredService<SqliteConnections>().ConnectionString))
            {
                await writer.OpenAsync();
                await writer.ExecuteAsync("UPDATE entities SET name = name || ' (renamed)' WHERE id = 'smic';");
            }

            Assert.Equal(before, await session.QueryAsync(TitleOfSmic, null, r => r.Read() ? r.GetString(0) : null, CancellationToken.None));
        }

        await using var after = await sessions.RentAsync(CancellationToken.None);
        Assert.EndsWith(" (renamed)", await after.QueryAsync(TitleOfSmic, null, r => r.Read() ? r.GetString(0) : null, CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_connection_to_the_store_has_its_own_mutex_so_a_statement_finalized_by_the_garbage_collector_cannot_corrupt_it()
    {
        // A SqliteCommand nobody disposed is finalized on the garbage collector's finalizer thread, and finalizes its
        // prepared statements on its pooled connection whenever that happens, while another request may be using the
        // connection. Only SQLite's serialized mode makes that safe: each connection then has a mutex of its own, which
        // sqlite3_db_mutex returns (NULL in multi-thread mode, which crashed the test host once, inside SQLite).
        using var app = new UncachedApp().LoggingTo(output);
        using var client = app.CreateClient();
        using (var response = await client.GetAsync("/events?limit=3"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var sessions = app.Services.GetRequiredService<ReadSessions>();
        await using (var session = await sessions.RentAsync(CancellationToken.None))
        {
            Assert.NotEqual(IntPtr.Zero, NativeSqlite.sqlite3_db_mutex(session.Connection.Handle!.DangerousGetHandle()));
        }

        await using var own = await app.Services.GetRequiredService<SqliteConnections>().OpenAsync(CancellationToken.None);
        Assert.NotEqual(IntPtr.Zero, NativeSqlite.sqlite3_db_mutex(own.Handle!.DangerousGetHandle()));
    }

    /// <summary>The one SQLite function this needs that SQLitePCL.raw does not wrap, from the same native library.</summary>
    private static class NativeSqlite
    {
        [System.Runtime.InteropServices.DllImport("e_sqlite3")]
        public static extern IntPtr sqlite3_db_mutex(IntPtr db);
    }
}

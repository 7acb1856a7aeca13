using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Timeline.Api.Storage;

namespace Timeline.Api.Tests;

/// <summary>
/// The open connections kept with their prepared statements for the requests' reads (Storage/ReadSessions.cs):
/// a query asked again runs the statement already prepared, a failed session is not lent again, list parameters
/// expand as Dapper expands them, and a snapshot holds one state of the store until the lease ends.
/// </summary>
public class ReadSessionTests
{
    private sealed class UncachedApp() : OperationsApp(new Dictionary<string, string>
    {
        // Every request reaches the store (no response cache), so each one runs its query.
        ["Timeline:ResponseCacheMegabytes"] = "0",
    });

    [Fact]
    public async Task A_list_asked_again_runs_its_prepared_statement_instead_of_preparing_it_again()
    {
        using var app = new UncachedApp();
        using var client = app.CreateClient();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync("/events?category=entity-listing&limit=3");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // One command per session for the query, run again on each request; its statement stays prepared in SQLite between them.
        var sessions = app.Services.GetRequiredService<ReadSessions>().Idle;
        var runs = sessions.SelectMany(s => s.Runs)
            .Where(r => r.Key.StartsWith("SELECT e.seq, e.id", StringComparison.Ordinal) && r.Key.Contains("e.category IN", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(6, runs.Sum(r => r.Value));
        Assert.True(runs.Count <= sessions.Count, $"{runs.Count} commands for one query on {sessions.Count} sessions");
        Assert.Contains(runs, r => r.Value > 1);
        Assert.All(sessions, s => Assert.True(s.PreparedStatementBytes > 0));
    }

    [Fact]
    public async Task A_session_whose_statement_failed_is_closed_not_lent_again()
    {
        using var app = new OperationsApp();
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
    public async Task A_list_parameter_becomes_one_parameter_per_item_and_an_empty_list_matches_nothing()
    {
        using var app = new OperationsApp();
        using var client = app.CreateClient();
        (await client.GetAsync("/events?limit=1")).EnsureSuccessStatusCode();
        var sessions = app.Services.GetRequiredService<ReadSessions>();

        async Task<List<string>> IdsAsync(string[] ids, string other)
        {
            await using var session = await sessions.RentAsync(CancellationToken.None);
            var parameters = new DynamicParameters();
            parameters.Add("Ids", ids);
            parameters.Add("IdsOther", other); // a name the list's name begins: left alone by the expansion
            return await session.QueryAsync(
                "SELECT id FROM entities WHERE id IN @Ids OR id = @IdsOther ORDER BY id;",
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

        Assert.Equal(["huawei", "smic"], await IdsAsync(["smic", "huawei", "no-such-entity"], "none"));
        Assert.Equal(["huawei"], await IdsAsync([], "huawei"));
        Assert.Empty(await IdsAsync([], "none"));
    }

    [Fact]
    public async Task A_snapshot_sees_one_state_of_the_store_until_its_lease_ends()
    {
        using var app = new OperationsApp();
        using var client = app.CreateClient();
        (await client.GetAsync("/events?limit=1")).EnsureSuccessStatusCode();
        var sessions = app.Services.GetRequiredService<ReadSessions>();
        const string TitleOfSmic = "SELECT name FROM entities WHERE id = 'smic';";

        await using (var session = await sessions.RentAsync(CancellationToken.None))
        {
            session.BeginSnapshot();
            var before = await session.QueryAsync(TitleOfSmic, null, r => r.Read() ? r.GetString(0) : null, CancellationToken.None);

            await using (var writer = new SqliteConnection(app.Services.GetRequiredService<Database>().ConnectionString))
            {
                await writer.OpenAsync();
                await writer.ExecuteAsync("UPDATE entities SET name = name || ' (renamed)' WHERE id = 'smic';");
            }

            Assert.Equal(before, await session.QueryAsync(TitleOfSmic, null, r => r.Read() ? r.GetString(0) : null, CancellationToken.None));
        }

        await using var after = await sessions.RentAsync(CancellationToken.None);
        Assert.EndsWith(" (renamed)", await after.QueryAsync(TitleOfSmic, null, r => r.Read() ? r.GetString(0) : null, CancellationToken.None), StringComparison.Ordinal);
    }
}

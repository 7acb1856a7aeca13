using Dapper;
using Npgsql;
using Timeline.Store.Postgres;

namespace Timeline.Api.Tests;

/// <summary>
/// PostgreSQL only: the connection settings the store adds to ConnectionStrings:Timeline, and that they hold on a real
/// server: statements stay prepared on a pooled connection from one request to the next.
/// </summary>
public sealed class PostgresConnectionsTests
{
    [Fact]
    public void A_connection_string_that_says_nothing_gets_the_stores_defaults()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnections.WithDefaults("Host=db.internal;Database=timeline;Username=app"));

        Assert.Equal(64, builder.MaxAutoPrepare);
        Assert.True(builder.NoResetOnClose);
        Assert.Equal("timeline", builder.ApplicationName);
        Assert.Equal("db.internal", builder.Host);
        Assert.Equal(30, builder.CommandTimeout); // Npgsql's own
    }

    [Theory]
    [InlineData("Host=h;Max Auto Prepare=0;No Reset On Close=false;Application Name=reporting;Command Timeout=7")]
    [InlineData("Host=h;maxautoprepare=0;NORESETONCLOSE=false;applicationname=reporting;commandtimeout=7")]
    public void What_the_connection_string_says_is_kept_however_it_is_spelled(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnections.WithDefaults(connectionString));

        Assert.Equal(0, builder.MaxAutoPrepare);
        Assert.False(builder.NoResetOnClose);
        Assert.Equal("reporting", builder.ApplicationName);
        Assert.Equal(7, builder.CommandTimeout);
    }

    [Fact]
    public async Task A_statement_used_on_every_request_is_prepared_once_and_stays_prepared_in_the_pool()
    {
        var connectionString = PostgresCluster.Shared.CreateDatabase() + ";Maximum Pool Size=1";
        await using var database = PostgresCluster.Connections(connectionString);
        await PostgresMigrator.MigrateAsync(database, CancellationToken.None);
        const string Statement = "SELECT data_version FROM store_state WHERE id = @Id";

        // Ten requests, each on a connection taken from the pool and given back (one physical connection: pool size 1).
        for (var i = 0; i < 10; i++)
        {
            await using var c = await database.OpenReadAsync(CancellationToken.None);
            Assert.Equal(1L, await c.ExecuteScalarAsync<long>(Statement, new { Id = 1 }));
        }

        await using var check = await database.OpenReadAsync(CancellationToken.None);
        var prepared = (await check.QueryAsync<string>("SELECT statement FROM pg_prepared_statements;")).ToList();
        Assert.Contains(prepared, s => s.Contains("FROM store_state WHERE id = $1", StringComparison.Ordinal));
    }
}

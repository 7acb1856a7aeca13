using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Timeline.Store.Postgres;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>The PostgreSQL engine's operations: backups are the database's own, readiness checks the primary and the schema.</summary>
public class PostgresOperationsTests(OperationsApp fixture, ITestOutputHelper output) : IClassFixture<OperationsApp>
{
    private readonly OperationsApp app = fixture.LoggingTo(output);

    [Fact]
    public async Task A_backup_is_refused_with_a_problem_that_names_the_databases_own_tools()
    {
        using var admin = app.CreateClient(app.AdminKey);
        using var response = await admin.PostAsync("/admin/backup", null);

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.BodyAsync();
        Assert.Equal(501, problem.GetProperty("status").GetInt32());
        Assert.Equal("Backups are the database's own", problem.GetProperty("title").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("pg_dump -Fc", detail, StringComparison.Ordinal);
        Assert.Contains("pg_restore", detail, StringComparison.Ordinal);
        Assert.Contains("pg_basebackup", detail, StringComparison.Ordinal);

        // Still an admin's operation: an editor is refused before the engine is asked.
        using var editor = app.CreateClient(app.EditorKey);
        using var forbidden = await editor.PostAsync("/admin/backup", null);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task Readiness_reports_the_schema_version_of_the_primary_and_refuses_another()
    {
        using var client = app.CreateClient();
        var ready = await client.GetJsonAsync("/health/ready");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(PostgresMigrator.LatestVersion, ready.GetProperty("schemaVersion").GetInt32());

        // A schema this build does not know (a newer build migrated the database): not ready, and why.
        await using (var connection = new NpgsqlConnection(app.PostgresConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({PostgresMigrator.LatestVersion + 1}, 'from_the_future', 'now');", connection);
            await command.ExecuteNonQueryAsync();
        }

        try
        {
            using var notReady = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Contains($"this build expects {PostgresMigrator.LatestVersion}", (await notReady.BodyAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(app.PostgresConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DELETE FROM schema_migrations WHERE version > {PostgresMigrator.LatestVersion};", connection);
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task A_database_that_does_not_answer_is_not_ready_and_its_failures_are_busy_not_faults()
    {
        var health = app.Services.GetRequiredService<IStoreHealth>();
        Assert.Equal(StoreFailure.Busy, health.Classify(new NpgsqlException("connection refused", new System.Net.Sockets.SocketException())));
        Assert.Equal(StoreFailure.None, health.Classify(new InvalidOperationException("a fault")));

        // A server that is gone: readiness says it did not answer, it does not throw.
        var services = new ServiceCollection();
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new TimelineOptions()));
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Timeline"] = "Host=127.0.0.1;Port=1;Username=timeline;Database=none;Timeout=2" })
            .Build());
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<PostgresConnections>();
        services.AddSingleton<IStoreHealth, PostgresStoreHealth>();
        await using var provider = services.BuildServiceProvider();
        var readiness = await provider.GetRequiredService<IStoreHealth>().CheckAsync(CancellationToken.None);
        var unreachable = Assert.IsType<StoreReadiness.Unreachable>(readiness);
        Assert.Equal(StoreFailure.Unavailable, health.Classify(unreachable.Reason));
    }

    [Fact]
    public async Task A_database_that_refuses_connections_is_answered_with_503_problems_not_500s_and_service_resumes()
    {
        using var own = new OperationsApp().LoggingTo(output);
        using var client = own.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/events?limit=1")).StatusCode);

        var database = new NpgsqlConnectionStringBuilder(own.PostgresConnectionString).Database!;
        var onServer = PostgresCluster.Shared.ConnectionString("postgres");
        await ExecuteAsync(onServer, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}';");
        try
        {
            // Each pooled connection the server closed fails once as it is used (a transient failure: busy); then no
            // connection can be opened (unavailable). Every answer is a 503 problem that leaks nothing of the database.
            var titles = new List<string>();
            for (var i = 0; i < 30 && !titles.Contains("Store unavailable"); i++)
            {
                using var response = await client.GetAsync($"/events?limit={i + 2}&sort=-date");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var text = await response.Content.ReadAsStringAsync();
                Assert.DoesNotContain("Npgsql", text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(database, text, StringComparison.Ordinal);
                Assert.DoesNotContain("connection", text, StringComparison.OrdinalIgnoreCase);
                Assert.True(response.Headers.RetryAfter is not null, "a 503 says when to try again");
                titles.Add(System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("title").GetString()!);
            }

            Assert.Contains("Store unavailable", titles);
            Assert.All(titles, t => Assert.True(t is "Store unavailable" or "Store busy", $"a 503 titled {t}"));
            using var writer = own.CreateClient(own.EditorKey);
            using var refused = await writer.SendJsonAsync(HttpMethod.Post, "/events", Curation.NewEvent("while-the-database-refuses", "Written while the database refuses connections"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        }
        finally
        {
            await ExecuteAsync(onServer, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true;");
        }

        // Once the database takes connections again, the same replica answers (Npgsql tries a host it found down again
        // after Host Recheck Seconds, 10 by default), and nothing was written meanwhile.
        var deadline = DateTime.UtcNow.AddSeconds(40);
        HttpStatusCode status;
        var attempt = 0;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            using var back = await client.GetAsync($"/events?sort=-date&limit={40 + (attempt++ % 150)}"); // a new URL each time: never a cached answer
            status = back.StatusCode;
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"answered {status}");
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/events/while-the-database-refuses")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Timeline.Store.Postgres;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// PostgreSQL only: replicas starting together on one empty database migrate and seed it exactly once, and the seed's
/// revisions are the SQLite engine's, record for record.
/// </summary>
public sealed class PostgresStartupTests(ITestOutputHelper output)
{
    /// <summary>
    /// A replica's start, as its host runs it: the engine's connections, data version and initializer (the hosted service
    /// every replica runs first), on the database given.
    /// </summary>
    private sealed class Replica : IAsyncDisposable
    {
        public Replica(string connectionString, string seedPath)
        {
            var options = Options.Create(new TimelineOptions { Store = TimelineOptions.StorePostgres, SeedPath = seedPath });
            Connections = PostgresCluster.Connections(connectionString, options.Value);
            DataVersion = new PostgresDataVersion(Connections, options, TimeProvider.System);
            Initializer = new PostgresStoreInitializer(Connections, DataVersion, options, TimeProvider.System, NullLogger<PostgresStoreInitializer>.Instance);
        }

        public PostgresConnections Connections { get; }

        public PostgresDataVersion DataVersion { get; }

        public PostgresStoreInitializer Initializer { get; }

        public ValueTask DisposeAsync() => Connections.DisposeAsync();
    }

    /// <summary>An app on the SQLite engine, whatever engine the suite runs on.</summary>
    private sealed class OnSqlite : TimelineApp
    {
        protected override void ConfigureSettings(IWebHostBuilder builder) =>
            builder.UseSetting("Timeline:Store", TimelineOptions.StoreSqlite);
    }

    private sealed record Revision(long Seq, string Resource, string ResourceId, long Version, string Action, string Actor, string At, string Document, string? Reason);

    [Fact]
    public async Task Three_replicas_starting_at_once_on_an_empty_database_migrate_and_seed_it_once()
    {
        var connectionString = PostgresCluster.Shared.CreateDatabase();
        var replicas = Enumerable.Range(0, 3).Select(_ => new Replica(connectionString, RepositoryFiles.ReferenceDataset)).ToList();
        try
        {
            await Task.WhenAll(replicas.Select(r => Task.Run(() => r.Initializer.StartAsync(CancellationToken.None))));

            var dataset = await DatasetReader.ReadAndValidateAsync(RepositoryFiles.ReferenceDataset, CancellationToken.None);
            await using var connection = new NpgsqlConnection(connectionString);
            Assert.Equal(PostgresMigrator.All.Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_migrations;"));
            Assert.Equal(dataset.Sources.Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sources;"));
            Assert.Equal(dataset.Entities.Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM entities;"));
            Assert.Equal(dataset.Events.Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM events;"));
            Assert.Equal(
                dataset.Sources.Count + dataset.Entities.Count + dataset.Events.Count,
                await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM revisions WHERE actor = 'seed' AND action = 'create' AND version = 1;"));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM revisions WHERE actor <> 'seed';"));

            // One seed, one move of the data version (from 1, the empty store's), seen alike by every replica.
            Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT data_version FROM store_state;"));
            var versions = new List<StoreVersion>();
            foreach (var replica in replicas)
            {
                versions.Add(await replica.DataVersion.GetAsync(CancellationToken.None));
            }

            Assert.Single(versions.Distinct());
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }

            PostgresCluster.Shared.DropDatabase(connectionString);
        }
    }

    [Fact]
    public async Task The_seed_writes_the_same_revisions_in_the_same_order_as_the_SQLite_engine()
    {
        var connectionString = PostgresCluster.Shared.CreateDatabase();
        try
        {
            await using (var replica = new Replica(connectionString, RepositoryFiles.ReferenceDataset))
            {
                await replica.Initializer.StartAsync(CancellationToken.None);
            }

            using var sqlite = new OnSqlite().LoggingTo(output);
            _ = sqlite.Server;
            await CompareAsync(connectionString, sqlite.DatabasePath);
        }
        finally
        {
            PostgresCluster.Shared.DropDatabase(connectionString);
        }
    }

    private static async Task CompareAsync(string connectionString, string sqlitePath)
    {
        await using var pg = new NpgsqlConnection(connectionString);
        var fromPostgres = (await pg.QueryAsync<Revision>("SELECT seq, resource, resource_id AS ResourceId, version, action, actor, at, document, reason FROM revisions ORDER BY seq;")).ToList();
        await using var lite = new SqliteConnection($"Data Source={sqlitePath};Mode=ReadOnly;Pooling=False");
        var fromSqlite = (await lite.QueryAsync<Revision>("SELECT seq, resource, resource_id AS ResourceId, version, action, actor, at, document, reason FROM revisions ORDER BY seq;")).ToList();

        Assert.NotEmpty(fromSqlite);
        Assert.Equal(fromSqlite.Count, fromPostgres.Count);
        for (var i = 0; i < fromSqlite.Count; i++)
        {
            // The time is each app's own start; everything else (positions included) is the same.
            Assert.Equal(fromSqlite[i] with { At = string.Empty }, fromPostgres[i] with { At = string.Empty });
        }
    }
}

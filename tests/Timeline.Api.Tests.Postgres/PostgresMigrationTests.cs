using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using Timeline.Store.Postgres;

namespace Timeline.Api.Tests;

/// <summary>PostgreSQL only: the engine's own migrations, applied once under the advisory lock however many replicas start at once.</summary>
public sealed class PostgresMigrationTests
{
    private static PostgresConnections Connections(string connectionString) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Timeline"] = connectionString }).Build(),
            Options.Create(new TimelineOptions()));

    [Fact]
    public async Task Four_replicas_migrating_an_empty_database_at_once_apply_each_migration_exactly_once()
    {
        var connectionString = PostgresCluster.Shared.CreateDatabase();
        try
        {
            var replicas = Enumerable.Range(0, 4).Select(_ => Connections(connectionString)).ToList();
            var applied = await Task.WhenAll(replicas.Select(r => Task.Run(() => PostgresMigrator.MigrateAsync(r, CancellationToken.None))));

            // One replica applied every migration; the others found the schema current and applied none.
            Assert.Single(applied, a => a.Count > 0);
            Assert.Equal(PostgresMigrator.All.Select(m => m.Version), applied.Single(a => a.Count > 0));
            Assert.Equal(3, applied.Count(a => a.Count == 0));

            await using var connection = new NpgsqlConnection(connectionString);
            var versions = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version;")).ToList();
            Assert.Equal(PostgresMigrator.All.Select(m => m.Version), versions);
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM store_state;"));
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
        finally
        {
            PostgresCluster.Shared.DropDatabase(connectionString);
        }
    }
}

using Dapper;
using Npgsql;
using Timeline.Model.Store.Engine;
using Timeline.Store.Postgres;

namespace Timeline.Api.Tests;

/// <summary>PostgreSQL only: the engine's per-record writer keeps the rows, child rows, former ids, revisions and data version as the SQLite engine's does.</summary>
public sealed class PostgresTimelineWriterTests
{
    [Fact]
    public async Task Writes_a_source_an_entity_and_an_event_then_renames_deletes_and_restores_with_one_revision_each()
    {
        var connectionString = PostgresCluster.Shared.CreateDatabase();
        try
        {
            await using var database = PostgresCluster.Connections(connectionString);
            await PostgresMigrator.MigrateAsync(database, CancellationToken.None);
            var ct = CancellationToken.None;
            var at = new DateTimeOffset(2026, 12, 7, 2, 30, 0, 123, TimeSpan.Zero);
            var change = new Change("tester", at, "because");
            const string Text = "The quick brown fox jumps over the lazy dog.";
            var source = new ValidSource("fox-source", "Fox", null, null, PartialDate.Parse("2020-01-02"), null, Text,
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Text))), []);
            var entity = new ValidEntity("fox", "Fox", "company", "US", ["Vulpes", "Reynard"], null);
            var ev = new ValidEvent("fox-jumps", PartialDate.Parse("2020-03"), null, "Fox jumps", "It jumps.", "trade", ["b", "a"], [],
                [new ValidEntityLink("fox", "subject")], [new ValidCitation("fox-source", "brown fox", 10, 19)]);

            var (connection, transaction) = await database.BeginWriteAsync(ct);
            await using (connection)
            {
                Assert.Equal(1, await PostgresTimelineWriter.WriteSourceAsync(connection, transaction, source, "create", change, ct));
                Assert.Equal(1, await PostgresTimelineWriter.WriteEntityAsync(connection, transaction, entity, "create", change, ct));
                Assert.Equal(1, await PostgresTimelineWriter.WriteEventAsync(connection, transaction, ev, "create", change, ct));
                Assert.Equal(2, await PostgresTimelineWriter.WriteEventAsync(connection, transaction, ev with { Title = "Fox leaps" }, "update", change, ct));
                await PostgresTimelineWriter.TouchAsync(connection, transaction, change, ct);
                await transaction.CommitAsync(ct);
            }

            (connection, transaction) = await database.BeginWriteAsync(ct);
            await using (connection)
            {
                // A rename: the new event lists the old id as former, which retires it.
                var renamed = ev with { Id = "fox-leaps", FormerIds = ["fox-jumps"], Related = [], Supersedes = null };
                Assert.Equal(1, await PostgresTimelineWriter.WriteEventAsync(connection, transaction, renamed, "create", change with { Reason = null }, ct));
                Assert.Equal(2, await PostgresTimelineWriter.SetDeletedAsync(connection, transaction, "entity", "fox", deleted: true, "{}", change, ct));
                Assert.Equal(3, await PostgresTimelineWriter.SetDeletedAsync(connection, transaction, "entity", "fox", deleted: false, "{}", change, ct));
                await PostgresTimelineWriter.TouchAsync(connection, transaction, change, ct);
                await transaction.CommitAsync(ct);
            }

            await using var check = new NpgsqlConnection(connectionString);
            Assert.Equal(["a", "b"], (await check.QueryAsync<string>("SELECT tag FROM event_tags WHERE event_id = 'fox-leaps' ORDER BY tag;")).ToList());
            Assert.Equal("[\"a\",\"b\"]", await check.ExecuteScalarAsync<string>("SELECT tags FROM events WHERE id = 'fox-leaps';"));
            Assert.Equal(["Vulpes", "Reynard"], (await check.QueryAsync<string>("SELECT alias FROM entity_aliases WHERE entity_id = 'fox' ORDER BY ordinal;")).ToList());
            Assert.Equal((10, 19), await check.QuerySingleAsync<(int, int)>("SELECT start_offset, end_offset FROM citations WHERE event_id = 'fox-leaps';"));
            Assert.Equal("fox-leaps", await check.ExecuteScalarAsync<string>("SELECT current_id FROM former_ids WHERE resource = 'event' AND former_id = 'fox-jumps';"));
            Assert.Equal("2026-12-07T02:30:00.123Z", await check.ExecuteScalarAsync<string>("SELECT deleted_at FROM events WHERE id = 'fox-jumps';"));
            Assert.Equal(3, await check.ExecuteScalarAsync<long>("SELECT data_version FROM store_state;"));
            var revisions = (await check.QueryAsync<(string Resource, string Id, long Version, string Action, string? Reason)>(
                "SELECT resource, resource_id, version, action, reason FROM revisions ORDER BY seq;")).ToList();
            Assert.Equal(
                [("source", "fox-source", 1, "create", "because"), ("entity", "fox", 1, "create", "because"), ("event", "fox-jumps", 1, "create", "because"),
                 ("event", "fox-jumps", 2, "update", "because"), ("event", "fox-jumps", 3, "delete", null), ("event", "fox-leaps", 1, "create", null),
                 ("entity", "fox", 2, "delete", "because"), ("entity", "fox", 3, "restore", "because")],
                revisions);
            Assert.Contains("\"title\":\"Fox leaps\"", await check.ExecuteScalarAsync<string>("SELECT document FROM revisions WHERE resource_id = 'fox-jumps' AND version = 2;"));
        }
        finally
        {
            PostgresCluster.Shared.DropDatabase(connectionString);
        }
    }
}

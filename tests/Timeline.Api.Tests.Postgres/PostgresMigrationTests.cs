using Dapper;
using Npgsql;
using Timeline.Store.Postgres;

namespace Timeline.Api.Tests;

/// <summary>PostgreSQL only: the engine's own migrations, applied once under the advisory lock however many replicas start at once, and an upgrade of a store that holds events.</summary>
public sealed class PostgresMigrationTests
{
    [Fact]
    public async Task Four_replicas_migrating_an_empty_database_at_once_apply_each_migration_exactly_once()
    {
        var connectionString = PostgresCluster.Shared.CreateDatabase();
        try
        {
            var replicas = Enumerable.Range(0, 4).Select(_ => PostgresCluster.Connections(connectionString)).ToList();
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

    [Fact]
    public async Task A_store_of_schema_4_with_events_gets_its_entity_timelines_long_event_indexes_and_word_signatures_on_upgrade()
    {
        var connectionString = PostgresCluster.Shared.CreateDatabase();
        try
        {
            // A store as the first PostgreSQL release left it: migrations 1-4, with events linked to entities.
            await using (var c = new NpgsqlConnection(connectionString))
            {
                await c.OpenAsync();
                await c.ExecuteAsync("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL);");
                foreach (var migration in PostgresMigrator.All.Where(m => m.Version <= 4))
                {
                    await c.ExecuteAsync(migration.Sql);
                    await c.ExecuteAsync("INSERT INTO schema_migrations VALUES (@Version, @Name, 'then');", new { migration.Version, migration.Name });
                }

                await c.ExecuteAsync(
                    """
                    INSERT INTO entities (id, name, kind, created_at, updated_at) VALUES ('smic', 'SMIC', 'company', 't', 't'), ('huawei', 'Huawei', 'company', 't', 't');
                    INSERT INTO events (id, date, date_precision, end_date, first_day, last_day, title, summary, category, created_at, updated_at, deleted_at) VALUES
                        ('listing', '2020-12-18', 2, NULL, '2020-12-18', '2020-12-18', 'Listed', 'S', 'entity-listing', 't', 't', NULL),
                        ('rules', '2019', 0, '2023', '2019-01-01', '2023-12-31', 'Rules', 'S', 'export-control', 't', 't', NULL),
                        ('launch', '2023-08-29', 2, NULL, '2023-08-29', '2023-08-29', 'Mate 60', 'S', 'product-launch', 't', 't', NULL),
                        ('gone', '2021-01-01', 2, NULL, '2021-01-01', '2021-01-01', 'Gone', 'S', 'statement', 't', 't', 't');
                    INSERT INTO event_entities (event_id, entity_id, role, ordinal) VALUES
                        ('listing', 'smic', 'subject', 0), ('listing', 'smic', 'target', 1), ('rules', 'smic', 'target', 0),
                        ('rules', 'huawei', 'target', 1), ('launch', 'huawei', 'subject', 0), ('gone', 'smic', 'subject', 0);
                    INSERT INTO sources (id, title, text, sha256, created_at, updated_at) VALUES ('ft', 'FT', 'Listed today. Again.', 'x', 't', 't');
                    INSERT INTO citations (event_id, ordinal, source_id, quote, start_offset, end_offset) VALUES
                        ('listing', 1, 'ft', 'Again.', 14, 20), ('listing', 0, 'ft', 'Listed today.', 0, 13);
                    INSERT INTO event_search (seq, document) SELECT seq, ('''' || lower(title) || ''':1A')::tsvector FROM events WHERE deleted_at IS NULL;
                    """);
            }

            await using var connections = PostgresCluster.Connections(connectionString);
            await using var check = new NpgsqlConnection(connectionString);
            var version = await check.ExecuteScalarAsync<long>("SELECT data_version FROM store_state;");
            Assert.Equal([5, 6, 7, 8, 9, 10, 11, 12], await PostgresMigrator.MigrateAsync(connections, CancellationToken.None));

            var rows = (await check.QueryAsync<(string Entity, string Event, string First, int Precision, string Last)>(
                "SELECT entity_id, event_id, first_day, date_precision, last_day FROM entity_timeline ORDER BY entity_id, first_day, event_id;")).ToList();
            Assert.Equal(
                [
                    ("huawei", "rules", "2019-01-01", 0, "2023-12-31"), ("huawei", "launch", "2023-08-29", 2, "2023-08-29"),
                    ("smic", "rules", "2019-01-01", 0, "2023-12-31"), ("smic", "listing", "2020-12-18", 2, "2020-12-18"), ("smic", "gone", "2021-01-01", 2, "2021-01-01"),
                ],
                rows);
            Assert.Equal(
                ["events_long_timeline", "events_longest_timeline", "events_span"],
                (await check.QueryAsync<string>("SELECT indexname FROM pg_indexes WHERE indexname IN ('events_long_timeline', 'events_longest_timeline', 'events_span') ORDER BY 1;")).ToList());
            Assert.Equal(1825, await check.ExecuteScalarAsync<int>("SELECT max(timeline_span(first_day, last_day)) FROM events WHERE deleted_at IS NULL;"));

            // Migration 0012 found the search rows folded by an older build (here by hand: the whole title one lowercased
            // word), so the migrations' transaction rebuilt them from the tables, recorded the folding and moved the data version.
            Assert.Equal((1, version + 1), await check.QuerySingleAsync<(int, long)>("SELECT fold, data_version FROM search_rows_fold, store_state;"));
            Assert.Equal(
                ["'60':2A 'huawei':6 'mate':1A", "'again':7 'listed':1A,5 'smic':9 'today':6"],
                (await check.QueryAsync<string>("SELECT regexp_replace(s.document::text, ' ''s'':[0-9]+B', '') FROM event_search s JOIN events e ON e.seq = s.seq WHERE e.id IN ('launch', 'listing') ORDER BY e.id;")).ToList());

            // Each indexed event has the signature of its search row's words (migration 0007's SQL, and the rebuild's C#,
            // which agree); the deleted one has no row, no signature.
            Assert.Equal(
                [("gone", false), ("launch", true), ("listing", true), ("rules", true)],
                (await check.QueryAsync<(string, bool)>(
                    "SELECT e.id, e.words IS NOT NULL AND e.words = timeline_words(tsvector_to_array(s.document)) FROM events e LEFT JOIN event_search s ON s.seq = e.seq ORDER BY e.id;")).ToList());

            // ... and its search row the texts a snippet is picked from: quotes in order, the entities' names in the order of their first role.
            Assert.Equal(
                [("launch", null, "Huawei"), ("listing", "Listed today. … Again.", "SMIC"), ("rules", null, "SMIC ; Huawei")],
                (await check.QueryAsync<(string, string?, string?)>("SELECT e.id, s.quotes, s.names FROM event_search s JOIN events e ON e.seq = s.seq ORDER BY e.id;")).ToList());
            Assert.Equal(1L, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE indexname = 'event_search_document';"));

            // Migration 0008 made the days' GiST index again without the columns it carried.
            Assert.Equal(
                "CREATE INDEX events_days ON public.events USING gist (timeline_days(first_day, last_day)) WHERE (deleted_at IS NULL)",
                await check.ExecuteScalarAsync<string>("SELECT indexdef FROM pg_indexes WHERE indexname = 'events_days';"));

            // Migration 0009 indexed the long events again, led by their category.
            Assert.Equal(
                ["events_long_category_timeline", "events_longest_category_timeline"],
                (await check.QueryAsync<string>("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'events_long%category_timeline' ORDER BY 1;")).ToList());

            // Migration 0010 gave the four long events' indexes the words' signature, so a search's walk reads them alone.
            Assert.Equal(
                [
                    ("events_long_category_timeline", "INCLUDE (last_day, seq, words)"),
                    ("events_long_timeline", "INCLUDE (last_day, category, seq, words)"),
                    ("events_longest_category_timeline", "INCLUDE (last_day, seq, words)"),
                    ("events_longest_timeline", "INCLUDE (last_day, category, seq, words)"),
                ],
                (await check.QueryAsync<(string, string)>(
                    "SELECT indexname, substring(indexdef from 'INCLUDE \\([^)]*\\)') FROM pg_indexes WHERE indexname LIKE 'events_long%timeline' ORDER BY 1;")).ToList());

            // Migration 0011 made ids, codes, dates and instants compare byte by byte; free text keeps the database's collation.
            Assert.Empty(
                (await check.QueryAsync<string>(
                    """
                    SELECT table_name || '.' || column_name FROM information_schema.columns
                    WHERE table_schema = 'public' AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C'
                      AND (column_name IN ('id', 'event_id', 'entity_id', 'source_id', 'target_id', 'resource', 'resource_id', 'former_id', 'current_id', 'first_day', 'last_day', 'date', 'end_date', 'category', 'tag', 'role', 'kind', 'at', 'created_at', 'updated_at', 'deleted_at')
                           AND table_name NOT IN ('schema_migrations', 'store_state'))
                    ORDER BY 1;
                    """)).ToList());
            Assert.Equal(
                [("events", "title", (string?)null), ("sources", "text", null)],
                (await check.QueryAsync<(string, string, string?)>(
                    "SELECT table_name, column_name, collation_name FROM information_schema.columns WHERE (table_name, column_name) IN (('events', 'title'), ('sources', 'text')) ORDER BY 1;")).ToList());

            // ... and gathered the planner's statistics again, which a column's new collation drops (without them one
            // event by id ran at a twelfth of its rate at 1,000,000 events).
            Assert.Equal(
                ["entity_timeline.entity_id", "event_entities.entity_id", "events.first_day", "events.id"],
                (await check.QueryAsync<string>(
                    """
                    SELECT tablename || '.' || attname FROM pg_stats
                    WHERE schemaname = 'public' AND (tablename, attname) IN (('events', 'id'), ('events', 'first_day'), ('entity_timeline', 'entity_id'), ('event_entities', 'entity_id'))
                    ORDER BY 1;
                    """)).ToList());

            // A category's page from a date keeps its long event that goes on at the date (walked on those indexes).
            DefaultTypeMap.MatchNamesWithUnderscores = true;
            var pagesOfCategory = new PostgresEventPages(connections);
            var rules = await check.ExecuteScalarAsync<string>("SELECT category FROM events WHERE id = 'rules';");
            var ofCategory = await pagesOfCategory.ListAsync(
                new EventFilter(PartialDate.Parse("2022-06"), null, [rules!], [], [], null, null, EventOrder.Date, 10, null), null, CancellationToken.None);
            Assert.Equal("rules", ofCategory.Items[0].Id);

            // The entity's pages read its timeline: the deleted event left out, a from date keeps the long event that goes on at it.
            DefaultTypeMap.MatchNamesWithUnderscores = true;
            var pages = new PostgresEventPages(connections);
            var page = await pages.ListAsync(
                new EventFilter(PartialDate.Parse("2020-06"), null, [], ["smic"], [], null, null, EventOrder.Date, 10, null), null, CancellationToken.None);
            Assert.Equal(["rules", "listing"], page.Items.Select(i => i.Id));
        }
        finally
        {
            PostgresCluster.Shared.DropDatabase(connectionString);
        }
    }
}

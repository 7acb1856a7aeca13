using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Api.Tests;

/// <summary>
/// The SQLite engine's timeline numbering: events.seq in timeline order (with the search index and entity_timeline keyed
/// by it) after every kind of write, and renumbered when a store from before it is migrated. Engine-only: PostgreSQL
/// orders by an index and keeps no such numbering (tests/Timeline.Api.Tests.Postgres lists it).
/// </summary>
public partial class TimelineOrderTests
{
    [Fact]
    public async Task A_store_from_before_timeline_order_is_renumbered_when_it_is_migrated()
    {
        using var app = new TimelineApp().LoggingTo(output);
        await BuildVersion3StoreAsync(app.DatabasePath);

        using var reader = app.CreateClient();
        await AssertInTimelineOrderAsync(app.DatabasePath);
        var list = await reader.GetJsonAsync("/events?limit=10");
        Assert.Equal(["old-early", "old-middle", "old-late"], list.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
        Assert.Equal(["alpha", "beta"], list.GetProperty("items")[1].GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
        await AssertOrderedReadsAgreeAsync(reader, "legacy", "old-firm", expectedMatches: 3, "from=2010-07-15&to=2023");
    }

    /// <summary>
    /// Live events ordered by number are the timeline; the search index holds exactly the live events' numbers, with
    /// the columns the tables give (however the rows were written);
    /// entity_timeline holds one row per entity and event; each event's tags column is its sorted tags.
    /// </summary>
    private static async Task AssertInTimelineOrderAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        var bySeq = (await connection.QueryAsync<string>("SELECT id FROM events WHERE deleted_at IS NULL ORDER BY seq;")).ToList();
        var byKey = (await connection.QueryAsync<string>("SELECT id FROM events WHERE deleted_at IS NULL ORDER BY first_day, date_precision, id;")).ToList();
        Assert.NotEmpty(byKey);
        Assert.Equal(byKey, bySeq);

        var liveSeqs = (await connection.QueryAsync<long>("SELECT seq FROM events WHERE deleted_at IS NULL ORDER BY seq;")).ToList();
        Assert.Equal(liveSeqs, (await connection.QueryAsync<long>("SELECT rowid FROM events_fts ORDER BY rowid;")).ToList());
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM events e JOIN events_fts f ON f.rowid = e.seq
            WHERE f.title <> e.title OR f.summary <> e.summary
               OR f.tags <> COALESCE((SELECT group_concat(t.tag, ' ') FROM event_tags t WHERE t.event_id = e.id), '')
               OR f.quotes <> COALESCE((SELECT group_concat(c.quote, ' … ') FROM citations c WHERE c.event_id = e.id), '');
            """));

        var expectedLinks = (await connection.QueryAsync<string>(
            "SELECT DISTINCT ee.entity_id || ' ' || e.seq FROM event_entities ee JOIN events e ON e.id = ee.event_id ORDER BY 1;")).ToList();
        Assert.Equal(expectedLinks, (await connection.QueryAsync<string>("SELECT entity_id || ' ' || event_seq FROM entity_timeline ORDER BY 1;")).ToList());

        // A first load builds the secondary indexes after the rows: they are all there again.
        var indexes = (await connection.QueryAsync<string>("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL;")).ToHashSet();
        Assert.Superset(new HashSet<string> { "events_timeline", "events_category_timeline", "events_span", "events_updated", "event_tags_tag", "event_entities_entity", "citations_source" }, indexes);
        Assert.Equal(["ok"], await connection.QueryAsync<string>("PRAGMA integrity_check;"));

        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM events e
            WHERE e.tags <> (SELECT json_group_array(tag) FROM (SELECT t.tag FROM event_tags t WHERE t.event_id = e.id ORDER BY t.tag));
            """));
    }

    /// <summary>A store as schema version 3 left it: events numbered in the order they were written, not by date.</summary>
    private static async Task BuildVersion3StoreAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;");
        foreach (var migration in Migrator.All.Where(m => m.Version <= 3))
        {
            await connection.ExecuteAsync(migration.Sql);
            await connection.ExecuteAsync("INSERT INTO schema_migrations VALUES (@Version, @Name, '2026-01-01T00:00:00Z');", new { migration.Version, migration.Name });
        }

        const string Text = "Legacy text: the firm was listed. The firm shipped. The firm appealed.";
        await connection.ExecuteAsync(
            $"""
            INSERT INTO sources (id, title, text, sha256, notes, created_at, updated_at) VALUES ('legacy', 'Legacy', '{Text}', '{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Text)))}', '[]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
            INSERT INTO entities (id, name, kind, created_at, updated_at) VALUES ('old-firm', 'Old firm', 'company', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
            INSERT INTO events (seq, id, date, date_precision, first_day, last_day, title, summary, category, created_at, updated_at)
            VALUES (1, 'old-late', '2022-03-04', 2, '2022-03-04', '2022-03-04', 'Late legacy event', 'The firm appealed.', 'analysis', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                   (2, 'old-early', '2001', 0, '2001-01-01', '2001-12-31', 'Early legacy event', 'The firm was listed.', 'sanction', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                   (3, 'old-middle', '2010-07', 1, '2010-07-01', '2010-07-31', 'Middle legacy event', 'The firm shipped.', 'product-launch', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
            INSERT INTO event_tags (event_id, tag) VALUES ('old-middle', 'beta'), ('old-middle', 'alpha');
            INSERT INTO event_entities (event_id, entity_id, role, ordinal) VALUES ('old-late', 'old-firm', 'subject', 0), ('old-early', 'old-firm', 'target', 0), ('old-early', 'old-firm', 'subject', 1), ('old-middle', 'old-firm', 'manufacturer', 0);
            INSERT INTO citations (event_id, ordinal, source_id, quote, start_offset, end_offset) VALUES ('old-late', 0, 'legacy', 'The firm appealed.', 52, 70), ('old-early', 0, 'legacy', 'the firm was listed.', 13, 33), ('old-middle', 0, 'legacy', 'The firm shipped.', 34, 51);
            INSERT INTO events_fts (rowid, title, summary, tags, quotes) SELECT seq, title, summary, '', 'legacy' FROM events;
            """);
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
    }
}

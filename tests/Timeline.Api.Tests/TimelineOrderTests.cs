using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using Timeline.Store.Sqlite;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// The events table is kept in timeline order (Storage/TimelineOrder.cs) through every kind of write, and the
/// reads that rely on it (search in date order, one entity's events) give exactly what the plain timeline gives.
/// </summary>
public class TimelineOrderTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Events_written_one_at_a_time_keep_the_store_in_timeline_order()
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var editor = app.CreateClient(TimelineApp.EditorKey);

        // 45 events on one day, each sorting just before the one written before it: every one lands in the gap
        // the previous one halved, so the numbers between two neighbours run out and the rows around are spread out.
        for (var i = 44; i >= 0; i--)
        {
            var e = Curation.NewEvent(string.Create(CultureInfo.InvariantCulture, $"same-day-{i:00}"), "Orderly probe event");
            e["date"] = "2021-06-15";
            using var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", e);
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        // Appended at the end, prepended at the start, and one moved from 2023 to 1999 by a PATCH.
        foreach (var (id, date) in new[] { ("far-future", "2029-01-02"), ("far-past", "1990"), ("mid-month", "2021-06") })
        {
            var e = Curation.NewEvent(id, "Orderly probe event");
            e["date"] = date;
            using var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", e);
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        var etag = await editor.ETagAsync("/events/same-day-30");
        using (var moved = await editor.SendJsonAsync(HttpMethod.Patch, "/events/same-day-30", new JsonObject { ["date"] = "1999-03" }, etag, "application/merge-patch+json"))
        {
            await moved.AssertStatusAsync(HttpStatusCode.OK);
        }

        // Deleted, then others take its place, then restored: it is placed again.
        etag = await editor.ETagAsync("/events/same-day-10");
        using (var deleted = await editor.SendJsonAsync(HttpMethod.Delete, "/events/same-day-10", null, etag))
        {
            await deleted.AssertStatusAsync(HttpStatusCode.NoContent);
        }

        foreach (var id in new[] { "same-day-10a", "same-day-10b", "same-day-09z" })
        {
            var e = Curation.NewEvent(id, "Orderly probe event");
            e["date"] = "2021-06-15";
            using var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", e);
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        using (var restored = await editor.SendJsonAsync(HttpMethod.Post, "/events/same-day-10/restore", null))
        {
            await restored.AssertStatusAsync(HttpStatusCode.OK);
        }

        await AssertInTimelineOrderAsync(app.DatabasePath);
        using var reader = app.CreateClient();
        await AssertOrderedReadsAgreeAsync(reader, "orderly", "qualcomm", expectedMatches: 51, "from=2021-06-10&to=2029");
    }

    [Fact]
    public async Task Imports_into_a_store_with_events_place_new_and_changed_events()
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var admin = app.CreateClient(TimelineApp.AdminKey);

        // Few events: each is placed among the stored ones (one of them an update that moves a curated event).
        var small = SyntheticDataset.Build(30);
        var curated = JsonNode.Parse(await admin.GetStringAsync("/export"))!.AsObject();
        var moved = curated["events"]!.AsArray().First(e => e!["id"]!.GetValue<string>() == "smic-added-to-us-sanctions-list")!.DeepClone().AsObject();
        moved["date"] = "2018-05";
        small["events"]!.AsArray().Add(moved);
        using (var imported = await admin.SendJsonAsync(HttpMethod.Post, "/import", small))
        {
            await imported.AssertStatusAsync(HttpStatusCode.OK);
        }

        await AssertInTimelineOrderAsync(app.DatabasePath);

        // Many events: more than placing one by one is worth, so the whole table is renumbered.
        var large = SyntheticDataset.Build(TimelineOrder.RenumberThreshold + 200);
        using (var imported = await admin.SendJsonAsync(HttpMethod.Post, "/import", large))
        {
            await imported.AssertStatusAsync(HttpStatusCode.OK);
        }

        await AssertInTimelineOrderAsync(app.DatabasePath);
        using var reader = app.CreateClient();
        Assert.Equal("2018-05", (await reader.GetJsonAsync("/events/smic-added-to-us-sanctions-list")).GetProperty("date").GetString());
        await AssertOrderedReadsAgreeAsync(reader, "synthetic", "acme", expectedMatches: TimelineOrder.RenumberThreshold + 200, "from=2020-01-15&to=2022-06");
    }

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

    [Fact]
    public async Task A_relevance_cursor_keeps_its_place_when_the_event_it_stopped_at_moves_on_the_timeline()
    {
        using var app = new TimelineApp().LoggingTo(output);
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        using var reader = app.CreateClient();

        // Five events alike but for id and date: their relevance is equal, so ties decide the order.
        foreach (var (id, day) in new[] { ("tie-a", 1), ("tie-b", 2), ("tie-c", 3), ("tie-d", 4), ("tie-e", 5) })
        {
            var e = Curation.NewEvent(id, "Zebrafish probe");
            e["date"] = $"2020-01-0{day}";
            using var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", e);
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        var first = await reader.GetJsonAsync("/events?q=zebrafish&sort=relevance&limit=2");
        var seen = first.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
        Assert.Equal(["tie-a", "tie-b"], seen);

        // The event the cursor stopped at moves years later.
        var etag = await editor.ETagAsync("/events/tie-b");
        using (var moved = await editor.SendJsonAsync(HttpMethod.Patch, "/events/tie-b", new JsonObject { ["date"] = "2024-06-01" }, etag, "application/merge-patch+json"))
        {
            await moved.AssertStatusAsync(HttpStatusCode.OK);
        }

        var cursor = first.GetProperty("nextCursor").GetString();
        while (cursor is not null)
        {
            var page = await reader.GetJsonAsync("/events?q=zebrafish&sort=relevance&limit=2&cursor=" + Uri.EscapeDataString(cursor));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }

        // Nothing after the cursor's place is lost; the moved event comes again at its new place.
        Assert.Equal(["tie-a", "tie-b", "tie-c", "tie-d", "tie-e", "tie-b"], seen);
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

    /// <summary>A search in date order and one entity's events, paged both ways, are exactly the plain timeline filtered.</summary>
    private static async Task AssertOrderedReadsAgreeAsync(HttpClient client, string word, string entity, int expectedMatches, string range)
    {
        foreach (var sort in new[] { "date", "-date" })
        {
            var all = await PageAsync(client, $"/events?sort={sort}&limit=200");
            var matches = await PageAsync(client, $"/events?q={word}&sort={sort}&limit=7");
            Assert.Equal(expectedMatches, matches.Count);
            Assert.Equal(all.Where(matches.ToHashSet().Contains), matches);

            var involving = await PageAsync(client, $"/entities/{entity}/events?sort={sort}&limit=7");
            Assert.NotEmpty(involving);
            Assert.Equal(all.Where(involving.ToHashSet().Contains), involving);
            Assert.Equal(involving, await PageAsync(client, $"/events?entity={entity}&sort={sort}&limit=9"));

            // With dates (a range that some event starts before and reaches): the numbers' bounds agree with the plain date filter.
            var ranged = (await PageAsync(client, $"/events?{range}&sort={sort}&limit=200")).ToHashSet();
            Assert.Equal(matches.Where(ranged.Contains), await PageAsync(client, $"/events?q={word}&{range}&sort={sort}&limit=5"));
            Assert.Equal(involving.Where(ranged.Contains), await PageAsync(client, $"/events?entity={entity}&{range}&sort={sort}&limit=5"));
        }

        // Ranked by relevance: every match once, and the same ranking within a date range.
        var ranked = await PageAsync(client, $"/events?q={word}&sort=relevance&limit=6");
        Assert.Equal(expectedMatches, ranked.Distinct().Count());
        var inRange = (await PageAsync(client, $"/events?{range}&limit=200")).ToHashSet();
        Assert.Equal(ranked.Where(inRange.Contains), await PageAsync(client, $"/events?q={word}&sort=relevance&{range}&limit=4"));
    }

    private static async Task<List<string>> PageAsync(HttpClient client, string url)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync(url + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return ids;
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

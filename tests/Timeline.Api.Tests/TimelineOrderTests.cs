using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Timeline.Store.Sqlite;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// The events table is kept in timeline order (Storage/TimelineOrder.cs) through every kind of write, and the
/// reads that rely on it (search in date order, one entity's events) give exactly what the plain timeline gives.
/// </summary>
public partial class TimelineOrderTests(ITestOutputHelper output)
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

        await AssertInTimelineOrderAsync(app);
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

        await AssertInTimelineOrderAsync(app);

        // Many events: more than placing one by one is worth, so the whole table is renumbered.
        var large = SyntheticDataset.Build(TimelineOrder.RenumberThreshold + 200);
        using (var imported = await admin.SendJsonAsync(HttpMethod.Post, "/import", large))
        {
            await imported.AssertStatusAsync(HttpStatusCode.OK);
        }

        await AssertInTimelineOrderAsync(app);
        using var reader = app.CreateClient();
        Assert.Equal("2018-05", (await reader.GetJsonAsync("/events/smic-added-to-us-sanctions-list")).GetProperty("date").GetString());
        await AssertOrderedReadsAgreeAsync(reader, "synthetic", "acme", expectedMatches: TimelineOrder.RenumberThreshold + 200, "from=2020-01-15&to=2022-06");
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
    /// On SQLite, the rows themselves are kept in timeline order (TimelineOrderTests.Sqlite.cs checks the numbering); the
    /// PostgreSQL engine keeps no such numbering (its reads order by (first_day, date_precision, id) through an index), so
    /// there the reads alone are checked (<see cref="AssertOrderedReadsAgreeAsync"/>).
    /// </summary>
    private static Task AssertInTimelineOrderAsync(TimelineApp app) =>
#if POSTGRES
        Task.CompletedTask;
#else
        AssertInTimelineOrderAsync(app.DatabasePath);
#endif

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
}

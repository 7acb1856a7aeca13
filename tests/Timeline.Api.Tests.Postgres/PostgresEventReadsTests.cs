using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Timeline.Store.Postgres;

namespace Timeline.Api.Tests;

/// <summary>
/// PostgreSQL only: the engine's list and record reads on a small store written by SQL (independent of the writers and
/// the seeding): the timeline's total order and keyset cursors both ways, events reaching into a date range, every
/// driving set, several categories merged, the JSON of lists, one event in full, exports, neighbours and counts.
/// </summary>
public sealed class PostgresEventReadsTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly string _connectionString = PostgresCluster.Shared.CreateDatabase();
    private PostgresConnections _database = null!;

    private PostgresEventPages Pages => new(_database);

    public async Task InitializeAsync()
    {
        _database = await PostgresCluster.MigratedAsync(_connectionString);
        await using var c = await _database.OpenAsync(CancellationToken.None);
        await c.ExecuteAsync(
            """
            INSERT INTO sources (id, title, text, sha256, created_at, updated_at) VALUES
                ('src-a', 'Source A', 'Alpha beta gamma delta.', 'a', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'),
                ('src-b', 'Source B', 'Other text.', 'b', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');
            INSERT INTO entities (id, name, kind, created_at, updated_at) VALUES
                ('acme', 'Acme', 'company', 't', 't'), ('globex', 'Globex', 'company', 't', 't');
            """);

        // (id, date, precision, end, first day, last day, category, tags)
        (string Id, string Date, int Precision, string? End, string First, string Last, string Category, string[] Tags)[] events =
        [
            ("long-war", "2018-06", 1, "2020-06-30", "2018-06-01", "2020-06-30", "sanction", ["trade"]),
            ("y2019", "2019", 0, null, "2019-01-01", "2019-12-31", "analysis", []),
            ("m2019-01", "2019-01", 1, null, "2019-01-01", "2019-01-31", "analysis", ["chips"]),
            ("e-10", "2019-01-01", 2, null, "2019-01-01", "2019-01-01", "sanction", ["chips"]),
            ("e-9", "2019-01-01", 2, null, "2019-01-01", "2019-01-01", "entity-listing", []),
            ("jan-2020", "2020-01-15", 2, null, "2020-01-15", "2020-01-15", "analysis", ["trade", "chips"]),
            ("gone", "2020-02-01", 2, null, "2020-02-01", "2020-02-01", "analysis", ["chips"]),
            ("march-2021", "2021-03", 1, "2021-04-02", "2021-03-01", "2021-04-02", "entity-listing", []),
        ];
        foreach (var e in events)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO events (id, date, date_precision, end_date, first_day, last_day, title, summary, category, tags, caveats, created_at, updated_at, deleted_at, deleted_by)
                VALUES (@Id, @Date, @Precision, @End, @First, @Last, @Title, @Summary, @Category, @TagsJson, '["a \"caveat\""]', '2024-01-01T00:00:00.000Z', @Updated, @Deleted, @DeletedBy);
                """,
                new
                {
                    e.Id, e.Date, e.Precision, e.End, e.First, e.Last, e.Category,
                    Title = $"Event {e.Id}",
                    Summary = e.Id == "jan-2020" ? "Kirin chips \"quoted\"\nshipped." : $"About {e.Id}.",
                    TagsJson = JsonSerializer.Serialize(e.Tags),
                    Updated = $"2024-01-{(e.Id.Length % 9) + 10}T00:00:00.000Z",
                    Deleted = e.Id == "gone" ? "2024-02-01T00:00:00.000Z" : null,
                    DeletedBy = e.Id == "gone" ? "test" : null,
                });
            foreach (var tag in e.Tags)
            {
                await c.ExecuteAsync("INSERT INTO event_tags (event_id, tag) VALUES (@Id, @tag);", new { e.Id, tag });
            }
        }

        await c.ExecuteAsync(
            """
            INSERT INTO event_entities (event_id, entity_id, role, ordinal) VALUES
                ('jan-2020', 'globex', 'target', 0), ('jan-2020', 'acme', 'actor', 1),
                ('long-war', 'acme', 'actor', 0), ('e-10', 'acme', 'target', 0), ('gone', 'acme', 'target', 0);
            INSERT INTO citations (event_id, ordinal, source_id, quote, start_offset, end_offset) VALUES
                ('jan-2020', 0, 'src-a', 'beta gamma', 6, 16), ('jan-2020', 1, 'src-b', 'Other', 0, 5), ('e-9', 0, 'src-a', 'Alpha', 0, 5);
            INSERT INTO former_ids (resource, former_id, current_id, ordinal) VALUES ('event', 'old-jan', 'jan-2020', 0);
            INSERT INTO event_links (event_id, kind, target_id, ordinal) VALUES ('march-2021', 'related', 'old-jan', 0), ('e-9', 'supersedes', 'jan-2020', 0);
            """);
        await using (var transaction = await c.BeginTransactionAsync())
        {
            await PostgresSearchIndex.RebuildAsync(c, transaction, CancellationToken.None);
            await transaction.CommitAsync();
        }

        await c.ExecuteAsync("ANALYZE;");
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        PostgresCluster.Shared.DropDatabase(_connectionString);
    }

    ValueTask IAsyncDisposable.DisposeAsync() => _database.DisposeAsync();

    private static readonly string[] Timeline = ["long-war", "y2019", "m2019-01", "e-10", "e-9", "jan-2020", "march-2021"];

    private static EventFilter Filter(
        string? from = null, string? to = null, string[]? categories = null, string[]? entities = null, string[]? tags = null, string? source = null,
        string? q = null, EventOrder order = EventOrder.Date, int limit = 2)
    {
        SearchExpression? search = null;
        if (q is not null)
        {
            Assert.True(SearchQuery.TryParse(q, out search, out _));
        }

        return new EventFilter(
            from is null ? null : PartialDate.Parse(from),
            to is null ? null : PartialDate.Parse(to),
            categories ?? [], entities ?? [], tags ?? [], source, search, order, limit, null);
    }

    /// <summary>Every page, following the positions, as the ids listed.</summary>
    private async Task<List<string>> AllAsync(EventFilter filter)
    {
        var ids = new List<string>();
        TimelinePosition? after = null;
        do
        {
            var page = await Pages.ListAsync(filter, after, CancellationToken.None);
            Assert.True(page.Items.Count <= filter.Limit);
            ids.AddRange(page.Items.Select(i => i.Id));
            after = page.Next;
        }
        while (after is not null && ids.Count < 100);

        return ids;
    }

    [Fact]
    public async Task Pages_follow_the_total_order_both_ways_and_leave_deleted_events_out()
    {
        // First day, then coarser precision first, then id byte by byte ("e-10" before "e-9").
        Assert.Equal(Timeline, await AllAsync(Filter()));
        Assert.Equal(Timeline.Reverse(), await AllAsync(Filter(order: EventOrder.DateDescending)));
        Assert.Equal(Timeline, await AllAsync(Filter(limit: 1)));
    }

    [Theory]
    [InlineData("2020-01", null, "long-war,jan-2020,march-2021")]
    [InlineData("2020-07", null, "march-2021")]
    [InlineData("2019-01-01", "2019-01-01", "long-war,y2019,m2019-01,e-10,e-9")]
    [InlineData(null, "2018-05", "")]
    [InlineData(null, "2019", "long-war,y2019,m2019-01,e-10,e-9")]
    [InlineData("2021-04-02", "2021", "march-2021")]
    public async Task A_date_range_lists_the_events_whose_days_reach_into_it(string? from, string? to, string expected)
    {
        var ids = expected.Length == 0 ? [] : expected.Split(',');
        Assert.Equal(ids, await AllAsync(Filter(from, to)));
        Assert.Equal(ids.Reverse(), await AllAsync(Filter(from, to, order: EventOrder.DateDescending)));
    }

    [Fact]
    public async Task Every_filter_narrows_as_on_sqlite_whichever_set_drives_the_page()
    {
        Assert.Equal(["long-war", "e-10", "e-9"], await AllAsync(Filter(categories: ["sanction", "entity-listing"], to: "2020")));
        Assert.Equal(["e-9", "march-2021"], await AllAsync(Filter(categories: ["entity-listing"])));
        Assert.Equal(["long-war", "e-10", "jan-2020"], await AllAsync(Filter(entities: ["acme"])));
        Assert.Equal(["long-war", "e-10", "jan-2020"], await AllAsync(Filter(entities: ["acme", "globex"])));
        Assert.Equal(["m2019-01", "e-10", "jan-2020"], await AllAsync(Filter(tags: ["chips"])));
        Assert.Equal(["long-war", "m2019-01", "e-10", "jan-2020"], await AllAsync(Filter(tags: ["chips", "trade"])));
        Assert.Equal(["e-9", "jan-2020"], await AllAsync(Filter(source: "src-a")));
        Assert.Equal(["jan-2020"], await AllAsync(Filter(source: "src-a", tags: ["chips"], from: "2019-06")));
        Assert.Equal(["long-war", "jan-2020"], await AllAsync(Filter(entities: ["acme"], from: "2020-01", to: "2020")));
        Assert.Equal(["long-war", "jan-2020"], await AllAsync(Filter(from: "2020") with { ScopeEntity = "acme" }));

        // An entity's page from a date seeks no further back than the longest live event lasts (long-war, 760 days): from
        // its last day, it began exactly that far back and is still listed, both ways.
        Assert.Equal(["long-war"], await AllAsync(Filter(entities: ["acme"], from: "2020-06-30")));
        Assert.Equal(["long-war"], await AllAsync(Filter(entities: ["acme"], from: "2020-06-30", order: EventOrder.DateDescending)));
        Assert.Equal(["long-war"], await AllAsync(Filter(from: "2020-06-30") with { ScopeEntity = "acme" }));
        Assert.Equal(["e-9"], await AllAsync(Filter(categories: ["entity-listing"]) with { ScopeSource = "src-a" }));
        Assert.Equal(["jan-2020"], await AllAsync(Filter(q: "kirin")));
        Assert.Equal(["jan-2020", "long-war", "y2019", "m2019-01", "e-10", "e-9", "march-2021"], await AllAsync(Filter(q: "kirin OR event", order: EventOrder.Relevance, limit: 3)));
    }

    [Fact]
    public async Task Lists_write_each_event_as_the_summary_record_serialises()
    {
        var page = await Pages.ListJsonAsync(Filter(limit: 10), null, CancellationToken.None);
        var records = await Pages.ListAsync(Filter(limit: 10), null, CancellationToken.None);
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Assert.Equal(records.Items.Count, page.Items.Count);
        for (var i = 0; i < page.Items.Count; i++)
        {
            using var listed = JsonDocument.Parse(page.Items[i]);
            using var serialised = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(records.Items[i] with { Snippet = null }, web));
            Assert.Equal(
                serialised.RootElement.EnumerateObject().Select(p => p.Name),
                listed.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.True(JsonElement.DeepEquals(serialised.RootElement.GetProperty("summary"), listed.RootElement.GetProperty("summary")));
        }

        var jan = records.Items.Single(e => e.Id == "jan-2020");
        Assert.Equal("Kirin chips \"quoted\"\nshipped.", jan.Summary);
        Assert.Equal(["trade", "chips"], jan.Tags);
        Assert.Equal(["a \"caveat\""], jan.Caveats);
        Assert.Equal("2020-06-30", records.Items.Single(e => e.Id == "long-war").EndDate);

        var found = await Pages.ListJsonAsync(Filter(q: "kirin"), null, CancellationToken.None);
        using var hit = JsonDocument.Parse(Assert.Single(found.Items));
        Assert.Contains("<mark>", hit.RootElement.GetProperty("snippet").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_items_are_the_bytes_PostgreSQLs_own_JSON_functions_write()
    {
        // Every character PostgreSQL text can hold below 0x80 (not NUL), alone and between letters, and some beyond.
        var texts = Enumerable.Range(1, 127).Select(c => ((char)c).ToString())
            .Concat(Enumerable.Range(1, 127).Select(c => $"a{(char)c}b"))
            .Concat(["", "plain", "é", "Kirin 9000S “quoted” 😀 עברית \u2028 \u007f", "\"\\\"\\\\", "\u0001\u001f\b\f\n\r\t"])
            .ToArray();
        await using var c = await _database.OpenAsync(CancellationToken.None);
        var expected = (await c.QueryAsync<string>("SELECT to_json(t)::text FROM unnest(@texts) WITH ORDINALITY AS u(t, n) ORDER BY n;", new { texts })).ToList();
        for (var i = 0; i < texts.Length; i++)
        {
            var written = new System.Buffers.ArrayBufferWriter<byte>();
            PostgresEventJson.WriteString(written, System.Text.Encoding.UTF8.GetBytes(texts[i]));
            Assert.Equal(expected[i], System.Text.Encoding.UTF8.GetString(written.WrittenSpan));
            Assert.Equal(texts[i], JsonSerializer.Deserialize<string>(written.WrittenSpan));
        }

        // A whole item: the object PostgreSQL's JSON functions build from the same row, property for property and byte
        // for byte (json_build_object spaces its separators, so the reference is put together from to_json's strings).
        await c.ExecuteAsync(
            """
            UPDATE events SET title = @Title, summary = @Summary, tags = @Tags, caveats = @Caveats WHERE id = 'march-2021';
            """,
            new
            {
                Title = "A \"title\" with a \\ back\\slash, a\ttab and \u0002",
                Summary = "Line one.\nLine two; </script> & ‘quotes’",
                Tags = JsonSerializer.Serialize<string[]>(["t\"ag"]),
                Caveats = JsonSerializer.Serialize<string[]>(["c\\aveat\n"]),
            });
        var reference = await c.QuerySingleAsync<string>(
            """
            SELECT '{"id":' || to_json(e.id)::text || ',"date":' || to_json(e.date)::text
                || ',"datePrecision":' || to_json(CASE e.date_precision WHEN 0 THEN 'year' WHEN 1 THEN 'month' ELSE 'day' END)::text
                || ',"endDate":' || COALESCE(to_json(e.end_date)::text, 'null') || ',"title":' || to_json(e.title)::text
                || ',"summary":' || to_json(e.summary)::text || ',"category":' || to_json(e.category)::text
                || ',"tags":' || e.tags || ',"caveats":' || e.caveats || '}'
            FROM events e WHERE e.id = 'march-2021';
            """);
        var page = await Pages.ListJsonAsync(Filter(limit: 200), null, CancellationToken.None);
        var item = page.Items.Select(i => System.Text.Encoding.UTF8.GetString(i)).Single(i => i.StartsWith("{\"id\":\"march-2021\"", StringComparison.Ordinal));
        Assert.Equal(reference, item);
        Assert.Contains("\\u0002", item, StringComparison.Ordinal);

        // An event with no end date, a year's precision and empty lists.
        var year = page.Items.Select(i => System.Text.Encoding.UTF8.GetString(i)).Single(i => i.StartsWith("{\"id\":\"y2019\"", StringComparison.Ordinal));
        Assert.Equal("""{"id":"y2019","date":"2019","datePrecision":"year","endDate":null,"title":"Event y2019","summary":"About y2019.","category":"analysis","tags":[],"caveats":["a \"caveat\""]}""", year);
    }

    [Fact]
    public async Task One_event_in_full_its_tombstone_or_neither()
    {
        var details = new PostgresEventDetails(_database);
        var (jan, _) = await details.GetAsync("jan-2020", CancellationToken.None);
        Assert.NotNull(jan);
        Assert.Equal(["globex", "acme"], jan.Entities.Select(e => e.Id));
        Assert.Equal(["target", "actor"], jan.Entities.Select(e => e.Role));
        Assert.Equal(["src-a", "src-b"], jan.Citations.Select(c => c.SourceId));
        Assert.Equal(6, jan.Citations[0].StartOffset);
        Assert.Equal(["old-jan"], jan.FormerIds);
        Assert.Equal(["march-2021"], jan.RelatedFrom);
        Assert.Equal(["e-9"], jan.SupersededBy);
        Assert.Equal("day", jan.DatePrecision);

        var (_, gone) = await details.GetAsync("gone", CancellationToken.None);
        Assert.Equal("test", gone!.DeletedBy);
        Assert.Equal(default, await details.GetAsync("never", CancellationToken.None));
        Assert.Equal("jan-2020", await new PostgresFormerIds(_database).CurrentIdAsync("event", "old-jan", CancellationToken.None));
    }

    [Fact]
    public async Task Exports_stream_every_event_in_order_with_entities_and_citations()
    {
        var exports = new PostgresEventExports(_database);
        var all = new List<ExportEvent>();
        await foreach (var e in exports.StreamAsync(Filter(), CancellationToken.None))
        {
            all.Add(e);
        }

        Assert.Equal(Timeline, all.Select(e => e.Event.Id));
        var jan = all.Single(e => e.Event.Id == "jan-2020");
        Assert.Equal(["globex", "acme"], jan.Entities.Select(e => e.Id));
        Assert.Equal(2, jan.Citations.Count);

        var recent = await exports.RecentlyChangedAsync(Filter(), 3, CancellationToken.None);
        Assert.Equal(3, recent.Count);
        Assert.True(string.CompareOrdinal(recent[0].UpdatedAt, recent[2].UpdatedAt) >= 0);
    }

    [Fact]
    public async Task Neighbours_and_category_counts()
    {
        var near = await new PostgresEventNeighbours(_database).OverlappingAsync(
            new DateOnly(2020, 1, 1), new DateOnly(2020, 1, 31), ["acme", "globex"], "none", 10, CancellationToken.None);
        Assert.Equal(["jan-2020", "long-war"], near.Select(n => n.Id));
        Assert.Equal(["acme", "globex"], near[0].SharedEntities);

        var categories = new PostgresCategoryCounts(_database, new PostgresDataVersion(_database, Options.Create(new TimelineOptions()), TimeProvider.System));
        var counts = await categories.CountAsync(CancellationToken.None);
        Assert.Same(counts, await categories.CountAsync(CancellationToken.None)); // kept until the data version moves
        Assert.Equal(3, counts["analysis"]);
        Assert.Equal(2, counts["sanction"]);
    }

    [Fact]
    public async Task One_entitys_timeline_follows_every_change_to_its_links_dates_and_ids()
    {
        var acme = Filter(entities: ["acme"]);
        Assert.Equal(["long-war", "e-10", "jan-2020"], await AllAsync(acme));
        Assert.Equal(["jan-2020", "e-10", "long-war"], await AllAsync(acme with { Order = EventOrder.DateDescending }));
        Assert.Equal(["long-war", "jan-2020"], await AllAsync(Filter(entities: ["acme"], from: "2019-06")));

        await using var c = await _database.OpenAsync(CancellationToken.None);

        // An event moved in time moves in its entities' timelines.
        await c.ExecuteAsync("UPDATE events SET date = '2021-06-01', first_day = '2021-06-01', last_day = '2021-06-01' WHERE id = 'e-10';");
        Assert.Equal(["long-war", "jan-2020", "e-10"], await AllAsync(acme));
        Assert.Equal(["e-10"], await AllAsync(Filter(entities: ["acme"], from: "2021")));

        // A second role is the same event once; it leaves the entity's timeline with its last role.
        await c.ExecuteAsync("INSERT INTO event_entities (event_id, entity_id, role, ordinal) VALUES ('e-10', 'acme', 'source', 1);");
        Assert.Equal(["long-war", "jan-2020", "e-10"], await AllAsync(acme));
        await c.ExecuteAsync("DELETE FROM event_entities WHERE event_id = 'e-10' AND role = 'target';");
        Assert.Equal(["long-war", "jan-2020", "e-10"], await AllAsync(acme));
        await c.ExecuteAsync("DELETE FROM event_entities WHERE event_id = 'e-10';");
        Assert.Equal(["long-war", "jan-2020"], await AllAsync(acme));

        // Renamed events and entities keep their place.
        await c.ExecuteAsync("UPDATE events SET id = 'jan-2020-renamed' WHERE id = 'jan-2020';");
        await c.ExecuteAsync("UPDATE entities SET id = 'acme-corp' WHERE id = 'acme';");
        Assert.Equal(["long-war", "jan-2020-renamed"], await AllAsync(Filter(entities: ["acme-corp"])));
        Assert.Empty(await AllAsync(acme));

        // The table holds exactly the linked pairs, each with its event's dates.
        Assert.Equal(0, await c.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM entity_timeline t
            FULL JOIN (SELECT DISTINCT ee.entity_id, ee.event_id, e.first_day, e.date_precision, e.last_day
                       FROM event_entities ee JOIN events e ON e.id = ee.event_id) x
              ON x.entity_id = t.entity_id AND x.event_id = t.event_id
             AND x.first_day = t.first_day AND x.date_precision = t.date_precision AND x.last_day = t.last_day
            WHERE t.entity_id IS NULL OR x.entity_id IS NULL;
            """));
    }
}

using Dapper;
using Npgsql;
using Timeline.Model.Store.Engine;
using Timeline.Store.Postgres;

namespace Timeline.Api.Tests;

/// <summary>
/// PostgreSQL only: pages of many filter combinations (from + to + several categories + search + entity + tag +
/// cursor + descending) over a store of events of every length around the walks' boundaries, compared with a brute-force
/// reference in the timeline's total order; search snippets compared with the old two-statement path.
/// </summary>
public sealed class PostgresPageDifferentialTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly string _connectionString = PostgresCluster.Shared.CreateDatabase();
    private PostgresConnections _database = null!;

    private sealed record Row(string Id, string First, int Precision, string Last, string Category, string[] Tags, string[] Entities, bool Zeta, bool Deleted);

    private readonly List<Row> _rows = [];

    private static readonly string[] Categories = ["analysis", "sanction", "entity-listing"];

    public async Task InitializeAsync()
    {
        _database = await PostgresCluster.MigratedAsync(_connectionString);
        await using var c = await _database.OpenAsync(CancellationToken.None);
        await c.ExecuteAsync(
            """
            INSERT INTO entities (id, name, kind, created_at, updated_at) VALUES
                ('acme', 'Acme', 'company', 't', 't'), ('globex', 'Globex', 'company', 't', 't'), ('initech', 'Initech', 'company', 't', 't');
            INSERT INTO entity_aliases (entity_id, ordinal, alias) VALUES ('acme', 0, 'Acme Corp'), ('acme', 1, 'ACME Ltd');
            """);

        var random = new Random(7);
        int[] spans = [0, 0, 0, 3, 20, 30, 31, 32, 33, 100, 300, 365, 366, 367, 368, 800, 2500];
        var start = new DateOnly(2012, 1, 1);
        var from = new DateOnly(2018, 7, 1);
        for (var i = 0; i < 260; i++)
        {
            DateOnly first;
            int span;
            if (i < 12)
            {
                // Boundaries of the walks around 2018-07-01: began 30, 31, 32, 365, 366, 367 days before, ending on it or the day before.
                int[] back = [30, 31, 32, 365, 366, 367];
                first = from.AddDays(-back[i % 6]);
                span = back[i % 6] - (i < 6 ? 0 : 1);
            }
            else
            {
                first = start.AddDays(random.Next(0, 365 * 9));
                span = spans[random.Next(spans.Length)];
            }

            var precision = i % 11 == 0 ? 0 : i % 7 == 0 ? 1 : 2;
            if (precision == 0)
            {
                first = new DateOnly(first.Year, 1, 1);
            }
            else if (precision == 1)
            {
                first = new DateOnly(first.Year, first.Month, 1);
            }

            var last = first.AddDays(span);
            var entities = new List<string>();
            foreach (var entity in new[] { "acme", "globex", "initech" })
            {
                if (random.Next(3) == 0)
                {
                    entities.Add(entity);
                }
            }

            string[] tags = random.Next(4) == 0 ? ["chips"] : random.Next(3) == 0 ? ["trade", "chips"] : [];
            _rows.Add(new Row(
                $"ev-{i}", PartialDate.FormatDay(first), precision, PartialDate.FormatDay(last), Categories[random.Next(3)], tags, [.. entities],
                random.Next(3) == 0, random.Next(25) == 0));
        }

        foreach (var r in _rows)
        {
            var first = DateOnly.ParseExact(r.First, "yyyy-MM-dd");
            var date = r.Precision == 0 ? $"{first:yyyy}" : r.Precision == 1 ? $"{first:yyyy-MM}" : r.First;
            await c.ExecuteAsync(
                """
                INSERT INTO events (id, date, date_precision, end_date, first_day, last_day, title, summary, category, tags, caveats, created_at, updated_at, deleted_at, deleted_by)
                VALUES (@Id, @Date, @Precision, @End, @First, @Last, @Title, @Summary, @Category, @TagsJson, '[]', 't', 't', @Deleted, @DeletedBy);
                """,
                new
                {
                    r.Id, Date = date, r.Precision, End = r.Last == r.First ? null : r.Last, r.First, r.Last, r.Category,
                    Title = r.Zeta ? $"The zeta affair {r.Id}" : $"Event {r.Id}",
                    Summary = $"About {r.Id}, a long summary of words that go on and on so that the snippet picks one window of the text.",
                    TagsJson = System.Text.Json.JsonSerializer.Serialize(r.Tags),
                    Deleted = r.Deleted ? "2024-02-01T00:00:00.000Z" : null,
                    DeletedBy = r.Deleted ? "test" : null,
                });
            foreach (var tag in r.Tags)
            {
                await c.ExecuteAsync("INSERT INTO event_tags (event_id, tag) VALUES (@Id, @tag);", new { r.Id, tag });
            }

            for (var k = 0; k < r.Entities.Length; k++)
            {
                await c.ExecuteAsync(
                    "INSERT INTO event_entities (event_id, entity_id, role, ordinal) VALUES (@Id, @Entity, 'actor', @k);", new { r.Id, Entity = r.Entities[k], k });
            }
        }

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

    private List<string> Expected(EventFilter f)
    {
        var from = f.From is null ? null : PartialDate.FormatDay(f.From.Value.FirstDay);
        var to = f.To is null ? null : PartialDate.FormatDay(f.To.Value.LastDay);
        var rows = _rows.Where(r =>
                !r.Deleted
                && (from is null || string.CompareOrdinal(r.Last, from) >= 0)
                && (to is null || string.CompareOrdinal(r.First, to) <= 0)
                && (f.Categories.Count == 0 || f.Categories.Contains(r.Category))
                && (f.Entities.Count == 0 || r.Entities.Intersect(f.Entities).Any())
                && (f.ScopeEntity is null || r.Entities.Contains(f.ScopeEntity))
                && (f.Tags.Count == 0 || r.Tags.Intersect(f.Tags).Any())
                && (f.Search is null || r.Zeta))
            .OrderBy(r => r.First, StringComparer.Ordinal).ThenBy(r => r.Precision).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Select(r => r.Id)
            .ToList();
        if (f.Descending)
        {
            rows.Reverse();
        }

        return rows;
    }

    private async Task<List<string>> AllAsync(EventFilter filter)
    {
        var pages = new PostgresEventPages(_database);
        var ids = new List<string>();
        TimelinePosition? after = null;
        do
        {
            var page = await pages.ListAsync(filter, after, CancellationToken.None);
            Assert.True(page.Items.Count <= filter.Limit);
            ids.AddRange(page.Items.Select(i => i.Id));
            after = page.Next;
        }
        while (after is not null && ids.Count < 1000);

        return ids;
    }

    /// <summary>Every page of the filter against the reference; a difference is added to <paramref name="failures"/> under <paramref name="label"/>.</summary>
    private async Task CompareAsync(EventFilter filter, string label, List<string> failures)
    {
        var expected = Expected(filter);
        var actual = await AllAsync(filter);
        if (!expected.SequenceEqual(actual))
        {
            failures.Add($"{label}: expected [{string.Join(",", expected)}] got [{string.Join(",", actual)}]");
        }
    }

    private static EventFilter Filter(string? from, string? to, string[] categories, string[] entities, string[] tags, bool zeta, bool descending, int limit)
    {
        SearchExpression? search = null;
        if (zeta)
        {
            Assert.True(SearchQuery.TryParse("zeta", out search, out _));
        }

        return new EventFilter(
            from is null ? null : PartialDate.Parse(from),
            to is null ? null : PartialDate.Parse(to),
            categories, entities, tags, null, search, descending ? EventOrder.DateDescending : EventOrder.Date, limit, null);
    }

    [Fact]
    public Task Pages_from_a_date_under_every_combination_match_a_brute_force_reference() => PagesFromADateMatchAsync([3, 40]);

    /// <summary>
    /// The same with parallel plans made free and forced wherever PostgreSQL allows them: a page from a date is a UNION
    /// ALL of limited parts whose order is the Append's, which no parallel plan may change. Every combination, read in
    /// pages of 40 only: each statement now starts a parallel worker (a new backend process), and pages of 3 made this
    /// one test take 70 s alone and 300 s beside the rest of the suite on two cores.
    /// </summary>
    [Fact]
    public async Task Pages_from_a_date_keep_their_order_with_parallel_plans_forced()
    {
        await using (var c = await _database.OpenAsync(CancellationToken.None))
        {
            await c.ExecuteAsync(
                "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET parallel_setup_cost = 0; ALTER DATABASE %I SET parallel_tuple_cost = 0; ALTER DATABASE %I SET min_parallel_table_scan_size = 0; ALTER DATABASE %I SET min_parallel_index_scan_size = 0; ALTER DATABASE %I SET force_parallel_mode = on', current_database(), current_database(), current_database(), current_database(), current_database()); END $$;");
        }

        // New connections take the database's new settings: a data source of its own.
        await _database.DisposeAsync();
        _database = PostgresCluster.Connections(_connectionString);
        await using (var c = await _database.OpenAsync(CancellationToken.None))
        {
            Assert.Equal("on", await c.ExecuteScalarAsync<string>("SHOW force_parallel_mode;"));
        }

        await PagesFromADateMatchAsync([40]);
    }

    private async Task PagesFromADateMatchAsync(int[] limits)
    {
        var failures = new List<string>();
        foreach (var walked in new[] { false, true })
        foreach (var from in new string?[] { "2018-07-01", "2018-06-30", "2017", "2019-12", "2012-01-01", "2024" })
        foreach (var to in new string?[] { null, "2019" })
        foreach (var categories in new[] { Array.Empty<string>(), ["sanction"], ["analysis", "entity-listing"] })
        foreach (var zeta in new[] { false, true })
        foreach (var descending in new[] { false, true })
        foreach (var limit in limits)
        {
            // A search is read from its matches or, walked, checked event by event by its words' signature and search row.
            PostgresPagePlanner.SearchDrivingLimitOverride.Value = walked ? -1 : int.MaxValue;
            await CompareAsync(
                Filter(from, to, categories, [], [], zeta, descending, limit),
                $"walked={walked} from={from} to={to} cats={string.Join('+', categories)} zeta={zeta} desc={descending} limit={limit}",
                failures);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)) + $"\n({failures.Count} failing)");
    }

    [Fact]
    public async Task Pages_of_entities_and_tags_under_every_combination_match_a_brute_force_reference()
    {
        var failures = new List<string>();
        foreach (var walked in new[] { false, true })
        foreach (var scope in new string?[] { null, "globex" })
        foreach (var entities in new[] { Array.Empty<string>(), ["acme"], ["acme", "initech"] })
        foreach (var tags in new[] { Array.Empty<string>(), ["trade"] })
        foreach (var from in new string?[] { null, "2018-07-01", "2016" })
        foreach (var to in new string?[] { null, "2019" })
        foreach (var categories in new[] { Array.Empty<string>(), ["analysis", "entity-listing"] })
        foreach (var zeta in new[] { false, true })
        foreach (var descending in new[] { false, true })
        {
            if (scope is null && entities.Length == 0)
            {
                continue;
            }

            PostgresPagePlanner.SearchDrivingLimitOverride.Value = walked ? -1 : int.MaxValue;
            await CompareAsync(
                Filter(from, to, categories, entities, tags, zeta, descending, 4) with { ScopeEntity = scope },
                $"walked={walked} scope={scope} entities={string.Join('+', entities)} tags={string.Join('+', tags)} from={from} to={to} cats={string.Join('+', categories)} zeta={zeta} desc={descending}",
                failures);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)) + $"\n({failures.Count} failing)");
    }

    [Fact]
    public async Task Snippets_read_with_the_page_are_the_old_paths()
    {
        var filter = Filter(null, null, [], [], [], zeta: true, descending: false, limit: 500);
        var page = await new PostgresEventPages(_database).ListAsync(filter, null, CancellationToken.None);
        Assert.NotEmpty(page.Items);
        await using var c = await _database.OpenAsync(CancellationToken.None);
        var seqs = (await c.QueryAsync<long>("SELECT seq FROM events WHERE id = ANY(@ids);", new { ids = page.Items.Select(i => i.Id).ToArray() })).ToList();
        var ids = (await c.QueryAsync<(long Seq, string Id)>("SELECT seq, id FROM events WHERE id = ANY(@ids);", new { ids = page.Items.Select(i => i.Id).ToArray() }))
            .ToDictionary(x => x.Seq, x => x.Id);
        var old = (await PostgresSearchRows.EventsAsync(c, null, seqs, CancellationToken.None))
            .ToDictionary(r => ids[r.Seq], r => SnippetPicker.Html(r.Columns, filter.Search!, 16));
        foreach (var item in page.Items)
        {
            Assert.Equal(old[item.Id], item.Snippet);
        }
    }

    [Fact]
    public async Task Entity_pages_follow_an_upsert_that_moves_an_event()
    {
        await using var c = await _database.OpenAsync(CancellationToken.None);
        var moved = _rows.First(r => r.Entities.Contains("acme") && !r.Deleted);
        await c.ExecuteAsync(
            """
            INSERT INTO events (id, date, date_precision, first_day, last_day, title, summary, category, tags, caveats, created_at, updated_at)
            VALUES (@Id, '2030-01-01', 2, '2030-01-01', '2030-01-01', 't', 's', @Category, '[]', '[]', 't', 't')
            ON CONFLICT (id) DO UPDATE SET date = excluded.date, date_precision = excluded.date_precision,
                first_day = excluded.first_day, last_day = excluded.last_day;
            """,
            new { moved.Id, moved.Category });
        var filter = Filter(null, null, [], ["acme"], [], false, true, 3);
        Assert.Equal(moved.Id, (await AllAsync(filter))[0]);
        Assert.Equal(moved.Id, Assert.Single(await AllAsync(Filter("2029", null, [], ["acme"], [], false, false, 3))));
    }
}

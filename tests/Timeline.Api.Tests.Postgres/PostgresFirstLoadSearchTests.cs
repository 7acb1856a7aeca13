using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Timeline.Store.Postgres;

namespace Timeline.Api.Tests;

/// <summary>
/// PostgreSQL only: the search rows a first load builds from the dataset in memory (PostgresSearchIndex.BuildAsync), and
/// the events' word signatures it writes with their rows (PostgresSearchWords), are exactly those built from the tables (RebuildAsync, the path of copies between stores and of every later write), row
/// for row and word count for word count, on a generated store of a few thousand events (entities with aliases,
/// citations, references, tags) seeded through the app.
/// </summary>
public sealed class PostgresFirstLoadSearchTests
{
    private sealed class GeneratedApp(string dataset) : OperationsApp(new Dictionary<string, string> { ["Timeline:SeedPath"] = dataset });

    private sealed class EmptyApp() : OperationsApp(new Dictionary<string, string> { ["Timeline:Seed"] = "none" });

    /// <summary>Another replica, on the database of an app already started.</summary>
    private sealed class SharedApp(string dataset, string database) : TimelineApp(dataset)
    {
        protected override void ConfigureSettings(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
            builder.UseSetting("ConnectionStrings:Timeline", database);
    }

    private static string Generated(int events = 3_000, Action<JsonArray>? edit = null)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("timeline-generated-").FullName, "generated.json");
        using (var file = File.Create(path))
        {
            Timeline.Model.Dataset.DatasetGenerator.Write(events, 11, file);
        }

        if (edit is not null)
        {
            var dataset = JsonNode.Parse(File.ReadAllText(path))!;
            edit(dataset["events"]!.AsArray());
            File.WriteAllText(path, dataset.ToJsonString());
        }

        return path;
    }

    private static async Task<List<string>> RowsAsync(NpgsqlConnection c, NpgsqlTransaction? tx) =>
        [
            .. await c.QueryAsync<string>("SELECT 'event ' || seq || ' ' || document::text || ' quotes ' || COALESCE(quotes, 'none') || ' names ' || COALESCE(names, 'none') FROM event_search ORDER BY seq;", transaction: tx),
            .. await c.QueryAsync<string>("SELECT 'entity ' || seq || ' ' || document::text FROM entity_search ORDER BY seq;", transaction: tx),
            .. await c.QueryAsync<string>("SELECT 'source ' || seq || ' ' || document::text FROM source_search ORDER BY seq;", transaction: tx),
            .. await c.QueryAsync<string>("SELECT 'term ' || term || ' ' || documents FROM search_terms ORDER BY term;", transaction: tx),
            .. await c.QueryAsync<string>("SELECT 'words ' || seq || ' ' || COALESCE(words::text, 'none') FROM events ORDER BY seq;", transaction: tx),
        ];

    /// <summary>Rebuilds the search rows from the tables (rolled back) and asserts they are <paramref name="loaded"/>, row for row.</summary>
    private static async Task AssertARebuildChangesNothingAsync(NpgsqlConnection c, List<string> loaded)
    {
        await using var tx = await c.BeginTransactionAsync();
        await PostgresSearchIndex.RebuildAsync(c, tx, CancellationToken.None);
        var rebuilt = await RowsAsync(c, tx);
        await tx.RollbackAsync();

        Assert.Equal(rebuilt.Count, loaded.Count);
        var differing = loaded.Zip(rebuilt).Where(p => p.First != p.Second).Take(3).ToList();
        Assert.True(differing.Count == 0, string.Join("\n", differing.Select(p => $"loaded:  {p.First}\nrebuilt: {p.Second}")));
    }

    /// <summary>The entities' timelines as stored, and as the trigger on event_entities builds them from the links and the events.</summary>
    private static async Task<(List<string> Stored, List<string> FromLinks)> EntityTimelinesAsync(NpgsqlConnection c) =>
        (
            [.. await c.QueryAsync<string>("SELECT concat_ws(' ', entity_id, event_id, first_day, date_precision, last_day) FROM entity_timeline ORDER BY entity_id COLLATE \"C\", event_id COLLATE \"C\";")],
            [.. await c.QueryAsync<string>(
                """
                SELECT concat_ws(' ', x.entity_id, x.event_id, e.first_day, e.date_precision, e.last_day)
                FROM (SELECT DISTINCT entity_id, event_id FROM event_entities) x JOIN events e ON e.id = x.event_id
                ORDER BY x.entity_id COLLATE "C", x.event_id COLLATE "C";
                """)]);

    [Fact]
    public async Task A_first_load_builds_the_same_search_rows_as_a_rebuild_from_the_tables()
    {
        using var app = new GeneratedApp(Generated());
        using var client = app.CreateClient();
        var page = await client.GetFromJsonAsync<JsonElement>("/events?limit=1");
        Assert.Equal(1, page.GetProperty("items").GetArrayLength()); // seeded

        await using var c = new NpgsqlConnection(app.PostgresConnectionString);
        await c.OpenAsync();
        var loaded = await RowsAsync(c, null);
        Assert.Equal(3_000, loaded.Count(r => r.StartsWith("event ", StringComparison.Ordinal)));
        Assert.Contains(loaded, r => r.StartsWith("entity ", StringComparison.Ordinal));
        Assert.Contains(loaded, r => r.StartsWith("source ", StringComparison.Ordinal));

        // Each event's word signature, written in C# with its row (binary COPY), is there and is the SQL function's over
        // its search row (the rebuild below recomputes it in SQL; a difference would show as a differing row).
        Assert.Equal(3_000, loaded.Count(r => r.StartsWith("words ", StringComparison.Ordinal) && !r.EndsWith(" none", StringComparison.Ordinal)));

        // The entities' timelines, which a first load writes itself instead of the trigger on event_entities, are the
        // trigger's rows; and the trigger is on again afterwards (a link written through the API reaches the timeline).
        var (stored, fromLinks) = await EntityTimelinesAsync(c);
        Assert.True(stored.Count > 3_000, $"{stored.Count} rows");
        Assert.Equal(fromLinks, stored);
        Assert.Equal("O", await c.ExecuteScalarAsync<string>("SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'entity_timeline_linked';"));

        await AssertARebuildChangesNothingAsync(c, loaded);
    }

    /// <summary>The store's schema as the catalog has it: every index, key, foreign key and check, every trigger's state, every column's nullability.</summary>
    private static async Task<List<string>> SchemaAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        return
        [
            .. await c.QueryAsync<string>("SELECT 'index ' || tablename || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1;"),
            .. await c.QueryAsync<string>(
                "SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1;"),
            .. await c.QueryAsync<string>("SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1;"),
            .. await c.QueryAsync<string>(
                """
                SELECT 'column ' || a.attrelid::regclass::text || '.' || a.attname || CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END
                FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid
                WHERE t.relnamespace = 'public'::regnamespace AND t.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY 1;
                """),
        ];
    }

    [Fact]
    public async Task A_first_load_leaves_the_schema_as_the_migrations_made_it()
    {
        // A first load drops the filled tables' indexes, the events' keys and the foreign keys, and turns a trigger off,
        // to make them again once the rows are in: afterwards the catalog must be the migrations' own, item for item.
        List<string> migrated;
        using (var empty = new EmptyApp())
        {
            using var client = empty.CreateClient();
            Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/events?limit=1")).GetProperty("items").GetArrayLength());
            migrated = await SchemaAsync(empty.PostgresConnectionString!);
        }

        using var app = new GeneratedApp(Generated(500));
        using (var client = app.CreateClient())
        {
            Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/events?limit=1")).GetProperty("items").GetArrayLength()); // seeded
        }

        var loaded = await SchemaAsync(app.PostgresConnectionString!);
        Assert.Contains("constraint events events_id_key UNIQUE (id)", migrated);
        Assert.Contains(migrated, r => r.StartsWith("index events CREATE INDEX events_days ", StringComparison.Ordinal));
        Assert.Contains(migrated, r => r.StartsWith("constraint citations citations_event_id_fkey FOREIGN KEY ", StringComparison.Ordinal));
        Assert.Equal(migrated, loaded);
    }

    [Fact]
    public async Task Search_rows_built_with_another_folding_are_rebuilt_once_at_the_next_start()
    {
        // A store whose search rows an older build folded otherwise (migration 0012 records the folding): the first
        // replica of this build to start rebuilds every row, moves the data version, and records the folding; the rows are
        // then those a first load builds.
        var dataset = Generated(300, events =>
        {
            events[0]!["title"] = "İstanbul fab ſmic 5µm";
            events[1]!["summary"] = "Сергей x² ΟΔΌΣ";
        });
        using var first = new GeneratedApp(dataset);
        using (var client = first.CreateClient())
        {
            Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/events?q=istanbul")).GetProperty("items").GetArrayLength());
        }

        await using var c = new NpgsqlConnection(first.PostgresConnectionString);
        await c.OpenAsync();
        var loaded = await RowsAsync(c, null);
        Assert.Equal(1, await c.ExecuteScalarAsync<int>("SELECT fold FROM search_rows_fold;"));

        // What an older build left: other words in the rows, and no folding recorded.
        await c.ExecuteAsync("UPDATE event_search SET document = to_tsvector('simple', 'Istanbul'); UPDATE search_rows_fold SET fold = 0;");
        var version = await c.ExecuteScalarAsync<long>("SELECT data_version FROM store_state;");

        using var second = new SharedApp(dataset, first.PostgresConnectionString!);
        using (var client = second.CreateClient())
        {
            var found = await client.GetFromJsonAsync<JsonElement>("/events?q=%C4%B0stanbul");
            Assert.Equal(1, found.GetProperty("items").GetArrayLength());
            Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/events?q=x%C2%B2")).GetProperty("items").GetArrayLength());
        }

        Assert.Equal(1, await c.ExecuteScalarAsync<int>("SELECT fold FROM search_rows_fold;"));
        Assert.Equal(version + 1, await c.ExecuteScalarAsync<long>("SELECT data_version FROM store_state;"));
        Assert.Equal(loaded, await RowsAsync(c, null));

        // Once: a third start finds the folding recorded and leaves the data version where it is.
        using (var third = new SharedApp(dataset, first.PostgresConnectionString!))
        using (var client = third.CreateClient())
        {
            Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/events?q=istanbul")).GetProperty("items").GetArrayLength());
        }

        Assert.Equal(version + 1, await c.ExecuteScalarAsync<long>("SELECT data_version FROM store_state;"));
    }

    [Fact]
    public async Task Words_that_need_escaping_or_pass_the_limits_load_as_a_rebuild_writes_them()
    {
        // The first load copies the events' tsvectors in binary form, a rebuild as text: both must give the same rows for
        // words with quotes and backslashes, accents, CJK, ß, a word too long to index, and a word past 256 positions.
        string[] titles =
        [
            "O'Brien's \\ back\\slash \"quoted\" 'single' Ünïcödé straße STRASSE",
            "华为 Mate 60 Kirin 9000S 😀 ½ x²",
            "ǅemal Ǆ ǆ İstanbul ıi ﬁne ﬀ",
        ];
        using var app = new GeneratedApp(Generated(300, events =>
        {
            for (var i = 0; i < titles.Length; i++)
            {
                events[i]!["title"] = titles[i];
            }

            events[3]!["summary"] = new string('é', 1_100) + " after the long word";
            events[4]!["summary"] = string.Join(' ', Enumerable.Repeat("again", 300)) + " end";
        }));
        using var client = app.CreateClient();
        var found = await client.GetFromJsonAsync<JsonElement>("/events?q=brien");
        Assert.Equal(1, found.GetProperty("items").GetArrayLength()); // seeded, and the edited title is indexed

        await using var c = new NpgsqlConnection(app.PostgresConnectionString);
        await c.OpenAsync();
        var loaded = await RowsAsync(c, null);
        Assert.Contains(loaded, r => r.Contains("'o'':", StringComparison.Ordinal) || r.Contains("'brien':", StringComparison.Ordinal));
        Assert.Contains(loaded, r => r.Contains("'again':", StringComparison.Ordinal));

        await AssertARebuildChangesNothingAsync(c, loaded);
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Timeline.Model.Dataset;
using Timeline.Store.Sqlite;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

public class SeedTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_seeded_quote_occurs_verbatim_in_its_source_at_its_offsets()
    {
        using var app = TimelineApp.WithDataset(RepositoryFiles.Dataset).LoggingTo(output);
        using var client = app.CreateClient();
        var texts = new Dictionary<string, string>();
        var checkedQuotes = 0;

        foreach (var id in await AllEventIdsAsync(client))
        {
            var detail = await client.GetJsonAsync($"/events/{id}");
            var citations = detail.GetProperty("citations").EnumerateArray().ToList();
            Assert.NotEmpty(citations);
            foreach (var citation in citations)
            {
                var sourceId = citation.GetProperty("sourceId").GetString()!;
                if (!texts.TryGetValue(sourceId, out var text))
                {
                    text = (await client.GetJsonAsync($"/sources/{sourceId}")).GetProperty("text").GetString()!;
                    texts[sourceId] = text;
                }

                var quote = citation.GetProperty("quote").GetString()!;
                var codePoints = text.EnumerateRunes().Select(r => r.ToString()).ToArray();
                var start = citation.GetProperty("startOffset").GetInt32();
                var end = citation.GetProperty("endOffset").GetInt32();
                Assert.Equal(quote, string.Concat(codePoints[start..end]));
                checkedQuotes++;
            }
        }

        Assert.True(checkedQuotes >= 13, $"only {checkedQuotes} quotes checked");
    }

    [Fact]
    public async Task Served_source_texts_are_byte_for_byte_the_seed_documents()
    {
        using var app = TimelineApp.WithDataset(RepositoryFiles.Dataset).LoggingTo(output);
        using var client = app.CreateClient();

        var sources = await client.GetJsonAsync("/sources");
        var files = Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "data", "sources"), "*.txt");
        Assert.Equal(2, files.Length);
        var served = new List<string>();
        foreach (var item in sources.GetProperty("items").EnumerateArray())
        {
            var detail = await client.GetJsonAsync($"/sources/{item.GetProperty("id").GetString()}");
            served.Add(detail.GetProperty("text").GetString()!);
            Assert.Equal(DatasetValidator.Sha256(detail.GetProperty("text").GetString()!), item.GetProperty("sha256").GetString());
        }

        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Contains(served, text => System.Text.Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(bytes));
        }
    }

    [Fact]
    public async Task The_seed_holds_the_core_events_at_the_precision_their_source_gives()
    {
        using var app = TimelineApp.WithDataset(RepositoryFiles.Dataset).LoggingTo(output);
        using var client = app.CreateClient();

        var smic = await client.GetJsonAsync("/events?entity=smic&category=entity-listing");
        var listing = Assert.Single(smic.GetProperty("items").EnumerateArray());
        Assert.Equal("2020-12", listing.GetProperty("date").GetString());
        Assert.Equal("month", listing.GetProperty("datePrecision").GetString());

        var launch = Assert.Single((await client.GetJsonAsync("/events?category=product-launch")).GetProperty("items").EnumerateArray());
        Assert.Equal("2023-08", launch.GetProperty("date").GetString());

        // The Huawei measures were export controls, and the source only bounds them to 2019-2020 ("Few months prior" to 2020).
        var controls = Assert.Single((await client.GetJsonAsync("/events?category=export-control&entity=huawei")).GetProperty("items").EnumerateArray());
        Assert.Equal("2019", controls.GetProperty("date").GetString());
        Assert.Equal("2020", controls.GetProperty("endDate").GetString());
        Assert.Equal("year", controls.GetProperty("datePrecision").GetString());
        Assert.Empty((await client.GetJsonAsync("/events?category=sanction")).GetProperty("items").EnumerateArray());

        // Everything from the Huawei Connect article is dated 2025 (the article's date, the opening day of Huawei Connect
        // 2025) and says why, with the AI disclaimer, and points at the record; each involves the event series.
        var connect = await client.GetJsonAsync("/events?source=nishadil-huawei-bold-leap&limit=200");
        Assert.Equal(5, connect.GetProperty("items").GetArrayLength());
        foreach (var e in connect.GetProperty("items").EnumerateArray())
        {
            Assert.Equal("2025", e.GetProperty("date").GetString());
            var caveats = string.Join(" ", e.GetProperty("caveats").Strings());
            Assert.Contains("Huawei Connect 2024", caveats, StringComparison.Ordinal);
            Assert.Contains("2025-09-18", caveats, StringComparison.Ordinal);
            Assert.Contains("artificial intelligence", caveats, StringComparison.OrdinalIgnoreCase);
            var detail = await client.GetJsonAsync("/events/" + e.GetProperty("id").GetString());
            Assert.Contains("huawei-connect", detail.GetProperty("entities").EnumerateArray().Select(x => x.GetProperty("id").GetString()));
            Assert.Contains(detail.GetProperty("references").EnumerateArray(), r => r.GetProperty("title").GetString() == "Huawei Connect 2025");
        }
    }

    [Fact]
    public async Task The_seeded_events_point_at_the_public_record_where_it_sharpens_or_contradicts_their_source()
    {
        using var app = TimelineApp.WithDataset(RepositoryFiles.Dataset).LoggingTo(output);
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        // SMIC's listing: the month the source gives, the day and the rule from the Federal Register.
        var smic = await client.GetJsonAsync("/events/smic-added-to-us-sanctions-list");
        Assert.Equal("2020-12", smic.GetProperty("date").GetString());
        Assert.Contains("Entity List", smic.GetProperty("title").GetString(), StringComparison.Ordinal);
        var rule = Assert.Single(smic.GetProperty("references").EnumerateArray(), r => r.TryGetProperty("citation", out var c) && c.GetString() == "85 FR 83416");
        Assert.Equal("2020-28031", rule.GetProperty("documentNumber").GetString());
        Assert.Contains("2020-12-18", string.Join(" ", smic.GetProperty("caveats").Strings()), StringComparison.Ordinal);
        Assert.Contains(smic.GetProperty("entities").EnumerateArray(), x => x.GetProperty("id").GetString() == "entity-list");
        // The source's overbroad "any company ... would need Washington's permission" is given as the source's, beside the rule's scope.
        Assert.Contains("The source calls it", smic.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("presumption of denial", smic.GetProperty("summary").GetString(), StringComparison.Ordinal);

        // The record's citation finds it.
        Assert.Contains("smic-added-to-us-sanctions-list", (await client.GetJsonAsync("/events?q=85 FR 83416")).Ids());

        // The id that said "2024" was renamed; the old one answers 301 to the new.
        using var moved = await client.GetAsync("/events/huawei-connect-2024-shift-to-long-term-development");
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.EndsWith("/events/huawei-connect-shift-to-long-term-development", moved.Headers.Location!.ToString(), StringComparison.Ordinal);

        // The Mate 60's maker is not established by its source; Sullivan's garbled paraphrase is not put in his mouth.
        var mate = await client.GetJsonAsync("/events/huawei-unveils-mate-60-with-kirin-9000s");
        Assert.Equal("subject", mate.GetProperty("entities").EnumerateArray().Single(x => x.GetProperty("id").GetString() == "smic").GetProperty("role").GetString());
        var sullivan = await client.GetJsonAsync("/events/jake-sullivan-more-information-remark");
        Assert.DoesNotContain("“must get out of the way”", sullivan.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains(sullivan.GetProperty("references").EnumerateArray(), r => r.GetProperty("date").GetString() == "2023-09-05");

        // The 2020 struggle is its own event, dated by its own words, after the measures that caused it.
        var afloat = await client.GetJsonAsync("/events/huawei-fights-to-stay-afloat-as-smartphone-maker");
        Assert.Equal("2020", afloat.GetProperty("date").GetString());
    }

    [Fact]
    public async Task The_names_people_search_for_find_the_seeded_entities_and_their_events()
    {
        using var app = TimelineApp.WithDataset(RepositoryFiles.Dataset).LoggingTo(output);
        using var client = app.CreateClient();

        Assert.Contains("xu-zhijun", (await client.GetJsonAsync("/entities?q=Eric Xu")).Ids());
        foreach (var (name, id) in new[] { ("华为", "huawei"), ("中芯国际", "smic"), ("徐直军", "xu-zhijun"), ("麒麟", "kirin-9000s") })
        {
            Assert.Contains(id, (await client.GetJsonAsync("/entities?q=" + Uri.EscapeDataString(name))).Ids());
        }

        Assert.NotEmpty((await client.GetJsonAsync("/events?q=" + Uri.EscapeDataString("中芯国际"))).GetProperty("items").EnumerateArray());
        foreach (var id in new[] { "bis", "commerce-department", "entity-list", "fdpr" })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/entities/" + id)).StatusCode);
        }
    }

    [Fact]
    public async Task The_entities_the_users_ask_about_are_seeded_with_their_aliases()
    {
        using var app = TimelineApp.WithDataset(RepositoryFiles.Dataset).LoggingTo(output);
        using var client = app.CreateClient();

        var all = (await client.GetJsonAsync("/entities")).Ids();
        foreach (var id in new[] { "huawei", "smic", "tsmc", "qualcomm", "us-government", "kirin-9000s", "mate-60", "kirin", "ascend", "kunpeng", "harmonyos", "xu-zhijun", "jake-sullivan", "gregory-allen", "wadhwani-center" })
        {
            Assert.Contains(id, all);
        }

        var chip = await client.GetJsonAsync("/entities/kirin-9000s");
        Assert.Contains("Charlotte", chip.GetProperty("aliases").Strings());
    }

    [Fact]
    public async Task The_repository_dataset_is_valid()
    {
        var dataset = await DatasetReader.ReadAndValidateAsync(RepositoryFiles.Dataset, CancellationToken.None);

        Assert.Equal(2, dataset.Sources.Count);
        Assert.True(dataset.Events.Count >= 10);
    }

    public static TheoryData<string, Action<JsonObject>, string[]> BrokenDatasets => new()
    {
        {
            "a quote that is not in the source",
            d => d["events"]![3]!["citations"]![0]!["quote"] = "The ministry banned the firm.",
            ["event-003", "citations[0].quote", "does not occur verbatim", "'report'"]
        },
        {
            "a quote with straight quotes where the source has curly ones",
            d => d["events"]![3]!["citations"]![0]!["quote"] = "Gamma said \"more\".",
            ["event-003", "does not occur verbatim"]
        },
        {
            "an unknown entity",
            d => d["events"]![7]!["entities"]![0]!["id"] = "initech",
            ["event-007", "entities[0].id", "unknown entity 'initech'"]
        },
        {
            "an impossible date",
            d => d["events"]![2]!["date"] = "2023-02-30",
            ["event-002", ".date", "2023-02 has no day 30"]
        },
        {
            "an unknown category",
            d => d["events"]![1]!["category"] = "rumour",
            ["event-001", ".category", "'rumour' is not a category"]
        },
        {
            "an unknown source",
            d => d["events"]![4]!["citations"]![0]!["source"] = "blog",
            ["event-004", "unknown source 'blog'"]
        },
        {
            "an end date before the date",
            d => d["events"]![0]!["endDate"] = "2019-06",
            ["event-000", ".endDate", "before the date"]
        },
        {
            "a duplicate event id",
            d => d["events"]![5]!["id"] = "event-004",
            ["event-004", "used by another event"]
        },
        {
            "an event with no citation",
            d => d["events"]![6]!["citations"] = new JsonArray(),
            ["event-006", "at least one citation"]
        },
        {
            "a misspelt field",
            d => d["events"]![6]!.AsObject().Add("quotes", "x"),
            ["quotes", "events[6]"]
        },
    };

    [Theory]
    [MemberData(nameof(BrokenDatasets))]
    public async Task A_broken_dataset_fails_startup_naming_the_problem_and_writes_nothing(string what, Action<JsonObject> breakIt, string[] expected)
    {
        var dataset = SyntheticDataset.Build(10);
        breakIt(dataset);
        var path = SyntheticDataset.Write(dataset);

        // The whole app refuses to start, and leaves no store behind (on PostgreSQL, whose database exists before the app
        // starts and may have been migrated, no record).
        using (var app = TimelineApp.WithDataset(path))
        {
            Assert.ThrowsAny<Exception>(() => app.CreateClient());
            using var store = TestStore.Of(app);
            Assert.False(await store.HoldsAnyRecordAsync(), $"{what}: a store was written from a dataset that fails validation");
#if !POSTGRES
            Assert.False(await store.WasCreatedAsync(), $"{what}: a store was created from a dataset that fails validation");
#endif
        }

#if !POSTGRES
        // The startup step itself says which file, which record and what is wrong (the SQLite engine's, on a file of its own).
        var folder = Directory.CreateTempSubdirectory("timeline-seed-").FullName;
        var options = Options.Create(new TimelineOptions { DatabasePath = Path.Combine(folder, "t.db"), SeedPath = path });
        var initializer = new StoreInitializer(new SqliteConnections(options), options, TimeProvider.System, NullLogger<StoreInitializer>.Instance);

        var failure = await Assert.ThrowsAsync<DatasetValidationException>(() => initializer.StartAsync(CancellationToken.None));

        Assert.Contains(path, failure.Message, StringComparison.Ordinal);
        foreach (var part in expected)
        {
            Assert.True(failure.Message.Contains(part, StringComparison.Ordinal), $"{what}: '{part}' not in: {failure.Message}");
        }

        Assert.Equal(0, await CountRowsAsync(options.Value.DatabasePath));
#else
        // The validation the SQLite build checks above is the engine-neutral DatasetReader's; the app's refusal is enough here.
        Assert.NotEmpty(expected);
#endif
    }

    [Fact]
    public async Task Every_problem_of_a_dataset_is_reported_not_just_the_first()
    {
        var dataset = SyntheticDataset.Build(10);
        dataset["events"]![1]!["date"] = "2021-13";
        dataset["events"]![2]!["category"] = "gossip";
        dataset["events"]![3]!["entities"]![0]!["role"] = "villain";
        var path = SyntheticDataset.Write(dataset);

        var failure = await Assert.ThrowsAsync<DatasetValidationException>(() => DatasetReader.ReadAndValidateAsync(path, CancellationToken.None));

        Assert.Equal(3, failure.Errors.Count);
        Assert.Contains(failure.Errors, e => e.Path.Contains("event-001", StringComparison.Ordinal) && e.Path.EndsWith(".date", StringComparison.Ordinal));
        Assert.Contains(failure.Errors, e => e.Path.Contains("event-002", StringComparison.Ordinal) && e.Message.Contains("gossip", StringComparison.Ordinal));
        Assert.Contains(failure.Errors, e => e.Path.Contains("event-003", StringComparison.Ordinal) && e.Message.Contains("villain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_existing_store_is_not_reseeded_at_startup()
    {
        var path = SyntheticDataset.Write(SyntheticDataset.Build(10));
        using var first = TimelineApp.WithDataset(path).LoggingTo(output);
        using (var client = first.CreateClient())
        {
            Assert.Equal(10, (await client.GetJsonAsync("/events?limit=200")).Ids().Count);
        }

        // The dataset grows, but the store already holds data: a restart must not touch it.
        File.WriteAllText(path, SyntheticDataset.Build(20).ToJsonString());
        using var second = TimelineAppOnFile.OnStoreOf(first, path);
        using var again = second.CreateClient();

        Assert.Equal(10, (await again.GetJsonAsync("/events?limit=200")).Ids().Count);
    }

    [Fact]
    public async Task Reseeding_replaces_the_stores_data_with_the_dataset_in_one_go()
    {
        var path = SyntheticDataset.Write(SyntheticDataset.Build(10));
        using var app = TimelineApp.WithDataset(path).LoggingTo(output);
        using (var client = app.CreateClient())
        {
            Assert.Equal(10, (await client.GetJsonAsync("/events?limit=200")).Ids().Count);
        }

        File.WriteAllText(path, SyntheticDataset.Build(20).ToJsonString());
        var dataset = (IDatasetStore)app.Services.GetService(typeof(IDatasetStore))!;
        await dataset.ReseedAsync(CancellationToken.None);

        using var after = app.CreateClient();
        Assert.Equal(20, (await after.GetJsonAsync("/events?limit=200")).Ids().Count);
    }

    [Fact]
    public async Task The_search_index_follows_a_reseed()
    {
        var path = SyntheticDataset.Write(SyntheticDataset.Build(8));
        using var app = TimelineApp.WithDataset(path).LoggingTo(output);
        using var client = app.CreateClient();
        // Event i quotes "The ministry listed the firm." when i % 4 == 1.
        Assert.Equal(2, (await client.GetJsonAsync("/events?q=ministry&limit=200")).Ids().Count);

        var bigger = SyntheticDataset.Build(20);
        bigger["events"]![0]!["title"] = "Zeppelin";
        File.WriteAllText(path, bigger.ToJsonString());
        var store = (IDatasetStore)app.Services.GetService(typeof(IDatasetStore))!;
        await store.ReseedAsync(CancellationToken.None);

        Assert.Equal(5, (await client.GetJsonAsync("/events?q=ministry&limit=200")).Ids().Count);
        Assert.Equal(["event-000"], (await client.GetJsonAsync("/events?q=zeppelin")).Ids());
#if !POSTGRES
        // SQLite's FTS5 tables hold one row for each event, entity and source.
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM events_fts) - (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM entities_fts), (SELECT COUNT(*) FROM sources_fts);";
        using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(0, reader.GetInt64(0));
        Assert.Equal(2, reader.GetInt64(1));
        Assert.Equal(1, reader.GetInt64(2));
#endif
    }

    [Fact]
    public async Task A_failed_reseed_leaves_the_store_as_it_was()
    {
        var path = SyntheticDataset.Write(SyntheticDataset.Build(10));
        using var app = TimelineApp.WithDataset(path).LoggingTo(output);
        using var client = app.CreateClient();
        var before = await client.GetJsonAsync("/events?limit=200");

        var broken = SyntheticDataset.Build(20);
        broken["events"]![15]!["citations"]![0]!["quote"] = "not in the text";
        File.WriteAllText(path, broken.ToJsonString());
        var store = (IDatasetStore)app.Services.GetService(typeof(IDatasetStore))!;

        await Assert.ThrowsAsync<DatasetValidationException>(() => store.ReseedAsync(CancellationToken.None));

        var after = await client.GetJsonAsync("/events?limit=200");
        Assert.Equal(before.Ids(), after.Ids());
    }

    private static async Task<List<string>> AllEventIdsAsync(HttpClient client) =>
        (await client.GetJsonAsync("/events?limit=200")).Ids();

#if !POSTGRES
    private static async Task<long> CountRowsAsync(string databasePath)
    {
        if (!File.Exists(databasePath))
        {
            return 0;
        }

        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        long total = 0;
        foreach (var table in new[] { "sources", "entities", "entity_aliases", "events", "event_tags", "event_entities", "citations" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"SELECT COUNT(*) FROM {table};");
            total += (long)(await command.ExecuteScalarAsync())!;
        }

        return total;
    }
#endif
}

/// <summary>
/// An app on an existing store, to restart against the same data: a SQLite file, or on PostgreSQL the database of
/// <paramref name="postgresConnectionString"/> (another app's, or a <see cref="TestStore"/>'s).
/// </summary>
public sealed class TimelineAppOnFile(string databasePath, string seedPath, string? postgresConnectionString = null) : TimelineApp(seedPath)
{
    /// <summary>An app on the store of another (still running) app.</summary>
    public static TimelineAppOnFile OnStoreOf(TimelineApp other, string seedPath) => new(other.DatabasePath, seedPath, other.PostgresConnectionString);

    /// <summary>An app on a store of the test's own.</summary>
    public static TimelineAppOnFile OnStore(TestStore store, string seedPath) => new(store.DatabasePath, seedPath, store.ConnectionString);

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Timeline:DatabasePath", databasePath);
        if (postgresConnectionString is not null)
        {
            builder.UseSetting("ConnectionStrings:Timeline", postgresConnectionString);
        }
    }
}

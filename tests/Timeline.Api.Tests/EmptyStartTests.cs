using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>Timeline:Seed=none starts the server with an empty store, which a later start never seeds behind the curator's back.</summary>
public sealed class EmptyStartTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("timeline-empty-").FullName;
    private readonly List<TestStore> _stores = [];

    /// <summary>An app on a given store (a file, or a database on PostgreSQL), with Timeline:Seed set (or left to its default).</summary>
    private sealed class OnStore(TestStore store, string? seed) : TimelineApp(RepositoryFiles.ReferenceDataset)
    {
        protected override void ConfigureSettings(IWebHostBuilder builder)
        {
            store.Configure(builder);
            if (seed is not null)
            {
                builder.UseSetting("Timeline:Seed", seed);
            }
        }
    }

    /// <summary>A store of this test's own, which outlives the apps started on it.</summary>
    private TestStore Database(string name)
    {
        var store = new TestStore(_folder, name);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task Seed_none_starts_empty_writes_work_and_a_restart_does_not_seed()
    {
        var database = Database("empty.db");
        using (var app = new OnStore(database, "none").LoggingTo(output))
        {
            using var client = app.CreateClient(TimelineApp.EditorKey);
            Assert.Empty((await client.GetJsonAsync("/events")).GetProperty("items").EnumerateArray());
            Assert.Empty((await client.GetJsonAsync("/entities")).GetProperty("items").EnumerateArray());
            Assert.Empty((await client.GetJsonAsync("/sources")).GetProperty("items").EnumerateArray());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

            using var source = await client.PostAsync("/sources?id=first-source&title=The%20first%20source&standalone=true",
                new StringContent("The first words in an empty store.", Encoding.UTF8, "text/plain"));
            await source.AssertStatusAsync(HttpStatusCode.Created);
        }

        // Restarted with the default (dataset) setting, the store is not empty, so nothing is seeded into it.
        using (var app = new OnStore(database, seed: null).LoggingTo(output))
        {
            using var client = app.CreateClient();
            var sources = (await client.GetJsonAsync("/sources")).GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
            Assert.Equal(["first-source"], sources);
            Assert.Empty((await client.GetJsonAsync("/events")).GetProperty("items").EnumerateArray());
        }
    }

    [Fact]
    public async Task An_empty_store_stays_empty_across_restarts_with_seed_none()
    {
        var database = Database("still-empty.db");
        for (var start = 0; start < 2; start++)
        {
            using var app = new OnStore(database, "NONE").LoggingTo(output);
            using var client = app.CreateClient();
            Assert.Empty((await client.GetJsonAsync("/events")).GetProperty("items").EnumerateArray());
            Assert.Empty((await client.GetJsonAsync("/changes")).GetProperty("items").EnumerateArray());
        }
    }

    [Fact]
    public async Task A_seed_setting_that_is_neither_dataset_nor_none_stops_startup_naming_both()
    {
        var store = Database("bad-seed.db");
        using var app = new OnStore(store, "empty").LoggingTo(output);

        var failure = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.True(failure.ToString().Contains("Timeline:Seed is 'empty'", StringComparison.Ordinal), failure.ToString());
        Assert.False(await store.HoldsAnyRecordAsync());
#if !POSTGRES
        Assert.False(await store.WasCreatedAsync()); // on PostgreSQL the database exists, and may have been migrated
#endif
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left for the temp cleaner.
        }
    }
}

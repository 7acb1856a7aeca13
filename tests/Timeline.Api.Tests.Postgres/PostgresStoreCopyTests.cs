using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Timeline.Api.Operations;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// PostgreSQL only: copy-store moves a SQLite store with its history onto PostgreSQL and back without losing anything:
/// every record (tombstones included) with its version, every revision with its position, former ids, links, the change
/// feed and the data version, compared through both engines' store contracts.
/// </summary>
public sealed class PostgresStoreCopyTests(ITestOutputHelper output)
{
    private const string Survivor = "testing-teams-compare-kirin-9000s-to-qualcomm";

    /// <summary>An app on the SQLite engine, whatever engine the suite runs on.</summary>
    private sealed class OnSqlite : TimelineApp
    {
        protected override void ConfigureSettings(IWebHostBuilder builder) =>
            builder.UseSetting("Timeline:Store", TimelineOptions.StoreSqlite);
    }

    /// <summary>Writes, a delete, a merge and a rename through the API, so that the store has tombstones, former ids and several versions.</summary>
    private static async Task CurateAsync(TimelineApp app)
    {
        // The test server's own client: the API's contract is checked by the shared suite, on each engine.
        using var editor = app.Server.CreateClient();
        editor.DefaultRequestHeaders.Authorization = Curation.Bearer(TimelineApp.EditorKey);
        using var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", DuplicateWarningTests.ReadmeWalkthroughEvent("copy-duplicate"));
        await created.AssertStatusAsync(HttpStatusCode.Created);
        var merge = new JsonObject { ["into"] = Survivor, ["intoETag"] = await editor.ETagAsync($"/events/{Survivor}") };
        using (var merged = await editor.SendJsonAsync(HttpMethod.Post, "/events/copy-duplicate/merge", merge, created.Headers.ETag!.ToString()))
        {
            await merged.AssertStatusAsync(HttpStatusCode.OK);
        }

        using var old = await editor.SendJsonAsync(HttpMethod.Post, "/events", DuplicateWarningTests.ReadmeWalkthroughEvent("copy-old-name"));
        await old.AssertStatusAsync(HttpStatusCode.Created);
        var renamed = DuplicateWarningTests.ReadmeWalkthroughEvent("copy-new-name");
        renamed["formerIds"] = new JsonArray("copy-old-name");
        renamed["related"] = new JsonArray(Survivor);
        using (var rename = await editor.SendJsonAsync(HttpMethod.Post, "/events", renamed))
        {
            await rename.AssertStatusAsync(HttpStatusCode.Created);
        }

        using var doomed = await editor.SendJsonAsync(HttpMethod.Post, "/events", DuplicateWarningTests.ReadmeWalkthroughEvent("copy-deleted"));
        await doomed.AssertStatusAsync(HttpStatusCode.Created);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/events/copy-deleted");
        delete.Headers.TryAddWithoutValidation("If-Match", doomed.Headers.ETag!.ToString());
        delete.Headers.TryAddWithoutValidation("X-Reason", "a test deletes it");
        using (var deleted = await editor.SendAsync(delete))
        {
            await deleted.AssertStatusAsync(HttpStatusCode.NoContent);
        }
    }

    [Fact]
    public async Task A_curated_SQLite_store_copies_to_PostgreSQL_and_back_with_every_record_revision_change_and_the_data_version()
    {
        using var app = new OnSqlite().LoggingTo(output);
        await CurateAsync(app);
        var postgres = PostgresCluster.Shared.CreateDatabase();
        var back = Path.Combine(app.Folder, "back.db");
        try
        {
            var sqliteSpec = $"sqlite:{app.DatabasePath}";
            var postgresSpec = $"postgres:{postgres}";
            Assert.Equal(0, await StoreCopyCommand.RunAsync(["copy-store", "--from", sqliteSpec, "--to", postgresSpec]));
            await AssertSameAsync(sqliteSpec, postgresSpec);

            // The target must be empty: a second copy is refused and changes nothing.
            Assert.Equal(1, await StoreCopyCommand.RunAsync(["copy-store", "--from", sqliteSpec, "--to", postgresSpec]));
            await AssertSameAsync(sqliteSpec, postgresSpec);

            // And back, into a new SQLite file.
            Assert.Equal(0, await StoreCopyCommand.RunAsync(["copy-store", "--from", postgresSpec, "--to", $"sqlite:{back}"]));
            await AssertSameAsync(postgresSpec, $"sqlite:{back}");
            await AssertSameAsync(sqliteSpec, $"sqlite:{back}");
        }
        finally
        {
            PostgresCluster.Shared.DropDatabase(postgres);
        }
    }

    /// <summary>Both stores hold the same rows in every table, the same export and history, the same change feed and data version.</summary>
    private static async Task AssertSameAsync(string first, string second)
    {
        await using var a = StoreCopyCommand.Store(first, out _)!;
        await using var b = StoreCopyCommand.Store(second, out _)!;

        // Every table, row for row (records with their versions and tombstones, former ids, links, revisions, data version).
        await using (var left = await a.GetRequiredService<IStoreCopy>().OpenSourceAsync(CancellationToken.None))
        await using (var right = await b.GetRequiredService<IStoreCopy>().OpenSourceAsync(CancellationToken.None))
        {
            foreach (var table in StoreCopyTables.All)
            {
                var expected = await RowsAsync(left, table);
                var actual = await RowsAsync(right, table);
                Assert.True(expected.Count > 0, $"{table.Name} is empty");
                Assert.Equal(expected.Count, actual.Count);
                for (var i = 0; i < expected.Count; i++)
                {
                    Assert.Equal(expected[i], actual[i]);
                }
            }
        }

        Assert.Contains(await RowsOfAsync(a, StoreCopyTables.Revisions), r => r.Contains("\"delete\""));
        Assert.Contains(await RowsOfAsync(a, StoreCopyTables.FormerIds), r => r.Contains("\"copy-old-name\""));

        // The export and the history, through the dataset contract.
        Assert.Equal(await ExportAsync(a), await ExportAsync(b));

        // The change feed and the data version, through the history and version contracts.
        Assert.Equal(await ChangesAsync(a), await ChangesAsync(b));
        Assert.Equal(await a.GetRequiredService<IDataVersion>().GetAsync(CancellationToken.None), await b.GetRequiredService<IDataVersion>().GetAsync(CancellationToken.None));
    }

    private static async Task<List<string>> RowsAsync(IStoreCopySource source, StoreCopyTable table)
    {
        var rows = new List<string>();
        await foreach (var row in source.RowsAsync(table, CancellationToken.None))
        {
            rows.Add(JsonSerializer.Serialize(row));
        }

        return rows;
    }

    private static async Task<List<string>> RowsOfAsync(IServiceProvider store, StoreCopyTable table)
    {
        await using var source = await store.GetRequiredService<IStoreCopy>().OpenSourceAsync(CancellationToken.None);
        return await RowsAsync(source, table);
    }

    private static async Task<string> ExportAsync(IServiceProvider store)
    {
        await using var snapshot = await store.GetRequiredService<IDatasetStore>().OpenSnapshotAsync(CancellationToken.None);
        var export = new JsonObject
        {
            ["sources"] = JsonSerializer.SerializeToNode(await snapshot.SourcesAsync(CancellationToken.None).ToListAsync()),
            ["entities"] = JsonSerializer.SerializeToNode(await snapshot.EntitiesAsync(CancellationToken.None).ToListAsync()),
            ["events"] = JsonSerializer.SerializeToNode(await snapshot.EventsAsync(CancellationToken.None).ToListAsync()),
            ["history"] = JsonSerializer.SerializeToNode(await snapshot.HistoryAsync(CancellationToken.None).ToListAsync()),
        };
        return export.ToJsonString();
    }

    private static async Task<string> ChangesAsync(IServiceProvider store)
    {
        if (store.GetService<IRecordHistory>() is not { } history)
        {
            return "(no change feed on this engine yet)";
        }

        var pages = new JsonArray();
        long after = 0;
        while (true)
        {
            var page = await history.ChangesAsync(after, 100, CancellationToken.None);
            pages.Add(JsonSerializer.SerializeToNode(page));
            if (page.Items.Count == 0)
            {
                break;
            }

            after = page.Last;
        }

        return pages.ToJsonString();
    }
}

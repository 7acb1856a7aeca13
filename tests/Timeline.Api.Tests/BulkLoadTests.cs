using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Timeline.Store.Sqlite;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// A generated store loaded through the import path (the bulk writer): every event's first revision holds its
/// document as the dataset gives it, across the blocks the documents are serialised in, and (on SQLite) FTS5's own
/// settings are back to their defaults once the load has committed.
/// </summary>
public class BulkLoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_loaded_event_has_its_first_revision_and_the_search_index_keeps_its_default_settings()
    {
        var folder = Directory.CreateTempSubdirectory("timeline-bulk-").FullName;
        var path = Path.Combine(folder, "generated.json");
        await using (var file = File.Create(path))
        {
            Timeline.Model.Dataset.DatasetGenerator.Write(9_000, 7, file); // more than two blocks of 4,096 documents
        }

        using var app = TimelineApp.WithDataset(path).LoggingTo(output);
        using var client = app.CreateClient();
        using var dataset = JsonDocument.Parse(await File.ReadAllBytesAsync(path));
        var events = dataset.RootElement.GetProperty("events").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, StringComparer.Ordinal);

        await using var connection = await TestStore.OpenAsync(app);
        var revised = (await connection.QueryAsync<string>("SELECT resource_id FROM revisions WHERE resource = 'event' AND version = 1 ORDER BY resource_id;")).ToList();
        Assert.Equal(events.Keys.Order(StringComparer.Ordinal), revised);

        // Documents at the start, on both sides of each block boundary and at the end, in the order they are written.
        foreach (var at in new[] { 0, 4095, 4096, 8191, 8192, revised.Count - 1 })
        {
            var id = revised[at];
            var document = (await client.GetJsonAsync($"/events/{id}/revisions/1")).GetProperty("document");
            var expected = events[id];
            Assert.Equal(expected.GetProperty("title").GetString(), document.GetProperty("title").GetString());
            Assert.Equal(expected.GetProperty("date").GetString(), document.GetProperty("date").GetString());
            Assert.Equal(
                expected.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("quote").GetString()),
                document.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("quote").GetString()));
            Assert.Equal(
                expected.GetProperty("tags").EnumerateArray().Select(t => t.GetString()),
                document.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }

#if !POSTGRES
        foreach (var table in new[] { "events_fts", "sources_fts" })
        {
            var settings = (await connection.QueryAsync<(string K, long V)>($"SELECT k, v FROM {table}_config WHERE k IN ('hashsize', 'automerge');"))
                .ToDictionary(s => s.K, s => s.V);
            Assert.Equal(1_048_576, settings["hashsize"]);
            Assert.Equal(4, settings["automerge"]);
        }
#endif
    }
}

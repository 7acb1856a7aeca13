using System.Net.Http.Json;
using System.Text.Json;
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

    private static string Generated()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("timeline-generated-").FullName, "generated.json");
        using var file = File.Create(path);
        Timeline.Model.Dataset.DatasetGenerator.Write(3_000, 11, file);
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

        await using var tx = await c.BeginTransactionAsync();
        await PostgresSearchIndex.RebuildAsync(c, tx, CancellationToken.None);
        var rebuilt = await RowsAsync(c, tx);
        await tx.RollbackAsync();

        Assert.Equal(rebuilt.Count, loaded.Count);
        var differing = loaded.Zip(rebuilt).Where(p => p.First != p.Second).Take(3).ToList();
        Assert.True(differing.Count == 0, string.Join("\n", differing.Select(p => $"loaded:  {p.First}\nrebuilt: {p.Second}")));
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Timeline.Api.Tests;

/// <summary>
/// Writes small datasets in the data/timeline.json format for tests that need control over the data:
/// many events sharing days at mixed precisions (to pin the total order), or a deliberately broken record.
/// </summary>
public static class SyntheticDataset
{
    public const string SourceText = "Alpha report. The ministry listed the firm. Beta chip shipped. Gamma said “more”.";

    /// <summary>A valid dataset of <paramref name="count"/> events over two entities, dated in a few clusters.</summary>
    public static JsonObject Build(int count)
    {
        var events = new JsonArray();
        string[] quotes = ["Alpha report.", "The ministry listed the firm.", "Beta chip shipped.", "Gamma said “more”."];
        string[] categories = ["sanction", "entity-listing", "product-launch", "analysis"];
        for (var i = 0; i < count; i++)
        {
            // Clusters: many events start on 2020-01-01 at every precision, so ties are broken by precision, then id.
            var date = (i % 5) switch
            {
                0 => "2020",
                1 => "2020-01",
                2 => "2020-01-01",
                3 => string.Create(CultureInfo.InvariantCulture, $"{2019 + (i % 4)}-{1 + (i % 12):00}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"{2018 + (i % 6)}-{1 + (i % 12):00}-{1 + (i % 28):00}"),
            };
            events.Add(new JsonObject
            {
                ["id"] = string.Create(CultureInfo.InvariantCulture, $"event-{i:000}"),
                ["date"] = date,
                ["endDate"] = null,
                ["title"] = string.Create(CultureInfo.InvariantCulture, $"Event {i}"),
                ["summary"] = "A synthetic event.",
                ["category"] = categories[i % categories.Length],
                ["tags"] = new JsonArray(i % 2 == 0 ? "even" : "odd"),
                ["caveats"] = new JsonArray(),
                ["entities"] = new JsonArray(new JsonObject { ["id"] = i % 3 == 0 ? "acme" : "globex", ["role"] = "subject" }),
                ["citations"] = new JsonArray(new JsonObject { ["source"] = "report", ["quote"] = quotes[i % quotes.Length] }),
            });
        }

        return new JsonObject
        {
            ["sources"] = new JsonArray(new JsonObject
            {
                ["id"] = "report",
                ["title"] = "A report",
                ["publisher"] = null,
                ["author"] = null,
                ["publishedDate"] = "2024",
                ["url"] = null,
                ["text"] = SourceText,
                ["notes"] = new JsonArray(),
            }),
            ["entities"] = new JsonArray(
                new JsonObject { ["id"] = "acme", ["name"] = "Acme", ["kind"] = "company", ["country"] = "US", ["aliases"] = new JsonArray("ACME Corp"), ["description"] = null },
                new JsonObject { ["id"] = "globex", ["name"] = "Globex", ["kind"] = "company", ["country"] = null, ["aliases"] = new JsonArray(), ["description"] = null }),
            ["events"] = events,
        };
    }

    /// <summary>Writes a dataset to a new temporary file and returns its path.</summary>
    public static string Write(JsonObject dataset)
    {
        var folder = Directory.CreateTempSubdirectory("timeline-dataset-").FullName;
        var path = Path.Combine(folder, "timeline.json");
        File.WriteAllText(path, dataset.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}

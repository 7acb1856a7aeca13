using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>What exports say about change and about items that contain their own separators.</summary>
public class ExportChangeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_calendar_event_carries_a_sequence_that_grows_with_every_change_of_the_event()
    {
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(SyntheticDataset.Build(3))).LoggingTo(output);
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        Assert.Equal(0, Sequence(await editor.GetStringAsync("/events.ics"), "event-001"));

        for (var change = 1; change <= 2; change++)
        {
            var etag = await editor.ETagAsync("/events/event-001");
            using var patched = await editor.SendJsonAsync(HttpMethod.Patch, "/events/event-001", new JsonObject { ["title"] = $"Retitled {change}" }, etag, "application/merge-patch+json");
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }

        var calendar = await editor.GetStringAsync("/events.ics");
        Assert.Equal(2, Sequence(calendar, "event-001"));
        Assert.Equal(0, Sequence(calendar, "event-002"));
    }

    [Fact]
    public async Task A_list_cell_escapes_the_separator_inside_an_item_so_splitting_gives_the_items_back()
    {
        var dataset = SyntheticDataset.Build(3);
        string[] caveats = ["One caveat | with a bar inside", @"A back\slash, and a bar at the end |", "Plain"];
        dataset["events"]![0]!["caveats"] = new JsonArray([.. caveats.Select(c => (JsonNode)c)]);
        using var app = TimelineApp.WithDataset(SyntheticDataset.Write(dataset)).LoggingTo(output);
        using var client = app.CreateClient();
        var id = dataset["events"]![0]!["id"]!.GetValue<string>();

        var csv = await client.GetStringAsync("/events.csv");
        var row = ExportTests.ParseCsv(csv).Single(r => r[0] == id);
        var cell = row[9];

        Assert.Equal(@"One caveat \| with a bar inside | A back\\slash, and a bar at the end \| | Plain", cell);
        Assert.Equal(caveats, Split(cell));
    }

    /// <summary>Splits a list cell the way its description says: on " | " not preceded by an escaping backslash, then unescapes.</summary>
    private static List<string> Split(string cell)
    {
        var items = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < cell.Length; i++)
        {
            if (cell[i] == '\\' && i + 1 < cell.Length)
            {
                current.Append(cell[++i]);
            }
            else if (string.CompareOrdinal(cell, i, " | ", 0, 3) == 0)
            {
                items.Add(current.ToString());
                current.Clear();
                i += 2;
            }
            else
            {
                current.Append(cell[i]);
            }
        }

        items.Add(current.ToString());
        return items;
    }

    private static int Sequence(string calendar, string id)
    {
        var unfolded = calendar.Replace("\r\n ", string.Empty, StringComparison.Ordinal);
        var block = unfolded.Split("BEGIN:VEVENT").Single(b => b.Contains($"UID:{id}@timeline", StringComparison.Ordinal));
        var line = block.Split("\r\n").Single(l => l.StartsWith("SEQUENCE:", StringComparison.Ordinal));
        return int.Parse(line["SEQUENCE:".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}

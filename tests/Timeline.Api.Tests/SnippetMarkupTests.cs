using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Snippets whose text holds the characters an earlier version used as its highlight markers (U+0002, U+0003): the
/// text stays verbatim in the store, and only the search engine's own markers become &lt;mark&gt; (issue 13, item 11).
/// </summary>
public sealed partial class SnippetMarkupTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private const string Word = "zorblatt";

    /// <summary>Control characters around words that do not match, around the word that does, alone and reversed, beside markup.</summary>
    private const string SourceText =
        "Zorblatt dossier. \u0002forged\u0003 note: the \u0003zorblatt\u0002 ministry \u0002 listed <b>firms</b> & \"others\" \u0003 under zorblatt rules. End.";

    private const string Quote = "the \u0003zorblatt\u0002 ministry \u0002 listed <b>firms</b> & \"others\" \u0003 under zorblatt rules.";

    [Fact]
    public async Task Marker_characters_in_source_and_event_text_never_become_marks()
    {
        var editor = app.CreateClient(TimelineApp.EditorKey);
        var source = new JsonObject
        {
            ["id"] = "marker-source", ["title"] = "Zorblatt markers", ["publisher"] = null, ["author"] = null, ["publishedDate"] = "2024",
            ["url"] = null, ["text"] = SourceText, ["notes"] = new JsonArray(),
        };
        using (var created = await editor.SendJsonAsync(HttpMethod.Post, "/sources", source))
        {
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        var @event = Curation.NewEvent("marker-event", "Zorblatt rules are listed");
        @event["citations"] = new JsonArray(new JsonObject { ["source"] = "marker-source", ["quote"] = Quote });
        using (var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", @event))
        {
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        // The store keeps the words exactly.
        var stored = await app.CreateClient().GetJsonAsync("/sources/marker-source");
        Assert.Equal(SourceText, stored.GetProperty("text").GetString());

        var client = app.CreateClient();
        var snippets = new List<string>();
        foreach (var url in new[] { $"/events?q={Word}", $"/events?q={Word}&sort=relevance", $"/entities/qualcomm/events?q={Word}" })
        {
            var page = await client.GetJsonAsync(url);
            snippets.Add(Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("snippet").GetString()!);
        }

        var search = await client.GetJsonAsync($"/search?q={Word}");
        snippets.Add(Assert.Single(search.GetProperty("events").GetProperty("items").EnumerateArray()).GetProperty("snippet").GetString()!);
        snippets.Add(Assert.Single(search.GetProperty("sources").GetProperty("items").EnumerateArray()).GetProperty("snippet").GetString()!);

        foreach (var snippet in snippets)
        {
            AssertOnlyRealMatchesMarked(snippet);
        }

        // The source's snippet shows the quote's own characters, escaped, and a mark on each match.
        var sourceSnippet = snippets[^1];
        Assert.Contains("&lt;b&gt;firms&lt;/b&gt;", sourceSnippet, StringComparison.Ordinal);
        Assert.Contains("\u0002", sourceSnippet, StringComparison.Ordinal);
        Assert.Contains("\u0003", sourceSnippet, StringComparison.Ordinal);
    }

    /// <summary>Marks alternate open and close, enclose only the searched word, and everything else is escaped.</summary>
    private static void AssertOnlyRealMatchesMarked(string snippet)
    {
        var tags = MarkTag().Matches(snippet).Select(m => m.Value).ToList();
        Assert.NotEmpty(tags);
        for (var i = 0; i < tags.Count; i++)
        {
            Assert.True(tags[i] == (i % 2 == 0 ? "<mark>" : "</mark>"), $"unbalanced marks in {JsonSerializer.Serialize(snippet)}");
        }

        Assert.True(tags.Count % 2 == 0, $"a mark left open in {JsonSerializer.Serialize(snippet)}");
        foreach (Match marked in Marked().Matches(snippet))
        {
            Assert.True(string.Equals(marked.Groups[1].Value, Word, StringComparison.OrdinalIgnoreCase), $"'{marked.Groups[1].Value}' is marked in {JsonSerializer.Serialize(snippet)}");
        }

        var outside = Marked().Replace(snippet, "");
        Assert.DoesNotContain("<", outside, StringComparison.Ordinal);
        Assert.DoesNotContain(">", outside, StringComparison.Ordinal);
        Assert.DoesNotContain(Word, outside, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("</?mark>")]
    private static partial Regex MarkTag();

    [GeneratedRegex("<mark>(.*?)</mark>", RegexOptions.Singleline)]
    private static partial Regex Marked();

    [Fact]
    public async Task A_control_character_kept_verbatim_in_a_quote_never_reaches_the_calendar_raw()
    {
        var editor = app.CreateClient(TimelineApp.EditorKey);
        var source = new JsonObject
        {
            ["id"] = "control-source", ["title"] = "Quibbleton controls", ["publisher"] = null, ["author"] = null, ["publishedDate"] = "2024",
            ["url"] = null, ["text"] = "Quibbleton said \u0002so\u0007 and\tthen left.", ["notes"] = new JsonArray(),
        };
        using (var created = await editor.SendJsonAsync(HttpMethod.Post, "/sources", source))
        {
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        var @event = Curation.NewEvent("control-event", "Quibbleton speaks");
        @event["citations"] = new JsonArray(new JsonObject { ["source"] = "control-source", ["quote"] = "Quibbleton said \u0002so\u0007 and\tthen left." });
        using (var created = await editor.SendJsonAsync(HttpMethod.Post, "/events", @event))
        {
            await created.AssertStatusAsync(HttpStatusCode.Created);
        }

        var calendar = await app.CreateClient().GetStringAsync("/events.ics?q=quibbleton");

        Assert.Contains("Quibbleton", calendar, StringComparison.Ordinal);
        Assert.DoesNotContain(calendar.Replace("\r\n", string.Empty, StringComparison.Ordinal), c => char.IsControl(c) && c != '\t');
    }
}

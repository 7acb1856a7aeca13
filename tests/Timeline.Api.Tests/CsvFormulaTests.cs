using System.Net;
using System.Text.Json.Nodes;
using Timeline.Api.Exports;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// CSV cells a spreadsheet could run as formulas are neutralised (OWASP, CSV injection), also behind leading
/// whitespace and invisible characters, and in their full-width forms; every other cell is kept verbatim.
/// </summary>
public sealed class CsvFormulaTests(CsvFormulaTests.App fixture, ITestOutputHelper output) : IClassFixture<CsvFormulaTests.App>
{
    private readonly CsvFormulaTests.App app = fixture.LoggingTo(output);

    private const string Tag = "formula-cells";

    /// <summary>Titles a spreadsheet would run as formulas once it trims what the eye cannot see.</summary>
    public static readonly string[] FormulaTitles =
    [
        " =HYPERLINK(\"http://example.com\")",
        "\n=1+1",
        "\r\n@SUM(A1:A2)",
        "\u00A0+2",
        "\u200B-3",
        "\uFEFF=4",
        "\u3000=5",
        "＝HYPERLINK(\"http://example.com\")",
        "＋1",
        "－1",
        "＠cmd",
        "\t=6",
        " \t plain after a tab",
    ];

    public sealed class App : TimelineApp
    {
        private readonly Lazy<Task> _created;

        public App() => _created = new Lazy<Task>(CreateAsync);

        public Task CreatedAsync() => _created.Value;

        private async Task CreateAsync()
        {
            using var editor = CreateClient(EditorKey);
            for (var i = 0; i < FormulaTitles.Length; i++)
            {
                var body = Curation.NewEvent($"formula-cell-{i}", FormulaTitles[i]);
                body["tags"] = new JsonArray(Tag);
                body["summary"] = i == 0 ? "A plain summary, kept as it is." : "\u2060-summary after a word joiner";
                using var response = await editor.SendJsonAsync(HttpMethod.Post, "/events", body);
                await response.AssertStatusAsync(HttpStatusCode.Created);
            }
        }
    }

    [Theory]
    [InlineData("=1+1")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData("@SUM(A1)")]
    [InlineData("\t=1")]
    [InlineData("\r=1")]
    [InlineData(" =1")]
    [InlineData("   @x")]
    [InlineData("\n=1")]
    [InlineData("\r\n-1")]
    [InlineData("\u00A0=1")]
    [InlineData("\u2007+1")]
    [InlineData("\u200B=1")]
    [InlineData("\u200B\u200C\u200D\u2060\uFEFF@x")]
    [InlineData("\u3000=1")]
    [InlineData("＝1")]
    [InlineData("＋1")]
    [InlineData("－1")]
    [InlineData("＠x")]
    [InlineData(" ＝1")]
    [InlineData(" \t text")]
    public void A_cell_that_could_run_as_a_formula_is_prefixed_with_an_apostrophe_and_otherwise_kept(string cell)
    {
        Assert.Equal("'" + cell, CsvExport.Cell(cell));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData(" plain with a space")]
    [InlineData("1-2")]
    [InlineData("a=b")]
    [InlineData("\u00A0text")]
    [InlineData("")]
    [InlineData("   ")]
    public void Other_cells_are_kept_verbatim(string cell)
    {
        Assert.Equal(cell, CsvExport.Cell(cell));
    }

    [Fact]
    public async Task The_csv_export_neutralises_formula_cells_behind_whitespace_and_invisible_characters()
    {
        await app.CreatedAsync();
        using var client = app.CreateClient();

        var rows = ExportTests.ParseCsv(await client.GetStringAsync($"/events.csv?tag={Tag}"));

        var titles = rows.Skip(1).Select(r => r[5]).ToList();
        Assert.Equal(FormulaTitles.Length, titles.Count);
        Assert.All(FormulaTitles, title => Assert.Contains("'" + title, titles));
        var summaries = rows.Skip(1).Select(r => r[6]).ToList();
        Assert.Contains("A plain summary, kept as it is.", summaries);
        Assert.Contains("'\u2060-summary after a word joiner", summaries);
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Timeline.Api.Tests;

/// <summary>Each export parsed back by a real parser for its format and compared with the list endpoint.</summary>
public sealed class ExportTests : IClassFixture<ExportTests.App>
{
    private static readonly string[] TrickyTitles =
    [
        "Commas, \"quotes\" and a\nnew line",
        "=HYPERLINK(\"http://example.com\")",
        "+1 then -1 and @mention",
        "Ünïcödé: 中文, עברית; emoji 🔬",
        "Back\\slash; semi;colons, and a very long title that goes on and on so that its iCalendar line must be folded more than once to fit",
    ];

    private readonly HttpClient _client;

    public ExportTests(App app) => _client = app.CreateClient();

    public sealed class App() : TimelineApp(SyntheticDataset.Write(Dataset()));

    private static JsonObject Dataset()
    {
        var dataset = SyntheticDataset.Build(25);
        for (var i = 0; i < TrickyTitles.Length; i++)
        {
            dataset["events"]![i]!["title"] = TrickyTitles[i];
        }

        dataset["events"]![5]!["summary"] = "-starts with a minus";
        dataset["events"]![6]!["endDate"] = "2021-03";
        return dataset;
    }

    [Fact]
    public async Task Csv_round_trips_through_a_csv_parser_and_matches_the_list()
    {
        using var response = await _client.GetAsync("/events.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\r\n", body, StringComparison.Ordinal);

        var rows = ParseCsv(body);

        Assert.Equal(["id", "date", "date_precision", "end_date", "category", "title", "summary", "tags", "entities", "caveats", "citations", "references", "url"], rows[0]);
        var list = (await _client.GetJsonAsync("/events?limit=200")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(list.Count, rows.Count - 1);
        for (var i = 0; i < list.Count; i++)
        {
            var row = rows[i + 1];
            var e = list[i];
            Assert.Equal(e.GetProperty("id").GetString(), row[0]);
            Assert.Equal(e.GetProperty("date").GetString(), row[1]);
            Assert.Equal(e.GetProperty("datePrecision").GetString(), row[2]);
            Assert.Equal(e.GetProperty("endDate").GetString() ?? "", row[3]);
            Assert.Equal(Neutralised(e.GetProperty("title").GetString()!), row[5]);
            Assert.Equal(Neutralised(e.GetProperty("summary").GetString()!), row[6]);
            Assert.Equal(string.Join("; ", e.GetProperty("tags").Strings()), row[7]);
        }

        Assert.Contains(rows, r => r[5] == TrickyTitles[0]);
        Assert.Contains(rows, r => r[5] == TrickyTitles[3]);
        Assert.Contains(rows, r => r[5] == "'" + TrickyTitles[1]);
        Assert.Contains(rows, r => r[5] == "'" + TrickyTitles[2]);
        Assert.Contains(rows, r => r[6] == "'-starts with a minus");
    }

    [Fact]
    public async Task Csv_takes_the_same_filters_and_every_page()
    {
        var filtered = ParseCsv(await _client.GetStringAsync("/events.csv?category=sanction&sort=-date"));
        var list = (await _client.GetJsonAsync("/events?category=sanction&sort=-date&limit=200")).Ids();

        Assert.Equal(list, filtered.Skip(1).Select(r => r[0]).ToList());

        var all = ParseCsv(await _client.GetStringAsync("/events.csv"));
        Assert.Equal(26, all.Count);
    }

    [Fact]
    public async Task Accept_text_csv_on_the_list_gives_the_same_csv_and_the_responses_vary_on_accept()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events?category=analysis");
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await _client.SendAsync(request);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await _client.GetStringAsync("/events.csv?category=analysis"), await response.Content.ReadAsStringAsync());
        Assert.Contains("Accept", response.Headers.Vary);

        using var json = await _client.GetAsync("/events?category=analysis");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual(response.Headers.ETag, json.Headers.ETag);
    }

    [Fact]
    public async Task ICalendar_is_valid_rfc_5545_with_one_all_day_event_per_event()
    {
        using var response = await _client.GetAsync("/events.ics");
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = Encoding.UTF8.GetString(bytes);

        // Every physical line ends with CRLF and is at most 75 octets.
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        var physical = text[..^2].Split("\r\n");
        Assert.All(physical, line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 75, $"{Encoding.UTF8.GetByteCount(line)} octets: {line}"));
        Assert.DoesNotContain(physical, line => line.Contains('\n', StringComparison.Ordinal) || line.Contains('\r', StringComparison.Ordinal));

        var events = ParseICalendar(physical);
        var list = (await _client.GetJsonAsync("/events?limit=200")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(list.Count, events.Count);
        Assert.Equal(events.Count, events.Select(e => e["UID"]).Distinct().Count());
        for (var i = 0; i < list.Count; i++)
        {
            var e = list[i];
            var v = events[i];
            Assert.Equal($"{e.GetProperty("id").GetString()}@timeline", v["UID"]);
            Assert.Equal(e.GetProperty("title").GetString()!.Replace("\n", "\\n", StringComparison.Ordinal), UnescapeKeepingNewlines(v["SUMMARY"]));
            Assert.Equal(e.GetProperty("category").GetString(), v["CATEGORIES"]);
            Assert.True(v.ContainsKey("DTSTAMP"));
            var (first, last) = Interval(e.GetProperty("date").GetString()!, e.GetProperty("endDate").GetString());
            Assert.Equal("DATE:" + first.ToString("yyyyMMdd", CultureInfo.InvariantCulture), v["DTSTART;VALUE"]);
            Assert.Equal("DATE:" + last.AddDays(1).ToString("yyyyMMdd", CultureInfo.InvariantCulture), v["DTEND;VALUE"]);
            Assert.Contains(e.GetProperty("id").GetString()!, v["URL"], StringComparison.Ordinal);
        }

        Assert.Contains(events, v => Unescape(v["SUMMARY"]) == TrickyTitles[3]);
        Assert.Contains(events, v => Unescape(v["SUMMARY"]) == TrickyTitles[4]);
    }

    [Fact]
    public async Task A_month_precision_event_spans_its_whole_month_in_the_calendar()
    {
        var text = await _client.GetStringAsync("/events.ics?from=2020-01-01&to=2020-01-01");
        var events = ParseICalendar(text[..^2].Split("\r\n"));

        var month = events.First(v => v["DTSTART;VALUE"] == "DATE:20200101" && v["DTEND;VALUE"] == "DATE:20200201");
        var year = events.First(v => v["DTSTART;VALUE"] == "DATE:20200101" && v["DTEND;VALUE"] == "DATE:20210101");
        Assert.NotEqual(month["UID"], year["UID"]);
    }

    [Fact]
    public async Task Atom_is_a_valid_feed_of_the_newest_changes()
    {
        using var response = await _client.GetAsync("/events/feed.atom?category=analysis");
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);

        var feed = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        XNamespace atom = "http://www.w3.org/2005/Atom";
        Assert.Equal(atom + "feed", feed.Name);
        foreach (var required in new[] { "id", "title", "updated", "author" })
        {
            Assert.NotNull(feed.Element(atom + required));
        }

        Assert.NotNull(feed.Element(atom + "author")!.Element(atom + "name"));
        Assert.Contains(feed.Elements(atom + "link"), l => (string?)l.Attribute("rel") == "self");
        AssertRfc3339(feed.Element(atom + "updated")!.Value);

        var entries = feed.Elements(atom + "entry").ToList();
        var list = (await _client.GetJsonAsync("/events?category=analysis&limit=200")).Ids();
        Assert.Equal(list.Order(), entries.Select(e => e.Element(atom + "id")!.Value.Split('/')[^1]).Order());
        foreach (var entry in entries)
        {
            Assert.False(string.IsNullOrWhiteSpace(entry.Element(atom + "title")?.Value));
            Assert.False(string.IsNullOrWhiteSpace(entry.Element(atom + "summary")?.Value));
            AssertRfc3339(entry.Element(atom + "updated")!.Value);
            var link = entry.Elements(atom + "link").Single(l => (string?)l.Attribute("rel") == "alternate");
            Assert.True(Uri.IsWellFormedUriString((string?)link.Attribute("href"), UriKind.Absolute));
            Assert.True(Uri.IsWellFormedUriString(entry.Element(atom + "id")!.Value, UriKind.Absolute));
        }
    }

    [Fact]
    public async Task Atom_holds_at_most_fifty_entries()
    {
        var app = TimelineApp.WithDataset(SyntheticDataset.Write(SyntheticDataset.Build(70)));
        using (app)
        {
            using var client = app.CreateClient();
            var feed = XDocument.Parse(await client.GetStringAsync("/events/feed.atom")).Root!;

            Assert.Equal(50, feed.Elements(XName.Get("entry", "http://www.w3.org/2005/Atom")).Count());
        }
    }

    [Fact]
    public async Task TimelineJs_has_the_shape_TimelineJS3_documents_and_matches_the_list()
    {
        var document = await _client.GetJsonAsync("/events/timelinejs");

        var title = document.GetProperty("title").GetProperty("text");
        Assert.False(string.IsNullOrWhiteSpace(title.GetProperty("headline").GetString()));
        var slides = document.GetProperty("events").EnumerateArray().ToList();
        var list = (await _client.GetJsonAsync("/events?limit=200")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(list.Count, slides.Count);
        Assert.Equal(slides.Count, slides.Select(s => s.GetProperty("unique_id").GetString()).Distinct().Count());
        for (var i = 0; i < list.Count; i++)
        {
            var e = list[i];
            var slide = slides[i];
            Assert.Equal(e.GetProperty("id").GetString(), slide.GetProperty("unique_id").GetString());
            Assert.Equal(e.GetProperty("category").GetString(), slide.GetProperty("group").GetString());
            var start = slide.GetProperty("start_date");
            Assert.Equal(JsonValueKind.Number, start.GetProperty("year").ValueKind);
            var date = e.GetProperty("date").GetString()!;
            Assert.Equal(date.Length >= 7, start.TryGetProperty("month", out _));
            Assert.Equal(date.Length == 10, start.TryGetProperty("day", out _));
            Assert.Equal(int.Parse(date[..4], CultureInfo.InvariantCulture), start.GetProperty("year").GetInt32());
            Assert.Equal(e.GetProperty("endDate").ValueKind != JsonValueKind.Null, slide.TryGetProperty("end_date", out _));
            var text = slide.GetProperty("text");
            Assert.Equal(System.Net.WebUtility.HtmlEncode(e.GetProperty("title").GetString()), text.GetProperty("headline").GetString());
            Assert.Contains("<blockquote>", text.GetProperty("text").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Exports_refuse_bad_filters_like_the_list()
    {
        foreach (var url in new[] { "/events.csv?from=2023-02-30", "/events.ics?category=x", "/events/timelinejs?entity=nobody", "/events/feed.atom?q=%22%22" })
        {
            await _client.GetProblemAsync(url, HttpStatusCode.BadRequest);
        }
    }

    private static string Neutralised(string value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' ? "'" + value : value;

    /// <summary>A CSV body read by CsvHelper's reader (see <see cref="ExportParserTests.ReadCsv"/>).</summary>
    internal static List<string[]> ParseCsv(string body) => ExportParserTests.ReadCsv(Encoding.UTF8.GetBytes(body));

    /// <summary>A strict line-level iCalendar reader: unfolds, checks BEGIN/END nesting and the required properties.</summary>
    internal static List<Dictionary<string, string>> ParseICalendar(string[] physical)
    {
        var lines = new List<string>();
        foreach (var line in physical)
        {
            if (line.StartsWith(' '))
            {
                lines[^1] += line[1..];
            }
            else
            {
                lines.Add(line);
            }
        }

        Assert.Equal("BEGIN:VCALENDAR", lines[0]);
        Assert.Equal("END:VCALENDAR", lines[^1]);
        Assert.Contains("VERSION:2.0", lines);
        Assert.Contains(lines, l => l.StartsWith("PRODID:", StringComparison.Ordinal));
        var events = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var line in lines.Skip(1).SkipLast(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0, line);
            if (line == "BEGIN:VEVENT")
            {
                Assert.Null(current);
                current = [];
            }
            else if (line == "END:VEVENT")
            {
                Assert.NotNull(current);
                foreach (var required in new[] { "UID", "DTSTAMP", "DTSTART;VALUE", "DTEND;VALUE", "SUMMARY" })
                {
                    Assert.True(current.ContainsKey(required), required);
                }

                events.Add(current);
                current = null;
            }
            else if (current is not null)
            {
                var name = line[..line.IndexOfAny([':', '='])];
                var value = line[(name.Length + 1)..];
                current[name] = value;
            }
        }

        Assert.Null(current);
        return events;
    }

    private static string Unescape(string value) =>
        value.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\,", ",", StringComparison.Ordinal)
            .Replace("\\;", ";", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    private static string UnescapeKeepingNewlines(string value) =>
        value.Replace("\\,", ",", StringComparison.Ordinal).Replace("\\;", ";", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    private static (DateOnly First, DateOnly Last) Interval(string date, string? endDate)
    {
        var start = Timeline.Model.Dates.PartialDate.Parse(date);
        var end = endDate is null ? start : Timeline.Model.Dates.PartialDate.Parse(endDate);
        return (start.FirstDay, end.LastDay);
    }

    /// <summary>An RFC 3339 date-time in UTC (Atom's date construct), with or without a fraction of a second.</summary>
    private static void AssertRfc3339(string value) =>
        Assert.True(DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _), value);
}

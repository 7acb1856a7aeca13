using System.Globalization;
using System.Net;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using CsvHelper;
using Ical.Net.CalendarComponents;

namespace Timeline.Api.Tests;

/// <summary>
/// Each export read back by the field's own parser, not by ours: iCalendar by Ical.Net, CSV by CsvHelper's reader, Atom
/// by System.ServiceModel.Syndication's SyndicationFeed.Load. Every event the list holds is found in each, field by
/// field, including text that needs escaping in every format (commas, quotes, line breaks, the list separator of CSV
/// cells, backslashes, formula-like starts) and events changed after they were created (iCalendar's SEQUENCE).
/// </summary>
public sealed class ExportParserTests(ExportParserTests.App app) : IClassFixture<ExportParserTests.App>
{
    private const string TrickyTitle = "Commas, \"quotes\"; semi;colons\nand a new line, with a back\\slash";
    private const string TrickySummary = "Line one,\r\nline two | with a bar, and \"quotes\" and a back\\slash.";
    private static readonly string[] TrickyCaveats = ["One | two", "A back\\slash before a bar \\| here", "Ends with a bar |", "Plain, with a comma"];

    public sealed class App : TimelineApp
    {
        private readonly Lazy<Task> _changed;

        public App() : base(SyntheticDataset.Write(Dataset())) => _changed = new Lazy<Task>(ChangeAsync);

        /// <summary>event-003 is changed twice after it was created (version 3), event-004 once (version 2).</summary>
        public Task ChangedAsync() => _changed.Value;

        private async Task ChangeAsync()
        {
            using var editor = CreateClient(EditorKey);
            foreach (var (id, times) in new[] { ("event-003", 2), ("event-004", 1) })
            {
                for (var i = 0; i < times; i++)
                {
                    var etag = await editor.ETagAsync($"/events/{id}");
                    var patch = new JsonObject { ["summary"] = $"Changed {i + 1} time(s), a comma, and a \"quote\"." };
                    using var response = await editor.SendJsonAsync(HttpMethod.Patch, $"/events/{id}", patch, etag, "application/merge-patch+json");
                    await response.AssertStatusAsync(HttpStatusCode.OK);
                }
            }
        }
    }

    private static JsonObject Dataset()
    {
        var dataset = SyntheticDataset.Build(12);
        var events = dataset["events"]!.AsArray();
        events[0]!["title"] = TrickyTitle;
        events[0]!["summary"] = TrickySummary;
        events[0]!["caveats"] = new JsonArray(TrickyCaveats.Select(c => (JsonNode?)c).ToArray());
        events[0]!["references"] = new JsonArray(ReferencesTests.Reference());
        events[1]!["title"] = "=HYPERLINK(\"http://example.com\")";
        events[1]!["summary"] = "-starts with a minus";
        events[1]!["caveats"] = new JsonArray("+1 as a caveat", "@mention");
        events[2]!["title"] = "Ünïcödé: 中文, עברית; emoji 🔬 and a title long enough that an iCalendar line holding it must be folded more than once to fit in 75 octets";
        events[6]!["endDate"] = "2021-03";
        events[7]!["entities"] = new JsonArray(
            new JsonObject { ["id"] = "acme", ["role"] = "subject" },
            new JsonObject { ["id"] = "globex", ["role"] = "customer" },
            new JsonObject { ["id"] = "acme", ["role"] = "participant" });
        return dataset;
    }

    [Fact]
    public async Task ICalendar_parses_in_Ical_Net_with_every_event_its_sequence_and_all_day_dates()
    {
        await app.ChangedAsync();
        using var client = app.CreateClient();
        var details = await DetailsAsync(client);

        using var response = await client.GetAsync("/events.ics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var calendar = Ical.Net.Calendar.Load(text)!;

        Assert.Equal("2.0", calendar.Version);
        Assert.Equal("PUBLISH", calendar.Method);
        Assert.Equal(details.Count, calendar.Events.Count);
        for (var i = 0; i < details.Count; i++)
        {
            var e = details[i];
            var v = calendar.Events[i]!;
            var id = e.GetProperty("id").GetString()!;
            Assert.Equal($"{id}@timeline", v.Uid);
            Assert.Equal(e.GetProperty("title").GetString(), v.Summary);
            // A text value's line breaks are written as \n (RFC 5545 3.3.11): CRLF reads back as LF.
            Assert.StartsWith(Lf(e.GetProperty("summary").GetString()!) + "\n\n", v.Description, StringComparison.Ordinal);
            Assert.EndsWith($"/events/{id}", v.Description, StringComparison.Ordinal);
            foreach (var citation in e.GetProperty("citations").EnumerateArray())
            {
                Assert.Contains($"“{citation.GetProperty("quote").GetString()}”", v.Description, StringComparison.Ordinal);
            }

            Assert.Equal(e.GetProperty("category").GetString(), Assert.Single(v.Categories));
            Assert.Equal($"/events/{id}", v.Url!.AbsolutePath);
            Assert.Equal(e.GetProperty("version").GetInt64() - 1, v.Sequence);
            Assert.Equal("TRANSPARENT", v.Transparency);
            Assert.Equal(Instant(e.GetProperty("updatedAt").GetString()!), v.DtStamp!.AsUtc);
            Assert.Equal(Instant(e.GetProperty("createdAt").GetString()!), v.Created!.AsUtc);
            Assert.Equal(Instant(e.GetProperty("updatedAt").GetString()!), v.LastModified!.AsUtc);

            // A partial date is a span of whole days: DATE values (no time), the end exclusive.
            var (first, last) = Interval(e.GetProperty("date").GetString()!, e.GetProperty("endDate").GetString());
            Assert.False(v.DtStart!.HasTime, id);
            Assert.False(v.DtEnd!.HasTime, id);
            Assert.True(v.IsAllDay, id);
            Assert.Equal(first, DateOnly.FromDateTime(v.DtStart.Value));
            Assert.Equal(last.AddDays(1), DateOnly.FromDateTime(v.DtEnd.Value));
        }

        // The text as the event has it, every character back after escaping and folding.
        Assert.Contains(calendar.Events, v => v.Summary == TrickyTitle);
        Assert.Contains(calendar.Events, v => v.Description!.StartsWith(Lf(TrickySummary), StringComparison.Ordinal));
        Assert.Equal(2, calendar.Events.Single(v => v.Uid == "event-003@timeline").Sequence);
        Assert.Equal(1, calendar.Events.Single(v => v.Uid == "event-004@timeline").Sequence);
        Assert.Equal(0, calendar.Events.Single(v => v.Uid == "event-005@timeline").Sequence);
        Assert.All(text[..^2].Split("\r\n"), line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 75, line));
    }

    [Fact]
    public async Task ICalendar_dates_of_each_precision_are_the_days_they_cover()
    {
        using var client = app.CreateClient();

        var calendar = Ical.Net.Calendar.Load(await client.GetStringAsync("/events.ics"))!;

        (DateOnly, DateOnly) Span(string uid)
        {
            var v = calendar.Events.Single(e => e.Uid == uid);
            return (DateOnly.FromDateTime(v.DtStart!.Value), DateOnly.FromDateTime(v.DtEnd!.Value));
        }

        Assert.Equal((new DateOnly(2020, 1, 1), new DateOnly(2021, 1, 1)), Span("event-000@timeline")); // 2020
        Assert.Equal((new DateOnly(2020, 1, 1), new DateOnly(2020, 2, 1)), Span("event-001@timeline")); // 2020-01
        Assert.Equal((new DateOnly(2020, 1, 1), new DateOnly(2020, 1, 2)), Span("event-002@timeline")); // 2020-01-01
        Assert.Equal((new DateOnly(2020, 1, 1), new DateOnly(2021, 4, 1)), Span("event-006@timeline")); // 2020-01 to 2021-03
    }

    [Fact]
    public async Task Csv_round_trips_every_field_through_CsvHelpers_reader()
    {
        await app.ChangedAsync();
        using var client = app.CreateClient();
        var details = await DetailsAsync(client);

        using var response = await client.GetAsync("/events.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = ReadCsv(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal(["id", "date", "date_precision", "end_date", "category", "title", "summary", "tags", "entities", "caveats", "citations", "references", "url"], rows[0]);
        Assert.Equal(details.Count, rows.Count - 1);
        for (var i = 0; i < details.Count; i++)
        {
            var e = details[i];
            var row = rows[i + 1];
            var id = e.GetProperty("id").GetString()!;
            Assert.Equal(id, row[0]);
            Assert.Equal(e.GetProperty("date").GetString(), row[1]);
            Assert.Equal(e.GetProperty("datePrecision").GetString(), row[2]);
            Assert.Equal(e.GetProperty("endDate").GetString() ?? "", row[3]);
            Assert.Equal(e.GetProperty("category").GetString(), row[4]);
            Assert.Equal(Neutralised(e.GetProperty("title").GetString()!), row[5]);
            Assert.Equal(Neutralised(e.GetProperty("summary").GetString()!), row[6]);
            Assert.Equal(string.Join("; ", e.GetProperty("tags").Strings()), row[7]);
            Assert.Equal(string.Join("; ", e.GetProperty("entities").EnumerateArray().Select(x => x.GetProperty("id").GetString()).Distinct()), row[8]);
            Assert.Equal(e.GetProperty("caveats").Strings(), SplitList(Unneutralised(row[9])));
            Assert.Equal(
                e.GetProperty("citations").EnumerateArray().Select(c => $"{c.GetProperty("sourceId").GetString()}: “{c.GetProperty("quote").GetString()}”").ToList(),
                SplitList(row[10]));
            var references = e.TryGetProperty("references", out var r) ? r.EnumerateArray().ToList() : [];
            var cells = SplitList(row[11]);
            Assert.Equal(references.Count, cells.Count);
            for (var j = 0; j < references.Count; j++)
            {
                Assert.StartsWith($"{references[j].GetProperty("title").GetString()} ({references[j].GetProperty("publisher").GetString()}, ", cells[j], StringComparison.Ordinal);
                Assert.Contains($", FR Doc. {references[j].GetProperty("documentNumber").GetString()})", cells[j], StringComparison.Ordinal);
                Assert.EndsWith($": supports {references[j].GetProperty("supports").GetString()}", cells[j], StringComparison.Ordinal);
            }

            Assert.EndsWith($"/events/{id}", row[12], StringComparison.Ordinal);
            Assert.True(Uri.IsWellFormedUriString(row[12], UriKind.Absolute), row[12]);
        }

        // The tricky cells, exactly: quotes, commas, CRLF and LF inside cells, and " | " inside a list item.
        var tricky = rows.Single(row => row[0] == "event-000");
        Assert.Equal(TrickyTitle, tricky[5]);
        Assert.Equal(TrickySummary, tricky[6]);
        Assert.Equal(TrickyCaveats, SplitList(tricky[9]));
        Assert.Contains("One \\| two", tricky[9], StringComparison.Ordinal);
        var formula = rows.Single(row => row[0] == "event-001");
        Assert.Equal("'=HYPERLINK(\"http://example.com\")", formula[5]);
        Assert.Equal("'-starts with a minus", formula[6]);
        Assert.Equal("'+1 as a caveat | @mention", formula[9]);
        Assert.Equal("acme; globex", rows.Single(row => row[0] == "event-007")[8]);
    }

    [Fact]
    public async Task Atom_loads_in_SyndicationFeed_with_each_changed_event_as_an_entry()
    {
        await app.ChangedAsync();
        using var client = app.CreateClient();
        var details = (await DetailsAsync(client)).ToDictionary(d => d.GetProperty("id").GetString()!);

        using var response = await client.GetAsync("/events/feed.atom");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync());
        var feed = SyndicationFeed.Load(reader);

        Assert.Equal("Semiconductor sanctions timeline", feed.Title.Text);
        Assert.Equal("Timeline", Assert.Single(feed.Authors).Name);
        Assert.Contains(feed.Links, l => l.RelationshipType == "self" && l.Uri.AbsolutePath == "/events/feed.atom");
        Assert.Contains(feed.Links, l => l.RelationshipType == "alternate" && l.Uri.AbsolutePath == "/events");
        var items = feed.Items.ToList();
        Assert.Equal(details.Count, items.Count);
        Assert.Equal(items.Max(i => i.LastUpdatedTime), feed.LastUpdatedTime);
        // Newest change first: the events changed after the load lead.
        Assert.Equal(["event-004", "event-003"], items.Take(2).Select(i => i.Id.Split('/')[^1]));
        foreach (var item in items)
        {
            var id = item.Id.Split('/')[^1];
            var e = details[id];
            Assert.Equal($"/events/{id}", new Uri(item.Id).AbsolutePath);
            Assert.Equal($"{e.GetProperty("date").GetString()}: {e.GetProperty("title").GetString()}", item.Title.Text);
            // XML parsers read CRLF in text as LF (XML 1.0 2.11).
            Assert.StartsWith(Lf(e.GetProperty("summary").GetString()!), item.Summary.Text, StringComparison.Ordinal);
            foreach (var citation in e.GetProperty("citations").EnumerateArray())
            {
                Assert.Contains($"“{citation.GetProperty("quote").GetString()}”", item.Summary.Text, StringComparison.Ordinal);
            }

            Assert.Equal(e.GetProperty("category").GetString(), Assert.Single(item.Categories).Name);
            Assert.Equal(item.Id, Assert.Single(item.Links, l => l.RelationshipType == "alternate").Uri.ToString());
            // Atom's dates may carry a fraction of a second or not (RFC 3339): compared to the second.
            Assert.Equal(Instant(e.GetProperty("updatedAt").GetString()!), ToSecond(item.LastUpdatedTime.UtcDateTime));
            Assert.Equal(Instant(e.GetProperty("createdAt").GetString()!), ToSecond(item.PublishDate.UtcDateTime));
        }
    }

    /// <summary>Every event of the list, in list order, as GET /events/{id} answers it.</summary>
    private static async Task<List<JsonElement>> DetailsAsync(HttpClient client)
    {
        var ids = (await client.GetJsonAsync("/events?limit=200")).Ids();
        var details = new List<JsonElement>();
        foreach (var id in ids)
        {
            details.Add(await client.GetJsonAsync($"/events/{id}"));
        }

        return details;
    }

    /// <summary>Every record of a CSV body, the header first, as CsvHelper reads it (comma separated, nothing trimmed).</summary>
    internal static List<string[]> ReadCsv(byte[] body)
    {
        using var csv = CsvReader.Create(body, CsvReaderOptions.Default with { Separator = ',', HasHeader = false, TrimWhitespace = false });
        var rows = new List<string[]>();
        while (csv.Read())
        {
            rows.Add(Enumerable.Range(0, csv.FieldCount).Select(csv.GetString).ToArray());
        }

        return rows;
    }

    /// <summary>A list cell's items: split on " | " where the bar is not escaped, then \| and \\ unescaped.</summary>
    private static List<string> SplitList(string cell)
    {
        var items = new List<string>();
        if (cell.Length == 0)
        {
            return items;
        }

        var item = new StringBuilder();
        for (var i = 0; i < cell.Length; i++)
        {
            if (cell[i] == '\\' && i + 1 < cell.Length)
            {
                item.Append(cell[++i]);
            }
            else if (cell[i] == ' ' && string.CompareOrdinal(cell, i, " | ", 0, 3) == 0)
            {
                items.Add(item.ToString());
                item.Clear();
                i += 2;
            }
            else
            {
                item.Append(cell[i]);
            }
        }

        items.Add(item.ToString());
        return items;
    }

    private static string Lf(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string Neutralised(string value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' ? "'" + value : value;

    private static string Unneutralised(string cell) => cell.StartsWith('\'') && cell.Length > 1 && cell[1] is '=' or '+' or '-' or '@' ? cell[1..] : cell;

    /// <summary>A stored UTC time to the second, as iCalendar's DATE-TIME values carry it.</summary>
    private static DateTime Instant(string isoUtc) =>
        ToSecond(DateTimeOffset.Parse(isoUtc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal).UtcDateTime);

    private static DateTime ToSecond(DateTime t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    private static (DateOnly First, DateOnly Last) Interval(string date, string? endDate)
    {
        var start = Timeline.Model.Dates.PartialDate.Parse(date);
        var end = endDate is null ? start : Timeline.Model.Dates.PartialDate.Parse(endDate);
        return (start.FirstDay, end.LastDay);
    }
}

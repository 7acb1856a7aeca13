using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Timeline.Model.Dataset;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// The years the dataset accepts (DatasetValidator.FirstYear to LastYear): dates outside them are refused by every
/// way in, and events at both ends, at every precision and in spans ending on the last day, go through every export
/// and list whole.
/// </summary>
public sealed class DateRangeTests(DateRangeTests.App fixture, ITestOutputHelper output) : IClassFixture<DateRangeTests.App>
{
    private readonly DateRangeTests.App app = fixture.LoggingTo(output);

    private const string Tag = "edge-years";

    /// <summary>The events at the edges: id, date, end date.</summary>
    private static readonly (string Id, string Date, string? EndDate)[] Edges =
    [
        ("edge-first-year", "1900", null),
        ("edge-first-month", "1900-01", null),
        ("edge-first-day", "1900-01-01", null),
        ("edge-last-year", "2199", null),
        ("edge-last-month", "2199-12", null),
        ("edge-last-day", "2199-12-31", null),
        ("edge-whole-range", "1900", "2199"),
        ("edge-span-to-last-month", "2199-01", "2199-12"),
        ("edge-span-to-last-day", "2199-12-30", "2199-12-31"),
    ];

    public sealed class App : TimelineApp
    {
        private readonly Lazy<Task> _created;

        public App() => _created = new Lazy<Task>(CreateEdgesAsync);

        /// <summary>Creates the edge events once, through the API, for every test of the class.</summary>
        public Task EdgesAsync() => _created.Value;

        private async Task CreateEdgesAsync()
        {
            using var editor = CreateClient(EditorKey);
            foreach (var (id, date, endDate) in Edges)
            {
                var body = Curation.NewEvent(id, $"Edge of the calendar: {id}");
                body["date"] = date;
                body["endDate"] = endDate;
                body["tags"] = new JsonArray(Tag);
                using var response = await editor.SendJsonAsync(HttpMethod.Post, "/events", body);
                await response.AssertStatusAsync(HttpStatusCode.Created);
            }
        }
    }

    [Theory]
    [InlineData("2020", "9999", "endDate")]
    [InlineData("2020", "2200", "endDate")]
    [InlineData("1899-12-31", null, "date")]
    [InlineData("2200", null, "date")]
    [InlineData("1000", "2020", "date")]
    public async Task A_write_with_a_date_outside_the_accepted_years_is_a_422_naming_the_field(string date, string? endDate, string field)
    {
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        var body = Curation.NewEvent("out-of-range-" + Guid.NewGuid().ToString("N")[..8]);
        body["date"] = date;
        body["endDate"] = endDate;

        using var response = await editor.SendJsonAsync(HttpMethod.Post, "/events", body);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var problem = await response.BodyAsync();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateObject());
        Assert.Equal(field, error.Name.Split('.')[^1]);
        var message = Assert.Single(error.Value.EnumerateArray()).GetString();
        Assert.Contains($"{DatasetValidator.FirstYear} to {DatasetValidator.LastYear}", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_import_with_a_date_outside_the_accepted_years_changes_nothing()
    {
        using var admin = app.CreateClient(TimelineApp.AdminKey);
        var before = (await admin.GetJsonAsync("/version")).GetProperty("dataVersion").GetInt64();
        var far = Curation.NewEvent("far-future-import");
        far["endDate"] = "9999";
        var dataset = new JsonObject { ["sources"] = new JsonArray(), ["entities"] = new JsonArray(), ["events"] = new JsonArray(far) };

        using var response = await admin.SendJsonAsync(HttpMethod.Post, "/import", dataset);

        await response.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("endDate", (await response.BodyAsync()).GetProperty("errors").EnumerateObject().Single().Name, StringComparison.Ordinal);
        Assert.Equal(before, (await admin.GetJsonAsync("/version")).GetProperty("dataVersion").GetInt64());
        await admin.GetProblemAsync("/events/far-future-import", HttpStatusCode.NotFound);
    }

    [Fact]
    public void A_dataset_file_with_a_date_outside_the_accepted_years_fails_validation()
    {
        var document = new DatasetDocument
        {
            Sources = [new SourceDocument { Id = "old-source", Title = "Old", Text = "Some text.", PublishedDate = "1899" }],
            Entities = [],
            Events = [],
        };

        Assert.Null(DatasetValidator.Validate(document, out var errors));
        Assert.Contains(errors, e => e.Path.EndsWith(".publishedDate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Csv_export_holds_the_first_and_last_accepted_years()
    {
        await app.EdgesAsync();
        using var client = app.CreateClient();

        var rows = ExportTests.ParseCsv(await GetCompleteAsync(client, $"/events.csv?tag={Tag}", "text/csv"));

        var byId = rows.Skip(1).ToDictionary(r => r[0]);
        Assert.Equal(Edges.Select(e => e.Id).Order(), byId.Keys.Order());
        foreach (var (id, date, endDate) in Edges)
        {
            Assert.Equal(date, byId[id][1]);
            Assert.Equal(endDate ?? "", byId[id][3]);
        }
    }

    [Fact]
    public async Task ICalendar_export_holds_the_first_and_last_accepted_years_with_the_exclusive_end_after_the_last_day()
    {
        await app.EdgesAsync();
        using var client = app.CreateClient();

        var text = await GetCompleteAsync(client, $"/events.ics?tag={Tag}", "text/calendar");

        Assert.EndsWith("END:VCALENDAR\r\n", text, StringComparison.Ordinal);
        var events = ExportTests.ParseICalendar(text[..^2].Split("\r\n")).ToDictionary(v => v["UID"].Split('@')[0]);
        Assert.Equal(Edges.Select(e => e.Id).Order(), events.Keys.Order());
        Assert.Equal("DATE:19000101", events["edge-first-year"]["DTSTART;VALUE"]);
        Assert.Equal("DATE:19010101", events["edge-first-year"]["DTEND;VALUE"]);
        Assert.Equal("DATE:19000201", events["edge-first-month"]["DTEND;VALUE"]);
        Assert.Equal("DATE:19000102", events["edge-first-day"]["DTEND;VALUE"]);
        foreach (var id in new[] { "edge-last-year", "edge-last-month", "edge-last-day", "edge-whole-range", "edge-span-to-last-month", "edge-span-to-last-day" })
        {
            Assert.Equal("DATE:22000101", events[id]["DTEND;VALUE"]);
        }

        Assert.Equal("DATE:19000101", events["edge-whole-range"]["DTSTART;VALUE"]);
        Assert.Equal("DATE:21991231", events["edge-last-day"]["DTSTART;VALUE"]);
    }

    [Fact]
    public async Task Atom_feed_holds_the_first_and_last_accepted_years()
    {
        await app.EdgesAsync();
        using var client = app.CreateClient();

        var feed = XDocument.Parse(await GetCompleteAsync(client, $"/events/feed.atom?tag={Tag}", "application/atom+xml")).Root!;

        XNamespace atom = "http://www.w3.org/2005/Atom";
        var titles = feed.Elements(atom + "entry").Select(e => e.Element(atom + "title")!.Value).ToList();
        Assert.Equal(Edges.Length, titles.Count);
        Assert.Contains("1900-01-01: Edge of the calendar: edge-first-day", titles);
        Assert.Contains("2199-12-31: Edge of the calendar: edge-last-day", titles);
    }

    [Fact]
    public async Task TimelineJs_export_holds_the_first_and_last_accepted_years()
    {
        await app.EdgesAsync();
        using var client = app.CreateClient();

        using var document = JsonDocument.Parse(await GetCompleteAsync(client, $"/events/timelinejs?tag={Tag}", "application/json"));

        var slides = document.RootElement.GetProperty("events").EnumerateArray().ToDictionary(s => s.GetProperty("unique_id").GetString()!);
        Assert.Equal(Edges.Select(e => e.Id).Order(), slides.Keys.Order());
        Assert.Equal(1900, slides["edge-first-day"].GetProperty("start_date").GetProperty("year").GetInt32());
        Assert.Equal(1, slides["edge-first-day"].GetProperty("start_date").GetProperty("day").GetInt32());
        var lastDay = slides["edge-span-to-last-day"].GetProperty("end_date");
        Assert.Equal((2199, 12, 31), (lastDay.GetProperty("year").GetInt32(), lastDay.GetProperty("month").GetInt32(), lastDay.GetProperty("day").GetInt32()));
        Assert.False(slides["edge-whole-range"].GetProperty("end_date").TryGetProperty("month", out _));
        Assert.Equal(2199, slides["edge-whole-range"].GetProperty("end_date").GetProperty("year").GetInt32());
    }

    [Fact]
    public async Task Dataset_export_holds_the_first_and_last_accepted_years()
    {
        await app.EdgesAsync();
        using var client = app.CreateClient();

        using var document = JsonDocument.Parse(await GetCompleteAsync(client, "/export", "application/json"));

        var events = document.RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("tags").EnumerateArray().Any(t => t.GetString() == Tag))
            .ToDictionary(e => e.GetProperty("id").GetString()!);
        Assert.Equal(Edges.Select(e => e.Id).Order(), events.Keys.Order());
        foreach (var (id, date, endDate) in Edges)
        {
            Assert.Equal(date, events[id].GetProperty("date").GetString());
            Assert.Equal(endDate, events[id].GetProperty("endDate").GetString());
        }

        // In timeline order: the first accepted year first, the last day's events last.
        var all = document.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal("edge-first-year", all[0]);
        Assert.Equal("edge-last-day", all[^1]);
    }

    [Theory]
    [InlineData("/events?tag=" + Tag + "&limit=2")]
    [InlineData("/events?tag=" + Tag + "&sort=-date&limit=2")]
    [InlineData("/events?from=2199-12-31&to=2199-12-31&tag=" + Tag + "&limit=2")]
    [InlineData("/events?from=1900&to=1900-01-01&tag=" + Tag + "&limit=2")]
    [InlineData("/entities/qualcomm/events?tag=" + Tag + "&limit=2")]
    [InlineData("/sources/" + Curation.SourceId + "/events?tag=" + Tag + "&limit=2")]
    public async Task Lists_page_through_the_first_and_last_accepted_years(string url)
    {
        await app.EdgesAsync();
        using var client = app.CreateClient();

        var ids = new List<string>();
        var next = url;
        for (var page = 0; next is not null && page < 20; page++)
        {
            var json = await client.GetJsonAsync(next);
            ids.AddRange(json.Ids());
            var cursor = json.GetProperty("nextCursor").GetString();
            next = cursor is null ? null : url + "&cursor=" + Uri.EscapeDataString(cursor);
        }

        Assert.Null(next);
        var expected = Edges.Where(e => Overlaps(url, e.Date, e.EndDate)).Select(e => e.Id).Order().ToList();
        Assert.Equal(expected, ids.Order().ToList());
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Facets_count_the_first_and_last_accepted_years()
    {
        await app.EdgesAsync();
        using var client = app.CreateClient();

        var facets = await client.GetJsonAsync($"/events/facets?facet=year&tag={Tag}&facetLimit=500");

        var years = facets.GetProperty("facets").GetProperty("year").EnumerateArray().ToDictionary(v => v.GetProperty("value").GetString()!, v => v.GetProperty("count").GetInt32());
        Assert.Equal(4, years["1900"]); // three single dates and the whole range
        Assert.Equal(6, years["2199"]); // three single dates, the whole range and two spans
    }

    private static bool Overlaps(string url, string date, string? endDate)
    {
        var query = System.Web.HttpUtility.ParseQueryString(url.Split('?')[1]);
        var first = Timeline.Model.Dates.PartialDate.Parse(date).FirstDay;
        var last = Timeline.Model.Dates.PartialDate.Parse(endDate ?? date).LastDay;
        var from = query["from"] is { } f ? Timeline.Model.Dates.PartialDate.Parse(f).FirstDay : DateOnly.MinValue;
        var to = query["to"] is { } t ? Timeline.Model.Dates.PartialDate.Parse(t).LastDay : DateOnly.MaxValue;
        return first <= to && last >= from;
    }

    /// <summary>The whole body, read to its end: a body cut short by a failure after the headers fails here.</summary>
    private static async Task<string> GetCompleteAsync(HttpClient client, string url, string mediaType)
    {
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }
}

/// <summary>The calendar's end of an event, whatever a store written before the year range holds.</summary>
public sealed class CalendarEndTests
{
    [Fact]
    public void An_event_ending_on_the_last_day_of_the_dataset_years_ends_on_the_next_day()
    {
        Assert.Equal("DTEND;VALUE=DATE:22000101", Timeline.Api.Exports.ICalendarExport.End(new DateOnly(2199, 12, 1), new DateOnly(2199, 12, 31)));
    }

    [Fact]
    public void An_event_stored_before_the_year_range_and_ending_on_9999_12_31_gets_a_duration_instead_of_an_impossible_end()
    {
        Assert.Equal("DURATION:P2D", Timeline.Api.Exports.ICalendarExport.End(new DateOnly(9999, 12, 30), DateOnly.MaxValue));
    }
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// The timeline page (/timeline) in a real browser: Playwright driving Debian's Chromium against the API on a real
/// Kestrel server. Skipped, with a line saying how to install it, where Chromium is missing; .ci/run installs it.
/// </summary>
public class TimelinePageTests(TimelinePageTests.Browser browser, ITestOutputHelper output) : IClassFixture<TimelinePageTests.Browser>
{
    [BrowserFact]
    public async Task The_page_loads_with_no_console_error_or_CSP_violation()
    {
        var (page, errors) = await browser.OpenAsync("/timeline");

        Assert.True(await page.Locator("article.event").CountAsync() > 0);
        Assert.Empty(errors);
        Assert.Equal(Timeline.Api.TimelinePage.TimelinePageApi.PagePolicy, await HeaderAsync("/timeline", "Content-Security-Policy"));
    }

    [BrowserFact]
    public async Task Filtering_by_SMIC_shows_exactly_the_events_GET_events_entity_smic_lists()
    {
        var (page, errors) = await browser.OpenAsync("/timeline");

        await page.GetByLabel("Entity", new() { Exact = true }).FillAsync("smic");
        await page.GetByLabel("Entity", new() { Exact = true }).PressAsync("Enter");
        await Browser.ReadyAsync(page);
        var shown = await Browser.AllEventIdsAsync(page);

        Assert.Equal(await browser.ApiIdsAsync("/events?entity=smic"), shown);
        Assert.Contains("entity=smic", page.Url, StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task Searching_Kirin_9000S_shows_the_Mate_60_launch_with_its_highlighted_snippet()
    {
        var (page, errors) = await browser.OpenAsync("/timeline");

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync("Kirin 9000S");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).PressAsync("Enter");
        await Browser.ReadyAsync(page);

        var launch = page.Locator("article[data-event-id='huawei-unveils-mate-60-with-kirin-9000s']");
        await Assertions.Expect(launch).ToBeVisibleAsync();
        var marks = await launch.Locator(".snippet mark").AllTextContentsAsync();
        Assert.NotEmpty(marks);
        Assert.All(marks, m => Assert.Matches("(?i)^(kirin|9000s)$", m));
        Assert.Equal(await browser.ApiIdsAsync("/events?q=Kirin%209000S"), await Browser.AllEventIdsAsync(page));
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task Opening_a_citation_highlights_exactly_the_quoted_words_in_the_source_and_scrolls_them_into_view()
    {
        const string Id = "huawei-unveils-mate-60-with-kirin-9000s";
        var detail = await browser.Api.GetFromJsonAsync<JsonElement>($"/events/{Id}");
        var citation = detail.GetProperty("citations")[0];
        var (page, errors) = await browser.OpenAsync("/timeline?q=mate");

        await page.Locator($"article[data-event-id='{Id}'] .citations button").First.ClickAsync();
        await Browser.ReadyAsync(page);

        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        Assert.Equal(citation.GetProperty("quote").GetString(), await dialog.Locator("mark#quoted").TextContentAsync());
        var source = await browser.Api.GetFromJsonAsync<JsonElement>($"/sources/{citation.GetProperty("sourceId").GetString()}");
        Assert.Equal(source.GetProperty("text").GetString(), await dialog.Locator("#source-text").TextContentAsync());
        Assert.True(await dialog.Locator("mark#quoted").EvaluateAsync<bool>(
            "m => { const box = m.getBoundingClientRect(), view = m.parentElement.getBoundingClientRect(); return box.top >= view.top && box.bottom <= view.bottom && box.top >= 0 && box.bottom <= window.innerHeight; }"));
        await Assertions.Expect(dialog.GetByRole(AriaRole.Heading, new() { Name = source.GetProperty("title").GetString() })).ToBeInViewportAsync();
        Assert.Contains($"open={citation.GetProperty("sourceId").GetString()}", page.Url, StringComparison.Ordinal);

        // Back closes the source and leaves the timeline as it was.
        await page.GoBackAsync();
        await Browser.ReadyAsync(page);
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task An_AI_generated_source_says_so_before_anything_else()
    {
        var (page, errors) = await browser.OpenAsync("/timeline?open=nishadil-huawei-bold-leap");

        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        var first = await dialog.Locator("#source-warnings .warning").First.TextContentAsync();
        Assert.Contains("artificial intelligence", first, StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task A_copied_URL_reproduces_the_view_and_Back_returns_to_the_previous_one()
    {
        var (page, errors) = await browser.OpenAsync("/timeline");
        var everything = await Browser.AllEventIdsAsync(page);

        await page.GetByLabel("Category", new() { Exact = true }).SelectOptionAsync("corporate");
        await Browser.ReadyAsync(page);
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2021");
        await page.GetByLabel("From", new() { Exact = true }).PressAsync("Enter");
        await Browser.ReadyAsync(page);
        var filtered = await Browser.AllEventIdsAsync(page);
        var copied = page.Url;

        var (again, _) = await browser.OpenAsync(new Uri(copied).PathAndQuery);
        Assert.Equal(filtered, await Browser.AllEventIdsAsync(again));
        Assert.Equal("corporate", await again.GetByLabel("Category", new() { Exact = true }).InputValueAsync());
        Assert.Equal("2021", await again.GetByLabel("From", new() { Exact = true }).InputValueAsync());
        Assert.Equal(await browser.ApiIdsAsync("/events?category=corporate&from=2021"), filtered);

        await page.GoBackAsync();
        await Browser.ReadyAsync(page);
        await page.GoBackAsync();
        await Browser.ReadyAsync(page);
        Assert.Equal(everything, await Browser.AllEventIdsAsync(page));
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task The_downloads_export_exactly_the_current_view()
    {
        var (page, errors) = await browser.OpenAsync("/timeline?entity=smic&from=2020");
        var shown = await Browser.AllEventIdsAsync(page);

        var links = await page.Locator("#downloads a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");

        Assert.Equal(["/events.csv?entity=smic&from=2020", "/events.ics?entity=smic&from=2020", "/events/timelinejs?entity=smic&from=2020", "/events/feed.atom?entity=smic&from=2020"], links);
        foreach (var link in links)
        {
            using var response = await browser.Api.GetAsync(link);
            Assert.True(response.IsSuccessStatusCode, $"{link}: {(int)response.StatusCode}");
        }

        var csv = await browser.Api.GetStringAsync(links[0]);
        Assert.All(shown, id => Assert.Contains($"/events/{id}", csv, StringComparison.Ordinal));
        var timelineJs = await browser.Api.GetFromJsonAsync<JsonElement>(links[2]);
        Assert.Equal(shown.Count, timelineJs.GetProperty("events").GetArrayLength());
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task An_accessibility_check_finds_no_serious_violation_on_the_timeline_or_the_source_viewer()
    {
        foreach (var url in new[] { "/timeline", "/timeline?entity=smic&open=ft-derived-huawei-smic-kirin-9000s&start=946&end=1101" })
        {
            var (page, _) = await browser.OpenAsync(url);

            var results = await page.RunAxe();

            var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help} ({v.Nodes.Length} nodes)").ToList();
            Assert.True(serious.Count == 0, $"{url}: " + string.Join("; ", serious));
        }
    }

    [BrowserFact]
    public async Task Screenshots_of_the_main_views_at_desktop_and_phone_widths_are_written()
    {
        var folder = Path.Combine(RepositoryFiles.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        foreach (var (name, width, height) in new[] { ("desktop", 1280, 900), ("phone", 390, 844) })
        {
            var (page, errors) = await browser.OpenAsync("/timeline?entity=smic", width, height);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"timeline-{name}.png") });
            await page.Locator("article[data-event-id='smic-added-to-us-sanctions-list'] .citations button").First.ClickAsync();
            await Browser.ReadyAsync(page);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"source-{name}.png") });
            var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
            Assert.False(overflow, $"{name}: the page is wider than the window");
            Assert.Empty(errors);
            output.WriteLine($"wrote {folder}/timeline-{name}.png and source-{name}.png");
        }
    }

    [BrowserFact]
    public async Task The_first_view_needs_as_many_requests_on_a_large_store_as_on_the_seed_and_is_quick()
    {
        // Each measured after one view of its own, so the figures are a reader's, not the server's start-up.
        await browser.MeasureFirstViewAsync(browser.BaseAddress);
        var seed = await browser.MeasureFirstViewAsync(browser.BaseAddress);
        using var large = new BrowserServer(TimelineApp.WithDatasetOnPort(SyntheticDataset.Write(SyntheticDataset.Build(5000)), Browser.Port + 1));
        await browser.MeasureFirstViewAsync(large.BaseAddress);
        var big = await browser.MeasureFirstViewAsync(large.BaseAddress);

        output.WriteLine($"seed store: first view complete in {seed.Milliseconds} ms, {seed.Requests} requests, largest API answer {seed.LargestBytes} bytes");
        output.WriteLine($"5,000 events: first view complete in {big.Milliseconds} ms, {big.Requests} requests, largest API answer {big.LargestBytes} bytes");
        Assert.Equal(seed.Requests, big.Requests);

        // The same figures for any running server (the benchmark's store of 1,000,000 events, say).
        if (Environment.GetEnvironmentVariable("TIMELINE_PAGE_MEASURE_URL") is { Length: > 0 } other)
        {
            await browser.MeasureFirstViewAsync(other); // its caches warm, as the seed's were by the tests before
            var measured = await browser.MeasureFirstViewAsync(other);
            output.WriteLine($"{other}: first view complete in {measured.Milliseconds} ms, {measured.Requests} requests, largest API answer {measured.LargestBytes} bytes");
        }
    }

    private async Task<string?> HeaderAsync(string url, string name)
    {
        using var response = await browser.Api.GetAsync(url);
        return response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
    }

    /// <summary>The API on a real Kestrel server, and one Chromium for the class's tests.</summary>
    public sealed class Browser : IAsyncLifetime, IDisposable
    {
        public const int Port = 5351;
        private IPlaywright? _playwright;
        private IBrowser? _browser;
        private BrowserServer? _server;

        public HttpClient Api { get; } = new(ResponseContractHandler.OverSockets()) { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };

        public string BaseAddress { get; } = $"http://127.0.0.1:{Port}";

        public async Task InitializeAsync()
        {
            if (!BrowserFactAttribute.Available)
            {
                return;
            }

            _server = new BrowserServer(TimelineApp.WithDatasetOnPort(RepositoryFiles.ReferenceDataset, Port));
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = BrowserFactAttribute.ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
        }

        /// <summary>A new page at the given width, opened at the URL and waited for; errors collects console errors (CSP violations among them) and uncaught exceptions.</summary>
        public async Task<(IPage Page, List<string> Errors)> OpenAsync(string url, int width = 1280, int height = 900)
        {
            var context = await _browser!.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, BaseURL = BaseAddress });
            var page = await context.NewPageAsync();
            var errors = new List<string>();
            page.Console += (_, message) =>
            {
                if (message.Type is "error" or "warning")
                {
                    errors.Add(message.Text);
                }
            };
            page.PageError += (_, error) => errors.Add(error);
            await page.GotoAsync(url);
            await ReadyAsync(page);
            return (page, errors);
        }

        public static Task ReadyAsync(IPage page) =>
            page.WaitForSelectorAsync("body[data-state='ready']", new() { Timeout = 15_000 });

        /// <summary>Every event the page lists, loading more until there are no more.</summary>
        public static async Task<List<string>> AllEventIdsAsync(IPage page)
        {
            // Scrolling may load the next page by itself; the page says when a page is being loaded (data-paging).
            while (await page.EvaluateAsync<bool>("() => !document.getElementById('more').hidden || document.body.dataset.paging === 'busy'"))
            {
                await page.EvaluateAsync("() => { const more = document.getElementById('more'); if (!more.hidden && document.body.dataset.paging !== 'busy') more.click(); }");
                await page.WaitForFunctionAsync("() => document.body.dataset.paging !== 'busy'");
            }

            return [.. await page.Locator("article.event").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.eventId)")];
        }

        /// <summary>Every event id the API lists for a query, following its cursors.</summary>
        public async Task<List<string>> ApiIdsAsync(string url)
        {
            var ids = new List<string>();
            string? cursor = null;
            do
            {
                var page = await Api.GetFromJsonAsync<JsonElement>(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "limit=200" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)));
                ids.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
                cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            }
            while (cursor is not null);
            return ids;
        }

        public sealed record FirstView(long Milliseconds, int Requests, long LargestBytes);

        /// <summary>Opens /timeline on a server and measures the first view: time to complete, requests made, the largest API answer.</summary>
        public async Task<FirstView> MeasureFirstViewAsync(string baseAddress)
        {
            var context = await _browser!.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
            var page = await context.NewPageAsync();
            var requests = 0;
            long largest = 0;
            var sizes = new List<Task>();
            page.RequestFinished += (_, request) =>
            {
                requests++;
                if (new Uri(request.Url).AbsolutePath.StartsWith("/timeline", StringComparison.Ordinal))
                {
                    return; // the page's own files are the same whatever the store holds
                }

                sizes.Add(Task.Run(async () =>
                {
                    var sizesOf = await request.SizesAsync();
                    lock (sizes)
                    {
                        largest = Math.Max(largest, sizesOf.ResponseBodySize);
                    }
                }));
            };
            var watch = Stopwatch.StartNew();
            await page.GotoAsync(baseAddress + "/timeline");
            await ReadyAsync(page);
            watch.Stop();
            await Task.WhenAll(sizes);
            await context.CloseAsync();
            return new FirstView(watch.ElapsedMilliseconds, requests, largest);
        }

        public void Dispose()
        {
            _server?.Dispose();
            Api.Dispose();
        }

        public async Task DisposeAsync()
        {
            if (_browser is not null)
            {
                await _browser.CloseAsync();
            }

            _playwright?.Dispose();
            Dispose();
        }
    }
}

/// <summary>An app on a real Kestrel port, started at once.</summary>
public sealed class BrowserServer : IDisposable
{
    private readonly TimelineApp _app;

    public BrowserServer(TimelineApp app)
    {
        _app = app;
        _app.StartOnKestrel();
    }

    public string BaseAddress => _app.KestrelAddress!;

    public void Dispose() => _app.Dispose();
}

/// <summary>A test that needs Chromium (Debian's package: apt-get install chromium); skipped where it is missing.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public static string ChromiumPath { get; } = Environment.GetEnvironmentVariable("TIMELINE_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";

    public static bool Available => File.Exists(ChromiumPath);

    public BrowserFactAttribute()
    {
        if (!Available)
        {
            Skip = $"Needs Chromium at {ChromiumPath}: install it with 'apt-get install chromium' (or set TIMELINE_CHROMIUM to its path).";
        }
    }
}

/// <summary>The page's files are answered like every other read: strong ETags, 304 on If-None-Match, problems for the rest.</summary>
public class TimelinePageAssetTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    [Theory]
    [InlineData("/timeline", "text/html")]
    [InlineData("/timeline/timeline.css", "text/css")]
    [InlineData("/timeline/timeline.js", "text/javascript")]
    public async Task Each_file_has_a_strong_ETag_and_a_conditional_GET_gets_304(string url, string mediaType)
    {
        using var client = app.CreateClient();

        using var first = await client.GetAsync(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var again = await client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(mediaType, first.Content.Headers.ContentType?.MediaType);
        Assert.False(first.Headers.ETag!.IsWeak);
        Assert.Equal(Timeline.Api.TimelinePage.TimelinePageApi.PagePolicy, first.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(System.Net.HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_page_has_no_inline_script_or_style_and_names_only_its_own_files()
    {
        using var client = app.CreateClient();

        var html = await client.GetStringAsync("/timeline");

        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)", html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
    }

    [Fact]
    public async Task An_unknown_file_is_a_404_problem()
    {
        using var client = app.CreateClient();

        var problem = await client.GetProblemAsync("/timeline/../appsettings.json", System.Net.HttpStatusCode.NotFound);
        var other = await client.GetProblemAsync("/timeline/secrets.txt", System.Net.HttpStatusCode.NotFound);

        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Contains("secrets.txt", other.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

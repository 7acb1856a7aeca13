using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Timeline.Api.FederalRegister;

namespace Timeline.Api.Tests;

/// <summary>
/// The federal-register command on fixture files in the Federal Register API's shape (tests/Timeline.Api.Tests/FederalRegister):
/// offline from a folder, online through a stub HTTP handler (no network), idempotent by document number, the text byte for byte.
/// </summary>
public sealed class FederalRegisterTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(RepositoryFiles.Root, "tests", "Timeline.Api.Tests", "FederalRegister");
    private static readonly string Search = Path.Combine(Fixtures, "search");

    private readonly TimelineApp _app = new();
    private readonly HttpClient _client;

    public FederalRegisterTests()
    {
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    private IDatasetStore Store => _app.Services.GetRequiredService<IDatasetStore>();

    [Fact]
    public async Task A_saved_two_page_search_becomes_one_source_per_document_and_a_second_run_creates_nothing()
    {
        var output = new StringWriter();
        var first = await FederalRegisterImport.FromFolderAsync(Search, Store, output, CancellationToken.None);

        Assert.Equal(4, first.Read);
        Assert.Equal(2, first.Pages);
        Assert.Equal(3, first.Created);
        Assert.False(first.NothingNew);
        Assert.Contains("page-1.json: 2 documents (of 4 the search found)", output.ToString());
        Assert.Contains("page-2.json: 2 documents", output.ToString());

        var second = await FederalRegisterImport.FromFolderAsync(Search, Store, new StringWriter(), CancellationToken.None);
        Assert.Equal((0, 0, 3), (second.Created, second.Updated, second.Unchanged));
        Assert.True(second.NothingNew);
        Assert.Contains(FederalRegisterImport.Describe(second, "store"), line => line.StartsWith("Nothing new:", StringComparison.Ordinal));

        using var source = await _client.GetAsync("/sources/fr-2020-28031");
        Assert.Equal(HttpStatusCode.OK, source.StatusCode);
        var body = await source.BodyAsync();
        Assert.StartsWith("Addition of Entities to the Entity List", body.GetProperty("title").GetString());
        Assert.Equal("Commerce Department; Industry and Security Bureau", body.GetProperty("publisher").GetString());
        Assert.Equal("2020-12-22", body.GetProperty("publishedDate").GetString());
        Assert.Equal("https://www.federalregister.gov/documents/2020/12/22/2020-28031/fixture", body.GetProperty("url").GetString());

        // The official fields are kept in the source's document (what exports and the history carry).
        await using var snapshot = await Store.OpenSnapshotAsync(CancellationToken.None);
        SourceDocument? stored = null;
        await foreach (var each in snapshot.SourcesAsync(CancellationToken.None))
        {
            stored = each.Id == "fr-2020-28031" ? each : stored;
        }

        Assert.NotNull(stored);
        Assert.Equal("85 FR 83416", stored.Citation);
        Assert.Equal("2020-28031", stored.DocumentNumber);
        Assert.Equal("2020-12-18", stored.EffectiveDate);
        Assert.Equal(["Commerce Department", "Industry and Security Bureau"], stored.Agencies);
        Assert.Equal("Rule", stored.DocumentType);
    }

    [Theory]
    [InlineData("2019-17921")]
    [InlineData("2020-10856")]
    [InlineData("2020-28031")]
    public async Task The_stored_text_is_byte_for_byte_the_raw_text(string number)
    {
        await FederalRegisterImport.FromFolderAsync(Search, Store, new StringWriter(), CancellationToken.None);
        var raw = await File.ReadAllBytesAsync(Path.Combine(Search, number + ".txt"));

        var body = await (await _client.GetAsync($"/sources/fr-{number}")).BodyAsync();

        Assert.Equal(raw, Encoding.UTF8.GetBytes(body.GetProperty("text").GetString()!));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(raw)), body.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task A_document_without_raw_text_is_skipped_and_named()
    {
        var result = await FederalRegisterImport.FromFolderAsync(Search, Store, new StringWriter(), CancellationToken.None);

        var skipped = Assert.Single(result.Skipped);
        Assert.StartsWith("2024-28267: no raw text", skipped);
        Assert.Contains("no raw_text_url", skipped);
        using var missing = await _client.GetAsync("/sources/fr-2024-28267");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_single_document_file_is_imported_too()
    {
        var result = await FederalRegisterImport.FromFolderAsync(Path.Combine(Fixtures, "single"), Store, new StringWriter(), CancellationToken.None);

        Assert.Equal((1, 1, 0), (result.Read, result.Created, result.Pages));
    }

    [Theory]
    [InlineData("{ \"results\": [ { \"document_number\": \"2020-28031\", ", "is not valid JSON")]
    [InlineData("[1, 2]", "holds a JSON array")]
    [InlineData("{ \"title\": \"no number\" }", "is neither a Federal Register search page")]
    [InlineData("{ \"results\": [ { \"title\": \"x\" } ] }", "results[0]: the document has no \"document_number\"")]
    [InlineData("{ \"results\": { } }", "\"results\" is not a list")]
    [InlineData("{ \"document_number\": 2020 }", "wrong type")]
    public async Task A_malformed_file_is_a_clear_error_naming_it_and_nothing_is_written(string json, string expected)
    {
        var folder = Directory.CreateTempSubdirectory("fr-bad-").FullName;
        try
        {
            File.Copy(Path.Combine(Search, "page-1.json"), Path.Combine(folder, "a.json"));
            File.Copy(Path.Combine(Search, "2019-17921.txt"), Path.Combine(folder, "2019-17921.txt"));
            await File.WriteAllTextAsync(Path.Combine(folder, "b.json"), json);

            var error = await Assert.ThrowsAsync<FederalRegisterException>(() => FederalRegisterImport.FromFolderAsync(folder, Store, new StringWriter(), CancellationToken.None));

            Assert.Contains(Path.Combine(folder, "b.json"), error.Message);
            Assert.Contains(expected, error.Message);
            using var none = await _client.GetAsync("/sources/fr-2019-17921");
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Online_it_follows_next_page_url_retries_503_and_429_fetches_raw_texts_and_then_fetches_nothing_stored()
    {
        var stub = new StubFederalRegister();
        var (client, lifetime) = FederalRegisterClient.Create(TextWriter.Null, stub, firstDelay: TimeSpan.FromMilliseconds(10), retries: 3);
        var output = new StringWriter();
        var query = new FederalRegisterQuery(["industry-and-security-bureau"], "entity list", "2019-01-01", null, ["RULE"], 2);
        var save = Directory.CreateTempSubdirectory("fr-save-").FullName;
        try
        {
            using (lifetime)
            {
                var sources = _app.Services.GetRequiredService<ISourceReader>();
                var first = await FederalRegisterImport.OnlineAsync(query, "https://www.federalregister.gov/api/v1/", null, save, client, Store, sources, output, CancellationToken.None);

                Assert.Equal((4, 3, 2), (first.Read, first.Created, first.Pages));
                Assert.Contains("page 1 of 2: 2 documents (2 of 4)", output.ToString());
                Assert.Contains("page 2 of 2: 2 documents (4 of 4)", output.ToString());

                // The first request carried the user's conditions and the fields asked for.
                var firstUrl = Uri.UnescapeDataString(stub.Requests[0]);
                Assert.Contains("conditions[agencies][]=industry-and-security-bureau", firstUrl);
                Assert.Contains("conditions[term]=entity list", firstUrl);
                Assert.Contains("conditions[publication_date][gte]=2019-01-01", firstUrl);
                Assert.Contains("conditions[type][]=RULE", firstUrl);
                Assert.Contains("per_page=2", firstUrl);
                Assert.Contains("fields[]=raw_text_url", firstUrl);

                // Page 1 answered 503 once and page 2 429 once: each was asked again.
                Assert.Equal(2, stub.Requests.Count(r => r.Contains("documents.json", StringComparison.Ordinal) && !r.Contains("&page=2", StringComparison.Ordinal)));
                Assert.Equal(2, stub.Requests.Count(r => r.Contains("&page=2", StringComparison.Ordinal)));

                var body = await (await _client.GetAsync("/sources/fr-2020-10856")).BodyAsync();
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Search, "2020-10856.txt")), Encoding.UTF8.GetBytes(body.GetProperty("text").GetString()!));

                // What was fetched is saved in the offline layout.
                Assert.True(File.Exists(Path.Combine(save, "page-001.json")));
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Search, "2020-28031.txt")), await File.ReadAllBytesAsync(Path.Combine(save, "2020-28031.txt")));

                // A second run reads the pages again but fetches no raw text already stored, and creates nothing.
                var textsBefore = stub.Requests.Count(r => r.EndsWith(".txt", StringComparison.Ordinal));
                var second = await FederalRegisterImport.OnlineAsync(query, "https://www.federalregister.gov/api/v1/", null, null, client, Store, sources, new StringWriter(), CancellationToken.None);
                Assert.True(second.NothingNew);
                Assert.Equal(3, second.AlreadyStored);
                Assert.Equal(textsBefore, stub.Requests.Count(r => r.EndsWith(".txt", StringComparison.Ordinal)));
            }
        }
        finally
        {
            Directory.Delete(save, recursive: true);
        }
    }

    [Fact]
    public async Task Online_a_server_that_keeps_failing_is_an_error_after_the_retries()
    {
        var stub = new StubFederalRegister { AlwaysFail = true };
        var (client, lifetime) = FederalRegisterClient.Create(TextWriter.Null, stub, firstDelay: TimeSpan.FromMilliseconds(5), retries: 2);
        using (lifetime)
        {
            var query = new FederalRegisterQuery(["industry-and-security-bureau"], null, null, null, ["RULE"], 2);
            var error = await Assert.ThrowsAsync<FederalRegisterException>(() => FederalRegisterImport.OnlineAsync(
                query, "https://www.federalregister.gov/api/v1/", null, null, client, Store, _app.Services.GetRequiredService<ISourceReader>(), new StringWriter(), CancellationToken.None));

            Assert.Contains("503", error.Message);
            Assert.Equal(3, stub.Requests.Count);
        }
    }

    [Fact]
    public void The_command_line_defaults_to_bis_rules_and_reads_the_users_conditions()
    {
        var defaults = FederalRegisterOptions.Parse([], out _)!;
        Assert.Equal(["industry-and-security-bureau"], defaults.Query.Agencies);
        Assert.Equal(["RULE"], defaults.Query.Types);
        Assert.Null(defaults.From);

        var options = FederalRegisterOptions.Parse(["--term", "entity list", "--since=2019-01-01", "--per-page", "50", "--Timeline:DatabasePath", "/tmp/x.db"], out _)!;
        Assert.Equal(("entity list", "2019-01-01", 50), (options.Query.Term, options.Query.Since, options.Query.PerPage));

        Assert.Null(FederalRegisterOptions.Parse(["--since", "2019"], out var problem));
        Assert.Contains("is not a day", problem);
        Assert.Contains("federal-register", Cli.Usage);
    }

    /// <summary>The Federal Register API as fixture files: page 1 answers 503 once, page 2 429 once, raw texts by file name.</summary>
    private sealed class StubFederalRegister : HttpMessageHandler
    {
        private int _page1Failures;
        private int _page2Failures;

        public bool AlwaysFail { get; init; }

        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var url = request.RequestUri!.ToString();
            lock (Requests)
            {
                Requests.Add(url);
            }

            return Task.FromResult(Answer(url));
        }

        private HttpResponseMessage Answer(string url)
        {
            if (AlwaysFail)
            {
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            }

            if (url.Contains("documents.json", StringComparison.Ordinal))
            {
                var second = url.Contains("&page=2", StringComparison.Ordinal);
                if (!second && _page1Failures++ == 0)
                {
                    return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
                }

                if (second && _page2Failures++ == 0)
                {
                    var tooMany = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
                    tooMany.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
                    return tooMany;
                }

                return File(second ? "page-2.json" : "page-1.json", "application/json");
            }

            var name = url[(url.LastIndexOf('/') + 1)..];
            return System.IO.File.Exists(Path.Combine(Search, name))
                ? File(name, "text/plain")
                : new HttpResponseMessage(HttpStatusCode.NotFound);

            HttpResponseMessage File(string file, string mediaType)
            {
                var content = new ByteArrayContent(System.IO.File.ReadAllBytes(Path.Combine(Search, file)));
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
            }
        }
    }
}

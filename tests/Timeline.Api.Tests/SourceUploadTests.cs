using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>POST /sources with the text itself: text/plain with query metadata, multipart/form-data with a file part; 415s naming what is taken.</summary>
public class SourceUploadTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _editor = fixture.CreateClient(TimelineApp.EditorKey);

    /// <summary>
    /// An alert as an analyst saves it: curly quotes, an accented word, a supplementary-plane character (two UTF-16
    /// units, one code point) before the quote, and Windows line ends.
    /// </summary>
    private const string Alert =
        "𝔸 Client alert\r\n" +
        "On 18 December 2020 BIS added “Semiconductor Manufacturing International Corporation Incorporated (SMIC)” to the Entity List.\r\n" +
        "Exports to SMIC now need a licence; the café next door is unaffected.\r\n";

    private static ByteArrayContent PlainText(byte[] bytes, string contentType = "text/plain; charset=utf-8")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private async Task<HttpResponseMessage> PostAsync(string url, HttpContent content) =>
        await _editor.PostAsync(url, content);

    [Fact]
    public async Task A_source_uploaded_as_text_plain_is_stored_byte_for_byte_and_cited_with_exact_offsets()
    {
        var bytes = Encoding.UTF8.GetBytes(Alert);
        using var created = await PostAsync(
            "/sources?id=alert-smic-listing&title=SMIC%20added%20to%20the%20Entity%20List&publisher=Example%20Law%20LLP&publishedDate=2020-12&notes=Saved%20from%20the%20firm%27s%20site.&notes=Second%20note.",
            PlainText(bytes));

        await created.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal("/sources/alert-smic-listing", created.Headers.Location?.OriginalString);
        var source = await _editor.GetJsonAsync("/sources/alert-smic-listing");
        Assert.Equal(Alert, source.GetProperty("text").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), source.GetProperty("sha256").GetString());
        Assert.Equal("Example Law LLP", source.GetProperty("publisher").GetString());
        Assert.Equal("2020-12", source.GetProperty("publishedDate").GetString());
        Assert.Equal(["Saved from the firm's site.", "Second note."], source.GetProperty("notes").Strings());

        // An event cites it; the offsets are code points into the text as sent (the 𝔸 before is one, not two).
        const string quote = "“Semiconductor Manufacturing International Corporation Incorporated (SMIC)”";
        var @event = Curation.NewEvent("bis-lists-smic-per-alert");
        @event["entities"] = new JsonArray(new JsonObject { ["id"] = "smic", ["role"] = "target" });
        @event["citations"] = new JsonArray(new JsonObject { ["source"] = "alert-smic-listing", ["quote"] = quote });
        @event["category"] = "entity-listing";
        @event["date"] = "2020-12-18";
        using var cited = await _editor.SendJsonAsync(HttpMethod.Post, "/events", @event);
        await cited.AssertStatusAsync(HttpStatusCode.Created);
        var citation = (await cited.BodyAsync()).GetProperty("citations")[0];
        var codePoints = Alert.EnumerateRunes().Select(r => r.ToString()).ToArray();
        var start = Array.FindIndex(codePoints, 0, c => c == "“");
        Assert.Equal(start, citation.GetProperty("startOffset").GetInt32());
        Assert.Equal(start + quote.EnumerateRunes().Count(), citation.GetProperty("endOffset").GetInt32());
        Assert.Equal(quote, string.Concat(codePoints[citation.GetProperty("startOffset").GetInt32()..citation.GetProperty("endOffset").GetInt32()]));

        // A quote across the line end must say \r\n, as the text does.
        var acrossLines = Curation.NewEvent("crlf-quote");
        acrossLines["citations"] = new JsonArray(new JsonObject { ["source"] = "alert-smic-listing", ["quote"] = "Entity List.\nExports" });
        using var lf = await _editor.SendJsonAsync(HttpMethod.Post, "/events", acrossLines);
        await lf.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        acrossLines["citations"] = new JsonArray(new JsonObject { ["source"] = "alert-smic-listing", ["quote"] = "Entity List.\r\nExports" });
        using var crlf = await _editor.SendJsonAsync(HttpMethod.Post, "/events", acrossLines);
        await crlf.AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_byte_order_mark_is_kept_as_sent_and_the_same_bytes_again_are_a_409()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("A text that starts with a byte-order mark.\n")];
        using var created = await PostAsync("/sources?id=bom-text&title=BOM&standalone=true", PlainText(bytes, "text/plain"));

        await created.AssertStatusAsync(HttpStatusCode.Created);
        var source = await created.BodyAsync();
        Assert.Equal("\uFEFFA text that starts with a byte-order mark.\n", source.GetProperty("text").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), source.GetProperty("sha256").GetString());

        using var again = await PostAsync("/sources?id=bom-text-again&title=BOM%20again", PlainText(bytes));
        await again.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("/sources/bom-text", again.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_text_that_is_not_utf8_is_refused_naming_the_byte_and_another_charset_is_a_415()
    {
        byte[] latin1 = [.. Encoding.UTF8.GetBytes("Caf"), 0xE9, .. Encoding.UTF8.GetBytes(" au lait")];
        using var stray = await PostAsync("/sources?id=latin1-text&title=Latin-1", PlainText(latin1));
        await stray.AssertStatusAsync(HttpStatusCode.BadRequest);
        var problem = await stray.BodyAsync();
        Assert.Contains("byte 3 (0xE9)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("text", out _));

        using var charset = await PostAsync("/sources?id=latin1-text&title=Latin-1", PlainText(latin1, "text/plain; charset=iso-8859-1"));
        await charset.AssertStatusAsync(HttpStatusCode.UnsupportedMediaType);
        var refused = await charset.BodyAsync();
        Assert.Contains("iso-8859-1", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["application/json", "text/plain", "multipart/form-data"], refused.GetProperty("accepted").Strings());
        // Metadata percent-encoded from Latin-1 would decode to U+FFFD: refused, not stored.
        using var garbled = await PostAsync("/sources?id=latin1-text&title=Caf%E9", PlainText(Encoding.UTF8.GetBytes("Café")));
        await garbled.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.True((await garbled.BodyAsync()).GetProperty("errors").TryGetProperty("title", out _));
        await _editor.GetProblemAsync("/sources/latin1-text", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_source_without_text_is_told_what_the_api_takes_not_textFile()
    {
        var document = new JsonObject { ["id"] = "no-text", ["title"] = "No text" };
        using var json = await _editor.SendJsonAsync(HttpMethod.Post, "/sources", document);
        await json.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        var message = (await json.BodyAsync()).GetProperty("errors").GetProperty("text")[0].GetString()!;
        Assert.Contains("text/plain", message, StringComparison.Ordinal);
        Assert.Contains("multipart/form-data", message, StringComparison.Ordinal);
        Assert.DoesNotContain("textFile", message, StringComparison.Ordinal);

        using var empty = await PostAsync("/sources?id=no-text&title=No%20text", PlainText([]));
        await empty.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("text/plain", (await empty.BodyAsync()).GetProperty("errors").GetProperty("text")[0].GetString(), StringComparison.Ordinal);

        document["textFile"] = "sources/x.txt";
        using var file = await _editor.SendJsonAsync(HttpMethod.Post, "/sources", document);
        await file.AssertStatusAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("text/plain", (await file.BodyAsync()).GetProperty("errors").GetProperty("textFile")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multipart_upload_takes_the_text_as_a_file_part_and_the_metadata_as_fields()
    {
        var bytes = Encoding.UTF8.GetBytes("A form upload.\r\nIts second line, with “curly quotes”.\r\n");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("form-upload"), "id" },
            { new StringContent("A form upload"), "title" },
            { new StringContent(string.Empty), "publisher" },
            { new StringContent("One note."), "notes" },
            { new StringContent("Another note."), "notes" },
            { new StringContent("true"), "standalone" },
        };
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain; charset=utf-8");
        form.Add(file, "text", "upload.txt");

        using var created = await PostAsync("/sources", form);

        await created.AssertStatusAsync(HttpStatusCode.Created);
        var source = await _editor.GetJsonAsync("/sources/form-upload");
        Assert.Equal(Encoding.UTF8.GetString(bytes), source.GetProperty("text").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), source.GetProperty("sha256").GetString());
        Assert.Equal(["One note.", "Another note."], source.GetProperty("notes").Strings());
        Assert.Equal(JsonValueKind.Null, source.GetProperty("publisher").ValueKind);
    }

    [Fact]
    public async Task A_multipart_upload_refuses_the_text_as_a_field_unknown_fields_and_query_metadata()
    {
        using var asField = new MultipartFormDataContent { { new StringContent("id-x"), "id" }, { new StringContent("T"), "title" }, { new StringContent("The text."), "text" } };
        using var field = await PostAsync("/sources", asField);
        await field.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Contains("file part", (await field.BodyAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var unknown = new MultipartFormDataContent { { new StringContent("x"), "id" }, { new StringContent("T"), "title" }, { new StringContent("?"), "colour" } };
        using var colour = await PostAsync("/sources", unknown);
        await colour.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.True((await colour.BodyAsync()).GetProperty("errors").TryGetProperty("colour", out _));

        using var withQuery = new MultipartFormDataContent { { new StringContent("x"), "id" } };
        using var query = await PostAsync("/sources?title=T", withQuery);
        await query.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Contains("form fields", (await query.BodyAsync()).GetProperty("errors").GetProperty("title")[0].GetString(), StringComparison.Ordinal);

        using var json = await _editor.SendJsonAsync(HttpMethod.Post, "/sources?title=T", new JsonObject { ["id"] = "x" });
        await json.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Contains("in the document", (await json.BodyAsync()).GetProperty("errors").GetProperty("title")[0].GetString(), StringComparison.Ordinal);

        using var misspelt = await PostAsync("/sources?id=x&titel=T", PlainText(Encoding.UTF8.GetBytes("text")));
        await misspelt.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.True((await misspelt.BodyAsync()).GetProperty("errors").TryGetProperty("titel", out _));
    }

    [Theory]
    [InlineData("POST", "/sources", "application/xml", new[] { "application/json", "text/plain", "multipart/form-data" }, "Accept")]
    [InlineData("POST", "/events", "text/plain", new[] { "application/json" }, "Accept")]
    [InlineData("PUT", "/entities/smic", "text/plain", new[] { "application/json" }, "Accept")]
    [InlineData("PATCH", "/events/smic-added-to-us-sanctions-list", "application/json", new[] { "application/merge-patch+json", "application/json-patch+json" }, "Accept-Patch")]
    [InlineData("POST", "/import", "text/csv", new[] { "application/json" }, "Accept")]
    [InlineData("POST", "/events", null, new[] { "application/json" }, "Accept")]
    [InlineData("POST", "/events", "application/json; charset=utf-16", new[] { "application/json" }, "Accept")]
    public async Task Every_415_names_the_accepted_types(string method, string url, string? contentType, string[] accepted, string header)
    {
        using var admin = app.CreateClient(TimelineApp.AdminKey);
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        request.Headers.TryAddWithoutValidation("If-Match", "\"1.1\"");
        using var response = await admin.SendAsync(request);

        await response.AssertStatusAsync(HttpStatusCode.UnsupportedMediaType);
        var problem = await response.BodyAsync();
        Assert.Equal(accepted, problem.GetProperty("accepted").Strings());
        foreach (var type in accepted)
        {
            Assert.Contains(type, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.True(response.Headers.NonValidated.TryGetValues(header, out var values), $"no {header} header");
        Assert.Equal(string.Join(", ", accepted), string.Join(", ", values));
    }

    [Fact]
    public async Task Swagger_uis_example_text_upload_creates_a_source()
    {
        var document = await _editor.GetJsonAsync("/openapi/v1.json");
        var post = document.GetProperty("paths").GetProperty("/sources").GetProperty("post");
        var content = post.GetProperty("requestBody").GetProperty("content");
        Assert.Equal(["text/plain", "multipart/form-data", "application/json"], content.EnumerateObject().Select(p => p.Name).ToList());
        Assert.Equal("binary", content.GetProperty("multipart/form-data").GetProperty("schema").GetProperty("properties").GetProperty("text").GetProperty("format").GetString());
        Assert.True(post.GetProperty("responses").TryGetProperty("415", out _));

        // What "Try it out" sends as filled in: the text/plain example with every query parameter that has an example.
        var query = string.Join("&", post.GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "query" && p.TryGetProperty("example", out _))
            .SelectMany(p => (p.GetProperty("example").ValueKind == JsonValueKind.Array ? p.GetProperty("example").Strings() : [p.GetProperty("example").GetString()!])
                .Select(value => $"{p.GetProperty("name").GetString()}={Uri.EscapeDataString(value)}")));
        var text = content.GetProperty("text/plain").GetProperty("example").GetString()!;
        using var created = await PostAsync($"/sources?{query}", PlainText(Encoding.UTF8.GetBytes(text)));

        await created.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal(text, (await created.BodyAsync()).GetProperty("text").GetString());
    }
}

using System.ComponentModel;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Timeline.Api.Curation;

/// <summary>
/// POST /sources in three forms: the source's JSON document (its text escaped in <c>text</c>); the text itself as a
/// text/plain body, its metadata as query parameters; or a multipart/form-data body with the text as a file part named
/// <c>text</c> and the metadata as form fields. The text is stored exactly as its bytes were sent: UTF-8 only (a stray
/// byte is a 400 naming its offset, another charset a 415), nothing normalised (line ends, a byte-order mark and
/// trailing newlines are kept), so its SHA-256 is the SHA-256 of the bytes sent. The metadata then becomes the same
/// document a JSON body gives, and goes through the same write.
/// </summary>
public static class SourceUploads
{
    public const string Description =
        "The body is one of three types. application/json: the source's document, its full text in `text`. " +
        "text/plain (charset=utf-8 or none): the text itself, byte for byte as the file holds it, with the metadata as query parameters (id and title at least; notes, agencies and formerIds repeat). " +
        "multipart/form-data: the text as a file part named `text`, the metadata as form fields of the same names (an empty field is left out). " +
        "The text is stored exactly as sent and never converted: it must be UTF-8 (a byte that starts no UTF-8 character is a 400 naming its offset; another charset is a 415), and line ends (CRLF stays CRLF), a byte-order mark and trailing newlines are kept, so quotes must match them and the source's sha256 is the SHA-256 of the bytes sent. " +
        "Metadata query parameters go with text/plain only: with a JSON or multipart body they are a 400 saying where the metadata goes.";

    /// <summary>The metadata fields of a source, in document order; the list-valued ones repeat.</summary>
    private static readonly (string Name, bool Repeats)[] Fields =
    [
        ("id", false), ("title", false), ("publisher", false), ("author", false), ("publishedDate", false), ("url", false),
        ("notes", true), ("citation", false), ("documentNumber", false), ("effectiveDate", false), ("agencies", true),
        ("documentType", false), ("standalone", false), ("formerIds", true),
    ];

    public static async Task<Results<Created<SourceDetail>, Ok<SourceDetail>, ProblemHttpResult>> Create(
        HttpContext http, [AsParameters] SourceUploadParameters metadata, IRecordWriter<SourceDetail> writes,
        [FromQuery(Name = "reason"), Description(WriteOptions.ReasonDescription)] string? reason,
        [FromQuery(Name = "dryRun"), Description(WriteOptions.DryRunDescription)] string? dryRun,
        CancellationToken cancellationToken)
    {
        var (context, badOption) = WriteOptions.Read(http, reason, dryRun);
        if (badOption is not null)
        {
            return badOption;
        }

        var (mediaType, unsupported) = BodyMediaTypes.Check(http, BodyMediaTypes.Json, BodyMediaTypes.Text, BodyMediaTypes.Multipart);
        if (unsupported is not null)
        {
            return unsupported;
        }

        // reason and dryRun are the write's own parameters, whatever the body; the rest are a text upload's metadata.
        var metadataKeys = http.Request.Query.Keys.Where(k => k is not ("reason" or "dryRun")).ToList();
        if (mediaType != BodyMediaTypes.Text && metadataKeys.Count > 0)
        {
            return Invalid("Metadata in the wrong place", metadataKeys.ToDictionary(
                k => k,
                _ => new[] { mediaType == BodyMediaTypes.Json
                    ? "is metadata of a text/plain upload; in a JSON body the metadata goes in the document"
                    : "is metadata of a text/plain upload; in a multipart/form-data body the metadata goes in form fields" },
                StringComparer.Ordinal));
        }

        JsonObject? document;
        ProblemHttpResult? refused;
        if (mediaType == BodyMediaTypes.Json)
        {
            (document, refused) = await RecordEndpoints.ReadBodyAsync(http, cancellationToken);
        }
        else if (mediaType == BodyMediaTypes.Text)
        {
            if (ReplacedQueryValue(http.Request) is { } garbled)
            {
                return Invalid("Invalid parameters", new() { [garbled] = ["is not UTF-8 once percent-decoded (a %XX byte starts no UTF-8 character); percent-encode the value's UTF-8 bytes, as curl --url-query does"] });
            }

            (document, refused) = FromText(await JsonBodies.ReadBytesAsync(http.Request, cancellationToken), metadata.Given());
        }
        else
        {
            (document, refused) = await FromFormAsync(http, cancellationToken);
        }

        return refused ?? await RecordEndpoints.CreatedAsync(http, writes, document!, context!, cancellationToken);
    }

    /// <summary>
    /// The first query parameter whose percent-encoded bytes are not UTF-8 (Caf%E9, from Latin-1): the server's query
    /// decoding would leave such a value half-decoded (the text "Caf%E9"), to be stored as the metadata silently.
    /// </summary>
    private static string? ReplacedQueryValue(HttpRequest request)
    {
        foreach (var pair in (request.QueryString.Value ?? string.Empty).TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = equals < 0 ? (pair, string.Empty) : (pair[..equals], pair[(equals + 1)..]);
            if (!PercentDecodesToUtf8(name) || !PercentDecodesToUtf8(value))
            {
                return Uri.UnescapeDataString(name.Replace('+', ' '));
            }
        }

        return null;
    }

    private static bool PercentDecodesToUtf8(string encoded)
    {
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length && Uri.IsHexDigit(encoded[i + 1]) && Uri.IsHexDigit(encoded[i + 2]))
            {
                bytes.Add(Convert.ToByte(encoded.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(encoded[i].ToString()));
            }
        }

        return JsonBodies.FirstInvalidUtf8(bytes.ToArray()) is null;
    }

    /// <summary>The document of a text/plain upload: the metadata, and the body's bytes as the text when they are UTF-8.</summary>
    private static (JsonObject? Document, ProblemHttpResult? Refused) FromText(ReadOnlyMemory<byte> bytes, IEnumerable<(string Name, StringValues Values)> metadata)
    {
        var (document, errors) = Document(metadata);
        if (JsonBodies.FirstInvalidUtf8(bytes.Span) is { } at)
        {
            return (null, Malformed("text", $"the body is not UTF-8: byte {at} (0x{bytes.Span[at]:X2}) starts no UTF-8 character; send the text encoded as UTF-8 (it is stored as sent, never converted)"));
        }

        if (errors.Count > 0)
        {
            return (null, Invalid("Invalid parameters", errors));
        }

        var text = Strict.GetString(bytes.Span);

        // An empty body is no text: left out, so that the write says what it takes.
        if (text.Length > 0)
        {
            document["text"] = text;
        }

        return (document, null);
    }

    /// <summary>The document of a multipart/form-data upload: the fields as metadata, the file part named text as the text.</summary>
    private static async Task<(JsonObject? Document, ProblemHttpResult? Refused)> FromFormAsync(HttpContext http, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or InvalidOperationException)
        {
            return (null, Malformed("body", $"the multipart/form-data body cannot be read ({ex.Message.TrimEnd('.')}); send a form with the text as a file part named `text`"));
        }

        if (form.ContainsKey("text"))
        {
            return (null, Malformed("text", "is a form field here; send the text as a file part named `text` (curl -F text=@article.txt), so that its bytes are kept exactly as they are"));
        }

        var files = form.Files;
        var others = files.Where(f => f.Name != "text").Select(f => f.Name).Distinct(StringComparer.Ordinal).ToList();
        if (others.Count > 0)
        {
            return (null, Malformed(others[0], $"is a file part; the form takes one file, named `text` (the source's text), and its metadata as fields ({string.Join(", ", Fields.Select(f => f.Name))})"));
        }

        if (files.GetFiles("text") is { Count: > 1 })
        {
            return (null, Malformed("text", "is given more than once; a source has one text"));
        }

        var (document, errors) = Document(form.Where(f => !StringValues.IsNullOrEmpty(f.Value) && f.Value.Any(v => !string.IsNullOrEmpty(v)))
            .Select(f => (f.Key, new StringValues(f.Value.Where(v => !string.IsNullOrEmpty(v)).ToArray()))));
        if (errors.Count > 0)
        {
            return (null, Invalid("Invalid form fields", errors));
        }

        if (files.GetFile("text") is not { } file)
        {
            // No text at all: the write says what it takes.
            return (document, null);
        }

        if (MediaTypeHeaderValue.TryParse(file.ContentType, out var partType) && partType.Charset.Value?.Trim('"') is { } charset
            && !string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return (null, BodyMediaTypes.Unsupported(http, [BodyMediaTypes.Json, BodyMediaTypes.Text, BodyMediaTypes.Multipart],
                $"the file part `text` says charset '{charset}': text is taken as UTF-8 only, and stored as sent, never converted"));
        }

        using var buffer = new MemoryStream();
        await using (var stream = file.OpenReadStream())
        {
            await stream.CopyToAsync(buffer, cancellationToken);
        }

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (JsonBodies.FirstInvalidUtf8(bytes) is { } at)
        {
            return (null, Malformed("text", $"the file part `text` is not UTF-8: byte {at} (0x{bytes[at]:X2}) starts no UTF-8 character; send the text encoded as UTF-8 (it is stored as sent, never converted)"));
        }

        // Every byte is kept: a byte-order mark becomes U+FEFF, CRLF stays CRLF.
        var text = Strict.GetString(bytes);
        if (text.Length > 0)
        {
            document["text"] = text;
        }

        return (document, null);
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The source's document from named metadata values: one string each, a list for notes, agencies and formerIds,
    /// a boolean for standalone (true or false; anything else is left as text for the write to refuse). A name that is
    /// no field, or a single value given twice, is an error keyed by the name.
    /// </summary>
    private static (JsonObject Document, Dictionary<string, string[]> Errors) Document(IEnumerable<(string Name, StringValues Values)> values)
    {
        var document = new JsonObject();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, given) in values)
        {
            var field = Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
            if (field.Name is null)
            {
                errors[name] = [$"'{name}' is not a field of a source; the fields are {string.Join(", ", Fields.Select(f => f.Name))}, and the text"];
                continue;
            }

            if (field.Repeats)
            {
                document[field.Name] = new JsonArray(given.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
            }
            else if (given.Count > 1)
            {
                errors[name] = ["is given more than once; it takes one value"];
            }
            else if (field.Name == "standalone" && bool.TryParse(given[0], out var flag))
            {
                document[field.Name] = flag;
            }
            else
            {
                document[field.Name] = given[0];
            }
        }

        return (document, errors);
    }

    private static ProblemHttpResult Malformed(string field, string why) =>
        new JsonBodies.BodyRead(null, why, field).ToProblem();

    private static ProblemHttpResult Invalid(string title, Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = title,
            Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
        });
}

/// <summary>The metadata of a source uploaded as text/plain, as query parameters (the fields of the source's document).</summary>
public sealed record SourceUploadParameters
{
    [FromQuery(Name = "id")]
    [Description("Only with a text/plain body. The new source's id: a readable slug, such as bis-adds-smic-to-entity-list-alert.")]
    public string? Id { get; init; }

    [FromQuery(Name = "title")]
    [Description("Only with a text/plain body. The source's title.")]
    public string? Title { get; init; }

    [FromQuery(Name = "publisher")]
    [Description("Only with a text/plain body. Who published it; leave out when unknown.")]
    public string? Publisher { get; init; }

    [FromQuery(Name = "author")]
    [Description("Only with a text/plain body. Who wrote it; leave out when unknown.")]
    public string? Author { get; init; }

    [FromQuery(Name = "publishedDate")]
    [Description("Only with a text/plain body. When it was published, at the precision it gives: YYYY, YYYY-MM or YYYY-MM-DD.")]
    public string? PublishedDate { get; init; }

    [FromQuery(Name = "url")]
    [Description("Only with a text/plain body. Where it was published: an absolute http or https URL.")]
    public string? Url { get; init; }

    [FromQuery(Name = "notes")]
    [Description("Only with a text/plain body. The curators' notes on the source; repeat for several.")]
    public string[]? Notes { get; init; }

    [FromQuery(Name = "citation")]
    [Description("Only with a text/plain body. The official citation, such as 85 FR 83416.")]
    public string? Citation { get; init; }

    [FromQuery(Name = "documentNumber")]
    [Description("Only with a text/plain body. The Federal Register document number, such as 2020-28031.")]
    public string? DocumentNumber { get; init; }

    [FromQuery(Name = "effectiveDate")]
    [Description("Only with a text/plain body. When the document (a rule) takes effect: YYYY, YYYY-MM or YYYY-MM-DD.")]
    public string? EffectiveDate { get; init; }

    [FromQuery(Name = "agencies")]
    [Description("Only with a text/plain body. An agency that issued the document; repeat for several.")]
    public string[]? Agencies { get; init; }

    [FromQuery(Name = "documentType")]
    [Description("Only with a text/plain body. The kind of official document, such as Rule.")]
    public string? DocumentType { get; init; }

    [FromQuery(Name = "standalone")]
    [Description("Only with a text/plain body. true when the source is deliberately cited by no event.")]
    public string? Standalone { get; init; }

    [FromQuery(Name = "formerIds")]
    [Description("Only with a text/plain body. An id the source was known by (a GET of it answers 301); repeat for several.")]
    public string[]? FormerIds { get; init; }

    /// <summary>The parameters given, by field name.</summary>
    public IEnumerable<(string Name, StringValues Values)> Given()
    {
        (string, string[]?)[] all =
        [
            ("id", One(Id)), ("title", One(Title)), ("publisher", One(Publisher)), ("author", One(Author)),
            ("publishedDate", One(PublishedDate)), ("url", One(Url)), ("notes", Notes), ("citation", One(Citation)),
            ("documentNumber", One(DocumentNumber)), ("effectiveDate", One(EffectiveDate)), ("agencies", Agencies),
            ("documentType", One(DocumentType)), ("standalone", One(Standalone)), ("formerIds", FormerIds),
        ];
        return all.Where(p => p.Item2 is { Length: > 0 }).Select(p => (p.Item1, new StringValues(p.Item2)));
    }

    private static string[]? One(string? value) => value is null ? null : [value];
}

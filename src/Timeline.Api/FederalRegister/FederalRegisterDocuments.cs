using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Timeline.Api.FederalRegister;

/// <summary>
/// A document as the Federal Register API describes it (GET /api/v1/documents/{number}.json, or one of a search's
/// <c>results</c>): the fields the importer reads. Other fields are ignored.
/// </summary>
public sealed record FederalRegisterDocument
{
    [JsonPropertyName("document_number")]
    public string? DocumentNumber { get; init; }

    [JsonPropertyName("citation")]
    public string? Citation { get; init; }

    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>"Rule", "Proposed Rule", "Notice" or "Presidential Document".</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("abstract")]
    public string? Abstract { get; init; }

    [JsonPropertyName("action")]
    public string? Action { get; init; }

    [JsonPropertyName("dates")]
    public string? Dates { get; init; }

    /// <summary>YYYY-MM-DD.</summary>
    [JsonPropertyName("publication_date")]
    public string? PublicationDate { get; init; }

    /// <summary>YYYY-MM-DD, or null when the document states no effective date.</summary>
    [JsonPropertyName("effective_on")]
    public string? EffectiveOn { get; init; }

    [JsonPropertyName("agencies")]
    public List<FederalRegisterAgency?>? Agencies { get; init; }

    [JsonPropertyName("html_url")]
    public string? HtmlUrl { get; init; }

    [JsonPropertyName("raw_text_url")]
    public string? RawTextUrl { get; init; }

    /// <summary>The agencies' names, in the order given (the name, or the raw name when the API has no name).</summary>
    public List<string> AgencyNames() =>
        [.. (Agencies ?? []).Select(a => a?.Name ?? a?.RawName).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!.Trim()).Distinct(StringComparer.Ordinal)];

    /// <summary>The source id for this document: "fr-" and the document number, lower case ("fr-2020-28031").</summary>
    public string SourceId => SourceIdOf(DocumentNumber ?? string.Empty);

    /// <summary>The source id for a document number.</summary>
    public static string SourceIdOf(string documentNumber) => "fr-" + documentNumber.Trim().ToLowerInvariant();

    /// <summary>
    /// The source in the dataset format: its metadata from the document, its text exactly the raw text received.
    /// Deterministic (no import time), so that importing the same document again changes nothing.
    /// </summary>
    public SourceDocument ToSource(string text)
    {
        var agencies = AgencyNames();
        var provenance = new StringBuilder($"Federal Register document {DocumentNumber}");
        if (Citation is not null)
        {
            provenance.Append($" ({Citation})");
        }

        provenance.Append($", published {PublicationDate}. The text is the document's raw text as served at {RawTextUrl}, stored byte for byte as received.");
        List<string> notes = [provenance.ToString()];
        if (!string.IsNullOrWhiteSpace(Action))
        {
            notes.Add(Limit($"Action: {Action.Trim()}"));
        }

        if (!string.IsNullOrWhiteSpace(Dates))
        {
            notes.Add(Limit($"Dates: {Dates.Trim()}"));
        }

        return new SourceDocument
        {
            Id = SourceId,
            Title = Title?.Trim(),
            Publisher = agencies.Count == 0 ? "Federal Register" : Limit(string.Join("; ", agencies), 200),
            PublishedDate = PublicationDate,
            Url = HtmlUrl,
            Text = text,
            Notes = notes,
            Citation = Citation,
            DocumentNumber = DocumentNumber,
            EffectiveDate = EffectiveOn,
            Agencies = agencies.Count == 0 ? null : agencies,
            DocumentType = Type,
        };
    }

    private static string Limit(string text, int length = 1000) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");
}

/// <summary>An agency as a Federal Register document lists it.</summary>
public sealed record FederalRegisterAgency
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("raw_name")]
    public string? RawName { get; init; }

    [JsonPropertyName("slug")]
    public string? Slug { get; init; }
}

/// <summary>A page of a Federal Register documents search (GET /api/v1/documents.json).</summary>
public sealed record FederalRegisterPage
{
    [JsonPropertyName("count")]
    public int? Count { get; init; }

    [JsonPropertyName("total_pages")]
    public int? TotalPages { get; init; }

    [JsonPropertyName("next_page_url")]
    public string? NextPageUrl { get; init; }

    [JsonPropertyName("results")]
    public List<FederalRegisterDocument?>? Results { get; init; }
}

/// <summary>A Federal Register file or answer the importer cannot use: what, and where.</summary>
public sealed class FederalRegisterException : Exception
{
    public FederalRegisterException()
    {
    }

    public FederalRegisterException(string message)
        : base(message)
    {
    }

    public FederalRegisterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Reads the Federal Register API's JSON: a search page (with <c>results</c>) or a single document.</summary>
public static class FederalRegisterJson
{
    private static readonly JsonSerializerOptions Options = new() { AllowTrailingCommas = false };

    /// <summary>The documents in a search page or single-document JSON, with the page's next URL (null for a document).</summary>
    /// <param name="json">The JSON bytes.</param>
    /// <param name="where">The file or URL, for messages.</param>
    public static (List<FederalRegisterDocument> Documents, FederalRegisterPage? Page) Parse(ReadOnlySpan<byte> json, string where)
    {
        JsonElement root;
        try
        {
            using var parsed = JsonDocument.Parse(json.ToArray());
            root = parsed.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new FederalRegisterException($"{where}: is not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')}, line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FederalRegisterException($"{where}: holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not a Federal Register search page (an object with \"results\") or document (an object with \"document_number\").");
        }

        try
        {
            if (root.TryGetProperty("results", out var results))
            {
                if (results.ValueKind != JsonValueKind.Array)
                {
                    throw new FederalRegisterException($"{where}: \"results\" is not a list of documents.");
                }

                var page = root.Deserialize<FederalRegisterPage>(Options)!;
                var documents = new List<FederalRegisterDocument>();
                for (var i = 0; i < page.Results!.Count; i++)
                {
                    documents.Add(Check(page.Results[i], $"{where}: results[{i}]"));
                }

                return (documents, page);
            }

            if (root.TryGetProperty("document_number", out _))
            {
                return ([Check(root.Deserialize<FederalRegisterDocument>(Options), where)], null);
            }
        }
        catch (JsonException ex)
        {
            throw new FederalRegisterException($"{where}: {(ex.Path is { Length: > 1 } path ? path.TrimStart('$', '.') + " " : "")}has a value of the wrong type for the Federal Register API's format.");
        }

        throw new FederalRegisterException($"{where}: is neither a Federal Register search page (an object with \"results\") nor a document (an object with \"document_number\").");
    }

    private static FederalRegisterDocument Check(FederalRegisterDocument? document, string where)
    {
        if (document is null)
        {
            throw new FederalRegisterException($"{where}: the document is null.");
        }

        if (string.IsNullOrWhiteSpace(document.DocumentNumber))
        {
            throw new FederalRegisterException($"{where}: the document has no \"document_number\".");
        }

        return document;
    }
}

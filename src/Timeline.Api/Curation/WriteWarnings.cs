using System.Text.Encodings.Web;
using System.Text.Json;
using Timeline.Model.Entities;
using Timeline.Model.Events;
using Timeline.Model.Sources;

namespace Timeline.Api.Curation;

/// <summary>
/// The data-honesty checks (<see cref="DatasetChecks"/>) on a record just written: a write that succeeds but
/// breaks one is not refused; it answers 2xx with one <c>Timeline-Warning</c> header per warning, each value a JSON
/// string (non-ASCII escaped as \uXXXX, so any header parser takes it) holding "path: message".
/// </summary>
public static class WriteWarnings
{
    /// <summary>The response header that carries each warning of a successful write.</summary>
    public const string Header = "Timeline-Warning";

    /// <summary>How the header is described in every write's OpenAPI description.</summary>
    public const string Description =
        "A successful write (2xx) still runs the data-honesty checks and answers one `Timeline-Warning` header per problem found, "
        + "each a JSON string such as `\"events 'x'.summary: paraphrase is not quoted: ...\"` (non-ASCII escaped as \\uXXXX): "
        + "an entity linked to no event or a source cited by none (unless `\"standalone\": true`); a phrase in quotation marks in an event's "
        + "title or summary that is in none of its citation quotes; an event dated after the publication of its only source with no caveat "
        + "about a plan, announcement, expectation or schedule; an event that may duplicate another (`possibleDuplicates`: its dates overlap the other's, "
        + "it shares an entity, and its words are alike; the header names each candidate id with the overlapping dates, the shared entities and the similarity). "
        + "Warnings never refuse a write.";

    /// <summary>The header as the OpenAPI document describes it under each successful write's response.</summary>
    public const string HeaderDescription =
        "One per data-honesty warning about the record written (absent when there is none): a JSON string, ASCII only, \"path: message\". "
        + "The checks: unused (an entity or source that no event uses and that is not marked standalone), paraphrase-not-quoted, dated-after-source, "
        + "possibleDuplicates (\"events 'x': possibleDuplicates: may tell the same story as 'y' (2020-12: the dates overlap; shares smic; words 0.57 alike) ...\"). "
        + "The write succeeded; the warning asks the curator to look.";

    private static readonly JsonSerializerOptions Ascii = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>The warnings for a written record (an EventDetail, EntityItem or SourceDetail at <paramref name="version"/>).</summary>
    /// <param name="record">The record as written.</param>
    /// <param name="version">Its version.</param>
    /// <param name="services">The request's services (the store's readers).</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <param name="published">
    /// The publication dates of sources already read, by id: a batch passes one for all its records, so a source cited
    /// by many of them is read once. Null for a single write.
    /// </param>
    public static async Task<IReadOnlyList<DatasetWarning>> ForAsync<TRecord>(
        TRecord record, long version, IServiceProvider services, CancellationToken cancellationToken, Dictionary<string, PartialDate?>? published = null)
        where TRecord : class
    {
        switch (record)
        {
            case EventDetail e when PartialDate.TryParse(e.Date, out var date, out _):
                var sources = services.GetRequiredService<ISourceReader>();
                published ??= new Dictionary<string, PartialDate?>(StringComparer.Ordinal);
                foreach (var id in e.Citations.Select(c => c.SourceId).Distinct(StringComparer.Ordinal).Where(id => !published.ContainsKey(id)).ToList())
                {
                    var (found, _) = await sources.GetAsync(id, cancellationToken);
                    published[id] = found?.PublishedDate is { } text && PartialDate.TryParse(text, out var when, out _) ? when : null;
                }

                var warnings = DatasetChecks.Event(e.Id, date, e.Title, e.Summary, e.Caveats, [.. e.Citations.Select(c => new QuotedSource(c.SourceId, c.Quote))], id => published.GetValueOrDefault(id));
                return await DuplicateWarnings.ForAsync(e, services, cancellationToken) is { } duplicates ? [.. warnings, duplicates] : warnings;
            case EntityItem entity:
                return Listed(DatasetChecks.Use("entity", entity.Id, entity.EventCount, entity.Standalone));
            case SourceDetail source:
                return Listed(DatasetChecks.Use("source", source.Id, source.EventCount, await StandaloneAsync("source", source.Id, version, services, cancellationToken)));
            default:
                return [];
        }
    }

    private static IReadOnlyList<DatasetWarning> Listed(DatasetWarning? warning) => warning is null ? [] : [warning];

    /// <summary>Adds one header per warning to the response.</summary>
    public static void Add(HttpResponse response, IReadOnlyList<DatasetWarning> warnings)
    {
        foreach (var warning in warnings)
        {
            response.Headers.Append(Header, JsonSerializer.Serialize(warning.ToString(), Ascii));
        }
    }

    /// <summary>
    /// Whether the stored document of the record at this version says <c>"standalone": true</c> (for sources: an entity
    /// carries the flag in its own row and answer, a source only in its document).
    /// </summary>
    private static async Task<bool> StandaloneAsync(string resource, string id, long version, IServiceProvider services, CancellationToken cancellationToken)
    {
        var revision = await services.GetRequiredService<IRecordHistory>().RevisionAsync(resource, id, version, cancellationToken);
        return revision?.Document is { ValueKind: JsonValueKind.Object } document
            && document.TryGetProperty("standalone", out var standalone)
            && standalone.ValueKind == JsonValueKind.True;
    }
}

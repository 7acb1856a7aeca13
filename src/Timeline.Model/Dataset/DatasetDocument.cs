using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Timeline.Model.Dataset;

// The dataset format of data/timeline.json. The same records carry the seed, imports, exports and
// the benchmark generator's output, so the rules they must meet are checked by one validator.

/// <summary>A whole dataset: sources with their text, entities, and events with their citations.</summary>
public sealed record DatasetDocument
{
    public List<SourceDocument>? Sources { get; init; }

    public List<EntityDocument>? Entities { get; init; }

    public List<EventDocument>? Events { get; init; }

    /// <summary>
    /// The full history, when the export asked for it (GET /export?history=true): every revision of every record,
    /// deleted ones included, in commit order. Importing a dataset that carries it into an empty store replays it, so
    /// versions, authors, times, reasons, tombstones and the change feed come back exactly.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<RevisionDocument>? History { get; init; }
}

/// <summary>One revision of the history: which record, its version after the change, what was done, by whom, when, why, and the document.</summary>
public sealed record RevisionDocument
{
    /// <summary>Its position in the change feed (the store's commit order).</summary>
    public long? Seq { get; init; }

    /// <summary>event, entity or source.</summary>
    public string? Resource { get; init; }

    public string? Id { get; init; }

    /// <summary>The record's version after the change: 1 for its creation, one more for each change.</summary>
    public long? Version { get; init; }

    /// <summary>create, update, delete or restore.</summary>
    public string? Action { get; init; }

    /// <summary>Who made the change: the API key's name, or seed, import.</summary>
    public string? Actor { get; init; }

    /// <summary>When the change was committed: UTC, as the store writes it (2026-12-06T21:14:03.123Z).</summary>
    public string? At { get; init; }

    /// <summary>Why, as the writer said; absent when no reason was given.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    /// <summary>The record in the dataset format as it stood after the change.</summary>
    public System.Text.Json.Nodes.JsonObject? Document { get; init; }
}

/// <summary>A source document: metadata plus its full text, inline (<c>text</c>) or in a file beside the dataset (<c>textFile</c>).</summary>
public sealed record SourceDocument
{
    public string? Id { get; init; }

    public string? Title { get; init; }

    public string? Publisher { get; init; }

    public string? Author { get; init; }

    [Description(DateRules.PublishedDate)]
    public string? PublishedDate { get; init; }

    public string? Url { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TextFile { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    public List<string>? Notes { get; init; }

    /// <summary>The official citation, such as "85 FR 83416" (Federal Register volume, FR, first page).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Citation { get; init; }

    /// <summary>The Federal Register document number, such as "2020-28031".</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DocumentNumber { get; init; }

    /// <summary>When the document (a rule) takes effect: a partial date.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EffectiveDate { get; init; }

    /// <summary>The agencies that issued the document, such as "Industry and Security Bureau".</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Agencies { get; init; }

    /// <summary>The kind of official document, such as "Rule".</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DocumentType { get; init; }

    /// <summary>True when the source is deliberately cited by no event (else the data-honesty check warns).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Standalone { get; init; }

    /// <summary>Ids this source was known by; a GET of one answers 301 to the current id.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? FormerIds { get; init; }
}

/// <summary>A company, government, person, product, chip, technology, organization or event series.</summary>
public sealed record EntityDocument
{
    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? Kind { get; init; }

    public string? Country { get; init; }

    public List<string>? Aliases { get; init; }

    public string? Description { get; init; }

    /// <summary>Ids this entity was known by; a GET of one answers 301 to the current id.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? FormerIds { get; init; }

    /// <summary>True when the entity is deliberately linked to no event (the dataset's checks then leave it be).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Standalone { get; init; }
}

/// <summary>An event on the timeline, with the entities it involves and the quotes that support it.</summary>
public sealed record EventDocument
{
    public string? Id { get; init; }

    [Description(DateRules.Date)]
    public string? Date { get; init; }

    [Description(DateRules.EndDate)]
    public string? EndDate { get; init; }

    public string? Title { get; init; }

    public string? Summary { get; init; }

    public string? Category { get; init; }

    public List<string>? Tags { get; init; }

    public List<string>? Caveats { get; init; }

    public List<EntityLinkDocument>? Entities { get; init; }

    public List<CitationDocument>? Citations { get; init; }

    /// <summary>Official or public-record documents that are not stored in full, each saying what it supports.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ReferenceDocument>? References { get; init; }

    /// <summary>Ids this event was known by; a GET of one answers 301 to the current id.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? FormerIds { get; init; }

    /// <summary>Ids of live events this event is related to (see also), each once, never its own; the linked event shows it under <c>relatedFrom</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Related { get; init; }

    /// <summary>The id of the live event this one replaces (a correction, a later account), never its own and never in a cycle; the old event shows it under <c>supersededBy</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Supersedes { get; init; }
}

/// <summary>
/// A reference to an official or public-record document that is not stored in full (a Federal Register rule, a
/// briefing transcript). Unlike a citation it quotes nothing: it points at the record and says what it supports.
/// </summary>
public sealed record ReferenceDocument
{
    /// <summary>The document's title.</summary>
    public string? Title { get; init; }

    /// <summary>Its publisher or issuing agency, as "Bureau of Industry and Security".</summary>
    public string? Publisher { get; init; }

    /// <summary>Its date, at the precision known: YYYY, YYYY-MM or YYYY-MM-DD.</summary>
    public string? Date { get; init; }

    /// <summary>Where it is published: an absolute https URL.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; init; }

    /// <summary>Its official citation, as "85 FR 83416".</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Citation { get; init; }

    /// <summary>Its Federal Register document number, as "2020-28031".</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DocumentNumber { get; init; }

    /// <summary>What in the event this reference supports.</summary>
    public string? Supports { get; init; }
}

/// <summary>An entity an event involves, and the role it plays.</summary>
public sealed record EntityLinkDocument
{
    public string? Id { get; init; }

    public string? Role { get; init; }
}

/// <summary>A verbatim quote from a source. Its offsets are computed, never typed.</summary>
public sealed record CitationDocument
{
    public string? Source { get; init; }

    public string? Quote { get; init; }

    /// <summary>
    /// Which occurrence of the quote in its source the citation means, counting from 1 in the text's order. Required when
    /// the quote occurs more than once (a write without it is refused with a 422 listing every occurrence's offsets);
    /// left out when it occurs once.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Occurrence { get; init; }
}

/// <summary>How the dataset's dates are written and which years they may fall in (OpenAPI descriptions).</summary>
internal static class DateRules
{
    private const string Form = "YYYY, YYYY-MM or YYYY-MM-DD, a real calendar date, at exactly the precision the source gives, in a year from 1900 to 2199 (others are refused with a 422).";

    public const string Date = "The date of the event: " + Form;

    public const string EndDate = "The last date of a span, or null for a single date: " + Form + " Not before `date`.";

    public const string PublishedDate = "When the source was published, or null when unknown: " + Form;
}

namespace Timeline.Model.Sources;

/// <summary>A source document's metadata.</summary>
/// <param name="Id">Stable, readable id, used by the `source` filter.</param>
/// <param name="Title">Title as published, or an editorial title when the source has none (a note says so).</param>
/// <param name="Publisher">Publisher, where known.</param>
/// <param name="Author">Author, where known.</param>
/// <param name="PublishedDate">Publication date at the precision known ("2025-09-18", "2025-09", "2025"; a year from 1900 to 2199), or null when unknown.</param>
/// <param name="Url">Where it was published, where known.</param>
/// <param name="Sha256">SHA-256 of the text's UTF-8 bytes: the text served is byte for byte the text received.</param>
/// <param name="Length">Length of the text in Unicode code points (the unit of citation offsets).</param>
/// <param name="Notes">What is known about the source: provenance, reliability, disclaimers.</param>
/// <param name="EventCount">How many events cite the source.</param>
/// <param name="Version">Increases with every change to the source's metadata.</param>
public sealed record SourceItem(
    string Id,
    string Title,
    string? Publisher,
    string? Author,
    string? PublishedDate,
    string? Url,
    string Sha256,
    long Length,
    IReadOnlyList<string> Notes,
    long EventCount,
    long Version)
{
    /// <summary>The official citation of a published document, as "85 FR 83416", or null.</summary>
    public string? Citation { get; init; }

    /// <summary>The Federal Register document number, as "2020-28031", or null.</summary>
    public string? DocumentNumber { get; init; }

    /// <summary>When the document (a rule) takes effect, at the precision known, or null.</summary>
    public string? EffectiveDate { get; init; }

    /// <summary>The agencies that issued the document; empty when not an official document.</summary>
    public IReadOnlyList<string> Agencies { get; init; } = [];

    /// <summary>The kind of official document, as "Rule", or null.</summary>
    public string? DocumentType { get; init; }

    /// <summary>Ids the source was known by: a GET of one answers 301 Moved Permanently to this source.</summary>
    public IReadOnlyList<string> FormerIds { get; init; } = [];
}

/// <summary>A source document with its full text.</summary>
/// <param name="Id">Stable, readable id, used by the `source` filter.</param>
/// <param name="Title">Title as published, or an editorial title when the source has none (a note says so).</param>
/// <param name="Publisher">Publisher, where known.</param>
/// <param name="Author">Author, where known.</param>
/// <param name="PublishedDate">Publication date at the precision known (a year from 1900 to 2199), or null when unknown.</param>
/// <param name="Url">Where it was published, where known.</param>
/// <param name="Sha256">SHA-256 of the text's UTF-8 bytes.</param>
/// <param name="Length">Length of the text in Unicode code points (the unit of citation offsets).</param>
/// <param name="Notes">What is known about the source: provenance, reliability, disclaimers.</param>
/// <param name="EventCount">How many events cite the source.</param>
/// <param name="Version">Increases with every change to the source's metadata.</param>
/// <param name="Text">The full text, verbatim. Citation offsets index into it.</param>
public sealed record SourceDetail(
    string Id,
    string Title,
    string? Publisher,
    string? Author,
    string? PublishedDate,
    string? Url,
    string Sha256,
    long Length,
    IReadOnlyList<string> Notes,
    long EventCount,
    long Version,
    string Text)
{
    /// <summary>The official citation of a published document, as "85 FR 83416", or null.</summary>
    public string? Citation { get; init; }

    /// <summary>The Federal Register document number, as "2020-28031", or null.</summary>
    public string? DocumentNumber { get; init; }

    /// <summary>When the document (a rule) takes effect, at the precision known, or null.</summary>
    public string? EffectiveDate { get; init; }

    /// <summary>The agencies that issued the document; empty when not an official document.</summary>
    public IReadOnlyList<string> Agencies { get; init; } = [];

    /// <summary>The kind of official document, as "Rule", or null.</summary>
    public string? DocumentType { get; init; }

    /// <summary>Ids the source was known by: a GET of one answers 301 Moved Permanently to this source.</summary>
    public IReadOnlyList<string> FormerIds { get; init; } = [];
}

/// <summary>Every source, by id.</summary>
/// <param name="Items">The sources.</param>
public sealed record SourceList(IReadOnlyList<SourceItem> Items);

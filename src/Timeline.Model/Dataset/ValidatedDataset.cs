using Timeline.Model.Dates;

namespace Timeline.Model.Dataset;

/// <summary>A dataset that passed every rule: dates parsed, offsets computed, hashes taken.</summary>
public sealed record ValidatedDataset(
    IReadOnlyList<ValidSource> Sources,
    IReadOnlyList<ValidEntity> Entities,
    IReadOnlyList<ValidEvent> Events);

public sealed record ValidSource(
    string Id,
    string Title,
    string? Publisher,
    string? Author,
    PartialDate? PublishedDate,
    string? Url,
    string Text,
    string Sha256,
    IReadOnlyList<string> Notes)
{
    /// <summary>The official citation, as "85 FR 83416".</summary>
    public string? Citation { get; init; }

    /// <summary>The Federal Register document number, as "2020-28031".</summary>
    public string? DocumentNumber { get; init; }

    /// <summary>When the document takes effect.</summary>
    public PartialDate? EffectiveDate { get; init; }

    /// <summary>The issuing agencies.</summary>
    public IReadOnlyList<string> Agencies { get; init; } = [];

    /// <summary>The kind of official document ("Rule").</summary>
    public string? DocumentType { get; init; }

    /// <summary>Deliberately cited by no event.</summary>
    public bool Standalone { get; init; }

    /// <summary>Ids the source was known by.</summary>
    public IReadOnlyList<string> FormerIds { get; init; } = [];
}

public sealed record ValidEntity(
    string Id,
    string Name,
    string Kind,
    string? Country,
    IReadOnlyList<string> Aliases,
    string? Description)
{
    /// <summary>Ids the entity was known by.</summary>
    public IReadOnlyList<string> FormerIds { get; init; } = [];

    /// <summary>Deliberately linked to no event.</summary>
    public bool Standalone { get; init; }
}

public sealed record ValidEvent(
    string Id,
    PartialDate Date,
    PartialDate? EndDate,
    string Title,
    string Summary,
    string Category,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Caveats,
    IReadOnlyList<ValidEntityLink> Entities,
    IReadOnlyList<ValidCitation> Citations)
{
    /// <summary>The first day the event covers.</summary>
    public DateOnly FirstDay => Date.FirstDay;

    /// <summary>The last day the event covers: the end of its end date, or of its date.</summary>
    public DateOnly LastDay => (EndDate ?? Date).LastDay;

    /// <summary>References to official or public-record documents not stored in full.</summary>
    public IReadOnlyList<ValidReference> References { get; init; } = [];

    /// <summary>Ids the event was known by.</summary>
    public IReadOnlyList<string> FormerIds { get; init; } = [];

    /// <summary>Ids of the events this one is related to, in the order given.</summary>
    public IReadOnlyList<string> Related { get; init; } = [];

    /// <summary>The id of the event this one supersedes, or null.</summary>
    public string? Supersedes { get; init; }
}

/// <summary>A reference to a document of the public record: what it is, when, where, and what it supports.</summary>
public sealed record ValidReference(
    string Title,
    string Publisher,
    PartialDate Date,
    string? Url,
    string? Citation,
    string? DocumentNumber,
    string Supports);

public sealed record ValidEntityLink(string EntityId, string Role);

/// <summary>A quote and where it stands in its source, in Unicode code points, end exclusive.</summary>
public sealed record ValidCitation(string SourceId, string Quote, int StartOffset, int EndOffset)
{
    /// <summary>Which occurrence of the quote the citation means (1 is the first), as the document gave it; null when not given.</summary>
    public int? Occurrence { get; init; }
}

/// <summary>One broken rule: where (a JSON-path-like location naming the record) and what.</summary>
public sealed record DatasetError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A dataset that cannot be loaded, with every problem found in it.</summary>
public sealed class DatasetValidationException : Exception
{
    public DatasetValidationException(string file, IReadOnlyList<DatasetError> errors)
        : base(Describe(file, errors))
    {
        File = file;
        Errors = errors;
    }

    public DatasetValidationException()
    {
        File = string.Empty;
        Errors = [];
    }

    public DatasetValidationException(string message)
        : base(message)
    {
        File = string.Empty;
        Errors = [];
    }

    public DatasetValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
        Errors = [];
    }

    public string File { get; }

    public IReadOnlyList<DatasetError> Errors { get; }

    private static string Describe(string file, IReadOnlyList<DatasetError> errors) =>
        $"The dataset {file} cannot be loaded ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}); nothing was written:"
        + string.Concat(errors.Select(e => $"{Environment.NewLine}  {file}: {e}"));
}

/// <summary>What a dataset may refer to in the store besides its own records: stored source texts and entities (not deleted).</summary>
public sealed record StoreLookup(Func<string, string?> SourceText, Func<string, bool> EntityExists)
{
    /// <summary>Whether a live event with this id is stored (the targets of <c>related</c> and <c>supersedes</c>); none when null.</summary>
    public Func<string, bool>? EventExists { get; init; }

    /// <summary>The event a stored event supersedes, or null (to find a cycle through events the dataset does not hold).</summary>
    public Func<string, string?>? StoredSupersedes { get; init; }
}

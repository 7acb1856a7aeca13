using System.Text.RegularExpressions;
using Timeline.Model.Dates;

namespace Timeline.Model.Dataset;

/// <summary>
/// The checks that keep the data honest, beside the validator's rules: what they find is a warning, never a refusal
/// (the record is valid, but a curator should look). One implementation, used by the three paths that see data:
/// the <c>validate</c> command (printed), the seed at startup (logged) and every write (returned with the 2xx answer).
/// <list type="bullet">
/// <item>Every entity is linked to an event and every source cited by one, unless marked <c>"standalone": true</c>.</item>
/// <item>A phrase in quotation marks (straight "…" or curly “…”) in an event's title or summary occurs in one of the
/// event's citation quotes: otherwise it is a paraphrase presented as the source's words.</item>
/// <item>An event dated after the publication of its only source announces something the source could not have seen
/// happen; a caveat must say so: one that speaks of a plan, an announcement, an expectation, a schedule, an intention
/// or a forecast (a word starting plan, announc, expect, schedul, intend, intent or forecast, in any case).</item>
/// </list>
/// </summary>
public static partial class DatasetChecks
{
    /// <summary>Every warning for a whole validated dataset, in a stable order (sources, entities, events).</summary>
    public static IReadOnlyList<DatasetWarning> Check(ValidatedDataset dataset)
    {
        var warnings = new List<DatasetWarning>();
        var cited = dataset.Events.SelectMany(e => e.Citations).Select(c => c.SourceId).ToHashSet(StringComparer.Ordinal);
        var linked = dataset.Events.SelectMany(e => e.Entities).Select(l => l.EntityId).ToHashSet(StringComparer.Ordinal);
        foreach (var source in dataset.Sources)
        {
            if (Use("source", source.Id, cited.Contains(source.Id) ? 1 : 0, source.Standalone) is { } warning)
            {
                warnings.Add(warning);
            }
        }

        foreach (var entity in dataset.Entities)
        {
            if (Use("entity", entity.Id, linked.Contains(entity.Id) ? 1 : 0, entity.Standalone) is { } warning)
            {
                warnings.Add(warning);
            }
        }

        var published = dataset.Sources.ToDictionary(s => s.Id, s => s.PublishedDate, StringComparer.Ordinal);
        foreach (var e in dataset.Events)
        {
            warnings.AddRange(Event(
                e.Id,
                e.Date,
                e.Title,
                e.Summary,
                e.Caveats,
                [.. e.Citations.Select(c => new QuotedSource(c.SourceId, c.Quote))],
                id => published.GetValueOrDefault(id)));
        }

        return warnings;
    }

    /// <summary>The warning for an entity or source that nothing uses (<paramref name="uses"/> is 0) and that is not marked standalone, or null.</summary>
    /// <param name="resource">"entity" or "source".</param>
    /// <param name="id">The record's id.</param>
    /// <param name="uses">How many events link the entity or cite the source.</param>
    /// <param name="standalone">Whether the record is marked standalone.</param>
    public static DatasetWarning? Use(string resource, string id, long uses, bool standalone)
    {
        if (uses > 0 || standalone)
        {
            return null;
        }

        return resource == "source"
            ? new DatasetWarning($"sources '{id}'", "unused", "is cited by no event; cite it, or mark it \"standalone\": true if it is kept on purpose")
            : new DatasetWarning($"entities '{id}'", "unused", "is linked to no event; link it, or mark it \"standalone\": true if it is kept on purpose");
    }

    /// <summary>
    /// The warnings for one event: quoted phrases that are in none of its quotes, and a date after its only source's
    /// publication that no caveat explains. <paramref name="published"/> gives a source's publication date (null when unknown).
    /// </summary>
    public static IReadOnlyList<DatasetWarning> Event(
        string id,
        PartialDate date,
        string title,
        string summary,
        IReadOnlyList<string> caveats,
        IReadOnlyList<QuotedSource> citations,
        Func<string, PartialDate?> published)
    {
        var warnings = new List<DatasetWarning>();
        var path = $"events '{id}'";
        foreach (var (field, text) in new[] { ("title", title), ("summary", summary) })
        {
            foreach (var phrase in QuotedPhrases(text))
            {
                if (!citations.Any(c => c.Quote.Contains(phrase, StringComparison.Ordinal)))
                {
                    warnings.Add(new DatasetWarning(
                        $"{path}.{field}",
                        "paraphrase-not-quoted",
                        $"paraphrase is not quoted: \"{Shorten(phrase)}\" stands in quotation marks but occurs in none of the event's citation quotes; quote the source's exact words, or drop the quotation marks"));
                }
            }
        }

        var sources = citations.Select(c => c.SourceId).Distinct(StringComparer.Ordinal).ToList();
        if (sources.Count == 1 && published(sources[0]) is { } publication && date.FirstDay > publication.LastDay
            && !caveats.Any(c => AddressesLaterDate().IsMatch(c)))
        {
            warnings.Add(new DatasetWarning(
                $"{path}.date",
                "dated-after-source",
                $"'{date}' is after the publication of the event's only source '{sources[0]}' ({publication}); if the source announces a plan, say so in a caveat (one that mentions the plan, announcement, expectation or schedule)"));
        }

        return warnings;
    }

    /// <summary>The phrases in straight ("…") or curly (“…”) double quotation marks, in order.</summary>
    public static IEnumerable<string> QuotedPhrases(string text) =>
        QuotedPhrase().Matches(text).Select(m => m.Groups["straight"].Success ? m.Groups["straight"].Value : m.Groups["curly"].Value)
            .Where(p => !string.IsNullOrWhiteSpace(p));

    [GeneratedRegex("\"(?<straight>[^\"\\n]{1,1000})\"|\u201C(?<curly>[^\u201C\u201D\\n]{1,1000})\u201D", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedPhrase();

    [GeneratedRegex(@"\b(plan|announc|expect|schedul|intend|intent|forecast)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AddressesLaterDate();

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
}

/// <summary>A citation as the checks see it: which source, and the quoted words.</summary>
public sealed record QuotedSource(string SourceId, string Quote);

/// <summary>A data-honesty warning: where (a path naming the record and field), which check (a stable code), and what.</summary>
/// <param name="Path">The record and field, as in validation errors: "events 'x'.summary".</param>
/// <param name="Code">unused, paraphrase-not-quoted, dated-after-source or possibleDuplicates.</param>
/// <param name="Message">What is wrong and what to do.</param>
public sealed record DatasetWarning(string Path, string Code, string Message)
{
    /// <summary>For possibleDuplicates: the events the record may duplicate, and why. Null for the other checks.</summary>
    public IReadOnlyList<DuplicateMatch>? Candidates { get; init; }

    public override string ToString() => $"{Path}: {Message}";
}

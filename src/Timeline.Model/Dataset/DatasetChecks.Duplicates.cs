using System.Globalization;
using System.Text;
using Timeline.Model.Dates;

namespace Timeline.Model.Dataset;

/// <summary>An event that may tell the same story as another: its id, dates, words and the entities the two share.</summary>
/// <param name="Id">The event's id.</param>
/// <param name="Date">Its date (YYYY, YYYY-MM or YYYY-MM-DD).</param>
/// <param name="EndDate">Its end date, or null.</param>
/// <param name="Title">Its title.</param>
/// <param name="Summary">Its summary.</param>
/// <param name="SharedEntities">The entities both events involve, in id order.</param>
public sealed record DuplicateCandidate(string Id, string Date, string? EndDate, string Title, string Summary, IReadOnlyList<string> SharedEntities);

/// <summary>One event a written event may duplicate, and why: the dates that overlap, the entities shared, how alike the words are.</summary>
/// <param name="Id">The other event's id.</param>
/// <param name="Dates">Its date or span, which overlaps the written event's.</param>
/// <param name="SharedEntities">The entities both involve.</param>
/// <param name="Similarity">How alike their words are, 0 to 1 (<see cref="DatasetChecks.WordSimilarity"/>).</param>
public sealed record DuplicateMatch(string Id, string Dates, IReadOnlyList<string> SharedEntities, double Similarity);

/// <summary>
/// The possibleDuplicates check: an event whose dates overlap another's (a partial date is the range it covers: 2020-12
/// is the whole month; an event with an end date covers the span), that shares an entity with it and whose words are
/// alike (<see cref="WordSimilarity"/> at least <see cref="DuplicateSimilarity"/>) may be the same event told twice.
/// Calibrated on the curated dataset: the README's walkthrough events (a near-copy of the Kirin 9000S comparison, and
/// the day-precision SMIC listing beside the month-precision one) score 0.74 and 0.57; no two curated events score above
/// 0.38 (a test holds both).
/// </summary>
public static partial class DatasetChecks
{
    /// <summary>The similarity of words from which two overlapping events sharing an entity are flagged.</summary>
    public const double DuplicateSimilarity = 0.45;

    /// <summary>The warning code of the check.</summary>
    public const string PossibleDuplicatesCode = "possibleDuplicates";

    /// <summary>How many neighbours a write's check reads at most (those sharing the most entities first).</summary>
    public const int DuplicateCandidateLimit = 500;

    private static readonly HashSet<string> StopWords = new(
        ["a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "but", "with", "by", "from", "at", "as", "is", "are", "was",
         "were", "be", "been", "it", "its", "this", "that", "these", "those", "than", "then", "into", "over", "under", "about",
         "after", "before", "us", "s"],
        StringComparer.Ordinal);

    /// <summary>
    /// How alike two events' words are, 0 to 1: the larger of the Jaccard index of their titles' word sets and the cosine
    /// of their titles and summaries as bags of words. Words are folded (case, diacritics, Unicode compatibility forms),
    /// common English function words dropped and plural, -ed and -ing endings cut (a crude stem: "added" is "add").
    /// </summary>
    public static double WordSimilarity(string titleA, string summaryA, string titleB, string summaryB)
    {
        var titles = Jaccard(FoldedWords(titleA), FoldedWords(titleB));
        var texts = Cosine(FoldedWords(titleA + " " + summaryA), FoldedWords(titleB + " " + summaryB));
        return Math.Max(titles, texts);
    }

    /// <summary>
    /// The possibleDuplicates warning for an event among its neighbours (overlapping, sharing an entity: what
    /// <c>IEventNeighbours</c> reads), naming each whose words are alike enough, most alike first; or null.
    /// </summary>
    public static DatasetWarning? PossibleDuplicates(string id, string title, string summary, IEnumerable<DuplicateCandidate> neighbours)
    {
        var matches = neighbours
            .Where(n => n.Id != id && n.SharedEntities.Count > 0)
            .Select(n => new DuplicateMatch(n.Id, n.EndDate is null ? n.Date : $"{n.Date} to {n.EndDate}", n.SharedEntities, Math.Round(WordSimilarity(title, summary, n.Title, n.Summary), 2)))
            .Where(m => m.Similarity >= DuplicateSimilarity)
            .OrderByDescending(m => m.Similarity).ThenBy(m => m.Id, StringComparer.Ordinal)
            .ToList();
        if (matches.Count == 0)
        {
            return null;
        }

        var reasons = matches.Select(m => string.Create(CultureInfo.InvariantCulture,
            $"'{m.Id}' ({m.Dates}: the dates overlap; shares {string.Join(", ", m.SharedEntities)}; words {m.Similarity:0.00} alike)"));
        return new DatasetWarning(
            $"events '{id}'",
            PossibleDuplicatesCode,
            $"possibleDuplicates: may tell the same story as {string.Join("; ", reasons)}. If it does, merge them (POST /events/{{id}}/merge) or link them (related, supersedes); otherwise nothing needs doing")
        {
            Candidates = matches,
        };
    }

    /// <summary>
    /// Every possibleDuplicates warning within a dataset (the <c>validate</c> command): each event against the events that
    /// overlap it and share an entity with it, each pair reported once, under the later of the two in the dataset's order.
    /// </summary>
    public static IReadOnlyList<DatasetWarning> Duplicates(ValidatedDataset dataset)
    {
        var events = dataset.Events;
        var byEntity = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            foreach (var entity in events[i].Entities.Select(l => l.EntityId).Distinct(StringComparer.Ordinal))
            {
                (byEntity.TryGetValue(entity, out var list) ? list : byEntity[entity] = []).Add(i);
            }
        }

        var warnings = new List<DatasetWarning>();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var neighbours = new Dictionary<int, SortedSet<string>>();
            foreach (var entity in e.Entities.Select(l => l.EntityId).Distinct(StringComparer.Ordinal))
            {
                foreach (var j in byEntity[entity])
                {
                    if (j < i && events[j].FirstDay <= e.LastDay && e.FirstDay <= events[j].LastDay && neighbours.Count < DuplicateCandidateLimit)
                    {
                        (neighbours.TryGetValue(j, out var shared) ? shared : neighbours[j] = new SortedSet<string>(StringComparer.Ordinal)).Add(entity);
                    }
                }
            }

            var candidates = neighbours.Select(n => new DuplicateCandidate(
                events[n.Key].Id, events[n.Key].Date.ToString(), events[n.Key].EndDate?.ToString(), events[n.Key].Title, events[n.Key].Summary, [.. n.Value]));
            if (PossibleDuplicates(e.Id, e.Title, e.Summary, candidates) is { } warning)
            {
                warnings.Add(warning);
            }
        }

        return warnings;
    }

    /// <summary>The words of a text as the check compares them: folded, function words dropped, endings cut.</summary>
    public static List<string> FoldedWords(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                folded.Append(char.ToLowerInvariant(c));
            }
        }

        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= folded.Length; i++)
        {
            if (i < folded.Length && char.IsLetterOrDigit(folded[i]))
            {
                start = start < 0 ? i : start;
                continue;
            }

            if (start >= 0)
            {
                var word = Stem(folded.ToString(start, i - start));
                if (!StopWords.Contains(word))
                {
                    words.Add(word);
                }

                start = -1;
            }
        }

        return words;
    }

    private static string Stem(string word)
    {
        if (StopWords.Contains(word))
        {
            return word;
        }

        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal))
        {
            word = word[..^3] + "y";
        }
        else if (word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal))
        {
            word = word[..^1];
        }

        if (word.Length > 5 && word.EndsWith("ing", StringComparison.Ordinal))
        {
            word = word[..^3];
        }
        else if (word.Length > 4 && word.EndsWith("ed", StringComparison.Ordinal))
        {
            word = word[..^2];
        }

        return word;
    }

    private static double Jaccard(List<string> a, List<string> b)
    {
        var left = a.ToHashSet(StringComparer.Ordinal);
        var right = b.ToHashSet(StringComparer.Ordinal);
        var union = left.Count + right.Count - left.Count(right.Contains);
        return union == 0 ? 0 : (double)left.Count(right.Contains) / union;
    }

    private static double Cosine(List<string> a, List<string> b)
    {
        var left = a.CountBy(w => w, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        var right = b.CountBy(w => w, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        double dot = left.Sum(kv => right.TryGetValue(kv.Key, out var n) ? (double)kv.Value * n : 0);
        var norm = Math.Sqrt(left.Values.Sum(v => (double)v * v) * right.Values.Sum(v => (double)v * v));
        return norm == 0 ? 0 : dot / norm;
    }
}

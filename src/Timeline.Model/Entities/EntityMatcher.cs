using System.Globalization;
using System.Numerics;
using Timeline.Model.Vocabulary;

namespace Timeline.Model.Entities;

/// <summary>The names of one live entity, as the matcher reads them.</summary>
/// <param name="Id">The entity's id.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Country">Its country code, or null.</param>
/// <param name="Aliases">Its other names, in order.</param>
public sealed record EntityNames(string Id, string Name, string Kind, string? Country, IReadOnlyList<string> Aliases);

/// <summary>Why a name matched: a feature of <see cref="EntityMatcher.Features"/> and a sentence saying what it found.</summary>
/// <param name="Feature">The feature (exact, spacing, word-order, initials, words, similar-words, prefix, characters, contains).</param>
/// <param name="Explanation">What the feature found, in words.</param>
public sealed record MatchReason(string Feature, string Explanation);

/// <summary>One entity scored against a name.</summary>
/// <param name="Entity">The entity.</param>
/// <param name="Score">From 0 to 1: 1 is the same name; 0.8 and above is a match.</param>
/// <param name="MatchedName">The name, alias or id of the entity that scored best.</param>
/// <param name="MatchedField">`name`, `alias` or `id`.</param>
/// <param name="Reasons">Why it matched, strongest first.</param>
public sealed record EntityMatch(EntityNames Entity, double Score, string MatchedName, string MatchedField, IReadOnlyList<MatchReason> Reasons);

/// <summary>
/// Scores entities against a name the way screening services do (OpenSanctions' match API, the Consolidated Screening
/// List's fuzzy name search): every name, alias and id of each entity is compared with the query once both are folded
/// (<see cref="NameText"/>: case, accents, pinyin tones, punctuation), and the best comparison is the entity's score,
/// from 0 to 1, with the name that gave it and why. Words may come in any order, be run together or spelt apart
/// (Zhijun Xu, XuZhijun, Xu Zhi Jun), be initials (SMIC), be misspelt (Huawey) or typed in part (Huaw); Chinese
/// characters are compared in runs (中芯 in 中芯国际). Legal forms (Corporation, Ltd) count little.
/// Built once per data version from every live entity; matching is pure and safe to share between threads.
/// </summary>
public sealed class EntityMatcher
{
    /// <summary>A score from which the name is taken for a match (the answer's `match`).</summary>
    public const double MatchThreshold = 0.8;

    /// <summary>The lowest score GET /entities/match answers with.</summary>
    public const double Cutoff = 0.5;

    /// <summary>The lowest score at which an entity is offered for an unknown id ("did you mean").</summary>
    public const double SuggestionThreshold = 0.7;

    /// <summary>The features a match is explained by.</summary>
    public static IReadOnlyList<Term> Features { get; } =
    [
        new("exact", "The same words in the same order, once case, accents, pinyin tones and punctuation are set aside and legal forms abbreviated (Corporation is Corp., Limited Ltd): score 1."),
        new("spacing", "The same letters spaced, run together or hyphenated differently: XuZhijun, Kirin-9000S (0.97)."),
        new("word-order", "The same words in another order: Zhijun Xu for Xu Zhijun (0.95)."),
        new("initials", "One is the initials of the other: SMIC for Semiconductor Manufacturing International Corporation (0.9)."),
        new("words", "Words in common: the score weighs how much of the query and of the name they cover (legal forms such as Corporation or Ltd count a tenth)."),
        new("similar-words", "Words spelt nearly alike (Huawey for Huawei), counted by their Jaro-Winkler similarity."),
        new("prefix", "A word of the query begins a word of the name (Huaw for Huawei), as while typing."),
        new("characters", "Chinese, Japanese or Korean characters in common, in order: 中芯 in 中芯国际."),
        new("contains", "The query's text occurs inside the name, even within a word (amer in America); the weakest evidence (0.3-0.5)."),
    ];

    private readonly Candidate[] _candidates;

    public EntityMatcher(IEnumerable<EntityNames> entities)
    {
        _candidates = entities.Select(e => new Candidate(
            e,
            [
                new Form(NameText.Of(e.Name), "name", e.Name, e.Name.ToUpperInvariant()),
                .. e.Aliases.Select(a => new Form(NameText.Of(a), "alias", a, a.ToUpperInvariant())),
                new Form(NameText.Of(e.Id), "id", e.Id, e.Id.ToUpperInvariant()),
            ])).ToArray();
    }

    /// <summary>How many entities the matcher holds.</summary>
    public int Count => _candidates.Length;

    /// <summary>The number of entities of each kind.</summary>
    public IReadOnlyDictionary<string, int> CountByKind() =>
        _candidates.GroupBy(c => c.Entity.Kind, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>
    /// The entities (of <paramref name="kind"/> when given) scoring at least <paramref name="minimum"/> against
    /// <paramref name="query"/>, best first (then by name and id), at most <paramref name="limit"/>; with
    /// <paramref name="alwaysContains"/>, an entity whose name, alias or id contains the query's text (ignoring case) is
    /// kept whatever its score.
    /// </summary>
    public IReadOnlyList<EntityMatch> Match(string query, string? kind, double minimum, int limit, bool alwaysContains = false)
    {
        var text = NameText.Of(query);
        var raw = query.Trim().ToUpperInvariant();
        var scored = new List<(Candidate Candidate, double Score, Form Form, Comparison Comparison)>();
        foreach (var candidate in _candidates)
        {
            if (kind is not null && !string.Equals(candidate.Entity.Kind, kind, StringComparison.Ordinal))
            {
                continue;
            }

            Form? bestForm = null;
            var best = Comparison.None;
            var contains = false;
            foreach (var form in candidate.Forms)
            {
                var comparison = Compare(text, form.Text);
                contains |= raw.Length > 0 && form.Upper.Contains(raw, StringComparison.Ordinal);
                if (comparison.Score > best.Score)
                {
                    best = comparison;
                    bestForm = form;
                }
            }

            if (bestForm is not null && best.Score >= minimum)
            {
                scored.Add((candidate, best.Score, bestForm, best));
            }
            else if (alwaysContains && contains)
            {
                // What GET /entities?q= always found: the text within a name, alias or id, ignoring case.
                var form = candidate.Forms.First(f => f.Upper.Contains(raw, StringComparison.Ordinal));
                var score = Math.Max(0.3, best.Score);
                scored.Add((candidate, score, form, new Comparison(score, "contains", $"'{query.Trim()}' occurs in '{form.Written}'")));
            }
        }

        return scored
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Form.Field == "name" ? 0 : s.Form.Field == "alias" ? 1 : 2)
            .ThenBy(s => s.Candidate.Entity.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(s => s.Candidate.Entity.Id, StringComparer.Ordinal)
            .Take(limit)
            .Select(s => new EntityMatch(
                s.Candidate.Entity,
                Math.Round(s.Score, 3),
                s.Form.Written,
                s.Form.Field,
                s.Comparison.Reasons()))
            .ToList();
    }

    /// <summary>The ids nearest an unknown one (smc: smic; eric-xu: xu-zhijun by its alias Eric Xu), best first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<EntityMatch> Suggest(string unknownId, int limit = 3) =>
        string.IsNullOrWhiteSpace(unknownId) ? [] : Match(unknownId, null, SuggestionThreshold, limit);

    /// <summary>
    /// " (did you mean 'smic', Semiconductor Manufacturing International Corporation?)", with up to three ids joined by
    /// "or", best first; empty when nothing is near.
    /// </summary>
    public string DidYouMean(string unknownId)
    {
        var suggestions = Suggest(unknownId);
        return suggestions.Count == 0
            ? string.Empty
            : $" (did you mean {string.Join(", or ", suggestions.Select(s => $"'{s.Entity.Id}', {s.Entity.Name}"))}?)";
    }

    /// <summary>The score of one name against another, with why: the comparison the matcher makes for each name and alias.</summary>
    public static (double Score, IReadOnlyList<MatchReason> Reasons) Score(string query, string name)
    {
        var comparison = Compare(NameText.Of(query), NameText.Of(name));
        return (Math.Round(comparison.Score, 3), comparison.Reasons());
    }

    private static Comparison Compare(NameText query, NameText name)
    {
        if (query.Words.Count == 0 || name.Words.Count == 0)
        {
            return Comparison.None;
        }

        if (query.Words.SequenceEqual(name.Words, StringComparer.Ordinal))
        {
            return new(1.0, "exact", $"'{name.Original}' is the same name");
        }

        if (string.Equals(query.Compact, name.Compact, StringComparison.Ordinal))
        {
            return new(0.97, "spacing", $"'{name.Original}' has the same letters, spaced differently");
        }

        if (query.Words.Count == name.Words.Count && string.Equals(query.SortedWords, name.SortedWords, StringComparison.Ordinal))
        {
            return new(0.95, "word-order", $"'{name.Original}' has the same words in another order");
        }

        if (query.Compact.Length >= 2 && query.Words.Count <= 2
            && (string.Equals(query.Compact, name.Initials, StringComparison.Ordinal)))
        {
            return new(0.9, "initials", $"'{query.Original.Trim()}' is the initials of '{name.Original}'");
        }

        if (name.Compact.Length >= 2 && name.Words.Count <= 2 && string.Equals(name.Compact, query.Initials, StringComparison.Ordinal))
        {
            return new(0.9, "initials", $"'{name.Original}' is the initials of the query");
        }

        var words = Words(query, name);
        var best = words;
        if (words.Score < 0.5 && query.Compact.Length >= 2 && name.Compact.Contains(query.Compact, StringComparison.Ordinal))
        {
            best = new(0.3 + (0.2 * query.Compact.Length / name.Compact.Length), "contains", $"'{query.Original.Trim()}' occurs in '{name.Original}'");
        }

        return best;
    }

    /// <summary>
    /// Word by word: each word of the query is paired with the word of the name it is most like (the same word; words
    /// run together on one side, as Zhi Jun and Zhijun; a prefix; a near spelling; CJK characters within a run), and the
    /// score weighs how much of the query the pairs cover (60%) and how much of the name (40%), times 0.9 (below an exact,
    /// spacing or order match).
    /// </summary>
    private static Comparison Words(NameText query, NameText name)
    {
        var q = query.Words.Count;
        var n = name.Words.Count;
        var queryCover = new double[q];
        var nameCover = new double[n];
        var features = new HashSet<string>(StringComparer.Ordinal);
        var queryFeature = new string?[q];

        // Words run together on one side: "zhi jun" and "zhijun", "kirin 9000s" and "kirin9000s".
        MergedRuns(query, name, queryCover, nameCover, features);
        MergedRuns(name, query, nameCover, queryCover, features);

        for (var i = 0; i < q; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var (forQuery, forName, how) = Pair(query, i, name, j);
                if (forQuery <= 0 && forName <= 0)
                {
                    continue;
                }

                if (forQuery > queryCover[i])
                {
                    queryCover[i] = forQuery;
                    queryFeature[i] = how;
                    features.Add(how);
                }

                if (forName > nameCover[j])
                {
                    nameCover[j] = forName;
                    features.Add(how);
                }
            }
        }

        var queryShare = Weighted(query, queryCover);
        var nameShare = Weighted(name, nameCover);
        if (queryShare <= 0)
        {
            return Comparison.None;
        }

        var score = 0.9 * ((0.6 * queryShare) + (0.4 * nameShare));
        var matched = query.Words.Where((_, i) => queryCover[i] > 0).ToList();
        // The feature that covered most of the query's words names the match; the others support it.
        var feature = queryFeature.Where(f => f is not null).GroupBy(f => f!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault() ?? "words";
        var explanation = string.Create(
            CultureInfo.InvariantCulture,
            $"{string.Join(" ", matched)} found in '{name.Original}': {queryShare:P0} of the query, {nameShare:P0} of the name");
        var reasons = new List<MatchReason> { new(feature, explanation) };
        reasons.AddRange(features.Where(f => f != feature).Order(StringComparer.Ordinal).Select(f => new MatchReason(f, Describe(f))));
        return new Comparison(score, reasons);
    }

    private static string Describe(string feature) => feature switch
    {
        "similar-words" => "some words are spelt nearly alike",
        "prefix" => "a word of the query begins a word of the name",
        "characters" => "CJK characters in common",
        "spacing" => "some words are run together on one side",
        _ => "words in common",
    };

    private static double Weighted(NameText text, double[] cover)
    {
        var total = 0.0;
        for (var i = 0; i < cover.Length; i++)
        {
            total += text.Weights[i] * cover[i];
        }

        return text.TotalWeight <= 0 ? 0 : total / text.TotalWeight;
    }

    /// <summary>Two or three adjacent words of <paramref name="a"/> that spell one word of <paramref name="b"/>: all covered.</summary>
    private static void MergedRuns(NameText a, NameText b, double[] aCover, double[] bCover, HashSet<string> features)
    {
        foreach (var (start, end, run) in a.Runs)
        {
            for (var j = 0; j < b.Words.Count; j++)
            {
                if (string.Equals(run, b.Words[j], StringComparison.Ordinal))
                {
                    for (var k = start; k <= end; k++)
                    {
                        aCover[k] = 1;
                    }

                    bCover[j] = 1;
                    features.Add("spacing");
                }
            }
        }
    }

    /// <summary>How much of query word <paramref name="i"/> and of name word <paramref name="j"/> a pairing covers, and how.</summary>
    private static (double ForQuery, double ForName, string Feature) Pair(NameText query, int i, NameText name, int j)
    {
        var a = query.Words[i];
        var b = name.Words[j];
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return (1, 1, query.IsCjk[i] ? "characters" : "words");
        }

        if (query.IsCjk[i] || name.IsCjk[j])
        {
            if (!(query.IsCjk[i] && name.IsCjk[j]))
            {
                return (0, 0, string.Empty);
            }

            // A run of characters within another (中芯 in 中芯国际), or shared pairs of characters.
            if (b.Contains(a, StringComparison.Ordinal))
            {
                return (1, (double)a.Length / b.Length, "characters");
            }

            if (a.Contains(b, StringComparison.Ordinal))
            {
                return ((double)b.Length / a.Length, 1, "characters");
            }

            var dice = BigramDice(a, b);
            return dice >= 0.5 ? (dice, dice, "characters") : (0, 0, string.Empty);
        }

        if (a.Length >= 2 && b.Length > a.Length && b.StartsWith(a, StringComparison.Ordinal))
        {
            return (0.8, (double)a.Length / b.Length, "prefix");
        }

        if (a.Length >= 3 && b.Length >= 3 && Math.Abs(a.Length - b.Length) <= 3
            && BitOperations.PopCount(query.Letters[i] & name.Letters[j]) * 3 >= Math.Min(a.Length, b.Length) * 2)
        {
            var similarity = JaroWinkler(a, b);
            if (similarity >= 0.88)
            {
                return (0.9 * similarity, 0.9 * similarity, "similar-words");
            }
        }

        return (0, 0, string.Empty);
    }

    private static double BigramDice(string a, string b)
    {
        if (a.Length < 2 || b.Length < 2)
        {
            return 0;
        }

        var pairs = new List<string>(a.Length);
        for (var i = 0; i < a.Length - 1; i++)
        {
            pairs.Add(a.Substring(i, 2));
        }

        var shared = 0;
        for (var i = 0; i < b.Length - 1; i++)
        {
            var index = pairs.IndexOf(b.Substring(i, 2));
            if (index >= 0)
            {
                shared++;
                pairs.RemoveAt(index);
            }
        }

        return 2.0 * shared / (a.Length - 1 + b.Length - 1);
    }

    /// <summary>The term of a closed vocabulary nearest an unknown value, for a "did you mean" (supplyer: supplier), or null.</summary>
    public static Term? NearestTerm(IReadOnlyList<Term> terms, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var folded = NameText.Fold(value.Trim());
        return terms
            .Select(t => (Term: t, Similarity: JaroWinkler(folded, t.Id)))
            .Where(t => t.Similarity >= 0.85)
            .OrderByDescending(t => t.Similarity)
            .Select(t => t.Term)
            .FirstOrDefault();
    }

    /// <summary>The Jaro-Winkler similarity of two words (prefix scale 0.1, up to 4 characters).</summary>
    public static double JaroWinkler(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return 0;
        }

        var window = Math.Max(0, (Math.Max(a.Length, b.Length) / 2) - 1);
        Span<bool> aMatched = stackalloc bool[a.Length];
        Span<bool> bMatched = stackalloc bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = Math.Max(0, i - window); j < Math.Min(b.Length, i + window + 1); j++)
            {
                if (!bMatched[j] && a[i] == b[j])
                {
                    aMatched[i] = bMatched[j] = true;
                    matches++;
                    break;
                }
            }
        }

        if (matches == 0)
        {
            return 0;
        }

        var transpositions = 0;
        for (int i = 0, k = 0; i < a.Length; i++)
        {
            if (!aMatched[i])
            {
                continue;
            }

            while (!bMatched[k])
            {
                k++;
            }

            if (a[i] != b[k])
            {
                transpositions++;
            }

            k++;
        }

        var m = (double)matches;
        var jaro = ((m / a.Length) + (m / b.Length) + ((m - (transpositions / 2.0)) / m)) / 3;
        var prefix = 0;
        while (prefix < Math.Min(4, Math.Min(a.Length, b.Length)) && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return jaro + (prefix * 0.1 * (1 - jaro));
    }

    private sealed record Form(NameText Text, string Field, string Written, string Upper);

    private sealed record Candidate(EntityNames Entity, Form[] Forms);

    private readonly record struct Comparison(double Score, IReadOnlyList<MatchReason>? ReasonList)
    {
        public Comparison(double score, string feature, string explanation)
            : this(score, [new MatchReason(feature, explanation)])
        {
        }

        public static Comparison None => new(0, null);

        public IReadOnlyList<MatchReason> Reasons() => ReasonList ?? [];
    }
}

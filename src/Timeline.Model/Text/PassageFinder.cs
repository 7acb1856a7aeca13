using System.Globalization;
using System.Text;

namespace Timeline.Model.Text;

/// <summary>A passage of a source that matches a phrase: its exact characters, where they stand and how well they match.</summary>
/// <param name="Text">The passage exactly as the source has it (cite this as the quote).</param>
/// <param name="StartOffset">Where it starts in the source's text, in Unicode code points from 0 (the unit of citation offsets).</param>
/// <param name="EndOffset">Where it ends, exclusive: text[startOffset..endOffset] is the passage.</param>
/// <param name="Score">How closely it matches, from 0 to 1: 1 when every word of the phrase is there in order, less for each
/// word missing, extra or different (and a little for each word an elision skips).</param>
/// <param name="Match">verbatim (the phrase exactly), equivalent (the same words once quote and dash styles, spacing, case,
/// diacritics and Unicode normalisation are set aside), elided (the same words, with text skipped where the phrase has
/// "..." or "…") or approximate (some words missing, extra or different).</param>
public sealed record Passage(string Text, long StartOffset, long EndOffset, double Score, string Match);

/// <summary>
/// Finds the passages of a text closest to a phrase as a person remembers or pasted it. Both are read as words (letters and
/// digits, compared after Unicode compatibility decomposition, without diacritics, in lower case) and punctuation (each mark
/// a word of its own, every quotation mark style one mark, every dash one dash); spacing of any kind and width only
/// separates words; a CJK character is a word of its own. "..." or "…" in the phrase (also ". . .", "[...]") lets any run of
/// the text stand there, each word skipped costing a hundredth of a missing word. The phrase is aligned with the text word
/// by word (an edit distance that may start and end anywhere), and each passage is returned with its exact characters and
/// offsets. Pure: no store, no I/O.
/// </summary>
public static class PassageFinder
{
    /// <summary>The longest phrase, in UTF-16 units: as long as a citation's quote may be.</summary>
    public const int MaxPhraseLength = 2000;

    /// <summary>The most passages one search returns.</summary>
    public const int MaxLimit = 20;

    /// <summary>Passages scoring below this are not returned.</summary>
    public const double MinScore = 0.5;

    /// <summary>The alignment cells one search may compute (words of the phrase times words of the text searched).</summary>
    public const long CellBudget = 20_000_000;

    private const int EditCost = 100;
    private const int SkipCost = 1;

    /// <summary>Whether a phrase has anything to look for: at least one letter or digit.</summary>
    public static bool HasWords(string phrase) => phrase.EnumerateRunes().Any(r => Rune.IsLetterOrDigit(r));

    /// <summary>The passages of <paramref name="text"/> closest to <paramref name="phrase"/>, best first, none overlapping another.</summary>
    public static IReadOnlyList<Passage> Find(string text, string phrase, int limit, double minScore = MinScore)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(phrase);
        if (limit <= 0 || text.Length == 0)
        {
            return [];
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var phraseTokens = Tokenize(phrase, ids, addNew: true);
        var (pattern, elisionBefore) = Elide(phraseTokens);
        if (pattern.Count == 0)
        {
            return [];
        }

        var textTokens = Tokenize(text, ids, addNew: false);
        if (textTokens.Count == 0)
        {
            return [];
        }

        var m = pattern.Count;
        var maxCost = (long)Math.Floor((1 - minScore) * EditCost * m);
        var candidates = new List<Candidate>();
        var patternIds = pattern.Select(t => t.Id).ToArray();
        var textIds = textTokens.Select(t => t.Id).ToArray();
        foreach (var (from, to) in Regions(pattern, elisionBefore, textTokens, maxCost))
        {
            Align(patternIds, elisionBefore, textIds, from, to, maxCost, candidates);
        }

        candidates.Sort((a, b) => a.Cost != b.Cost ? a.Cost.CompareTo(b.Cost) : a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End));
        var chosen = new List<Candidate>();
        foreach (var candidate in candidates)
        {
            if (chosen.Count >= limit)
            {
                break;
            }

            if (chosen.Any(c => c.Start < candidate.End && candidate.Start < c.End))
            {
                continue;
            }

            chosen.Add(candidate);
        }

        var trimmed = phrase.Trim();
        var passages = chosen.Select(c =>
        {
            var start = textTokens[c.Start].Start;
            var end = textTokens[c.End - 1].End;
            var passageText = text[start..end];
            var startOffset = CodePoints(text.AsSpan(0, start));
            var score = Math.Round(Math.Max(0, 1 - ((double)c.Cost / (EditCost * m))), 3);
            var match = string.Equals(passageText, trimmed, StringComparison.Ordinal) ? "verbatim"
                : c.Cost == 0 ? "equivalent"
                : c.Edits == 0 ? "elided"
                : "approximate";
            return (Passage: new Passage(passageText, startOffset, startOffset + CodePoints(passageText), match is "verbatim" or "equivalent" ? 1 : score, match), c.Cost);
        }).ToList();

        // At equal cost a verbatim passage comes before an equivalent one, then the text's order.
        return passages
            .OrderBy(p => p.Cost)
            .ThenBy(p => p.Passage.Match == "verbatim" ? 0 : 1)
            .ThenBy(p => p.Passage.StartOffset)
            .Select(p => p.Passage)
            .ToList();
    }

    /// <summary>Counts Unicode code points (a surrogate pair is one).</summary>
    public static long CodePoints(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return text.Length;
        }

        long count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!(char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>A word of a text: its id (the folded form's) and its span in UTF-16 units, end exclusive.</summary>
    private readonly record struct Token(int Id, int Start, int End, string? Folded);

    private readonly record struct Candidate(int Start, int End, long Cost, int Edits);

    /// <summary>
    /// The stretches of the text worth aligning: all of it when that fits the budget; else the windows where most of the
    /// phrase's words fall on one diagonal (text position minus phrase position, in buckets, as a seed-and-extend
    /// search does), the most voted first, until the budget is spent.
    /// </summary>
    private static List<(int From, int To)> Regions(List<Token> pattern, bool[] elisionBefore, List<Token> text, long maxCost)
    {
        var m = pattern.Count;
        if ((long)m * text.Count <= CellBudget)
        {
            return [(0, text.Count)];
        }

        // Where each word stands in the phrase (at most a few places a word, so a phrase of one repeated word stays cheap).
        var places = new Dictionary<int, List<int>>();
        for (var j = 0; j < m; j++)
        {
            if (!places.TryGetValue(pattern[j].Id, out var list))
            {
                places[pattern[j].Id] = list = [];
            }

            if (list.Count < 8)
            {
                list.Add(j);
            }
        }

        var bucket = Math.Max(8, m / 4);
        var votes = new Dictionary<int, int>();
        for (var t = 0; t < text.Count; t++)
        {
            if (places.TryGetValue(text[t].Id, out var list))
            {
                foreach (var j in list)
                {
                    var key = (int)Math.Floor((double)(t - j) / bucket);
                    votes[key] = votes.GetValueOrDefault(key) + 1;
                }
            }
        }

        var gaps = elisionBefore.Count(e => e);
        var reach = m + bucket + (gaps > 0 ? (int)Math.Min(maxCost / SkipCost, 5_000) : m / 2);
        var windows = votes
            .OrderByDescending(v => v.Value)
            .ThenBy(v => v.Key)
            .Take(16)
            .Select(v => (From: Math.Max(0, (v.Key * bucket) - bucket), To: (int)Math.Min(text.Count, ((long)v.Key * bucket) + reach)))
            .Where(w => w.To > w.From)
            .ToList();

        var regions = new List<(int From, int To)>();
        long spent = 0;
        foreach (var window in windows)
        {
            // Windows of neighbouring buckets overlap; one inside another adds nothing. (Overlapping ones are both
            // aligned whole, so no passage is cut at a window's edge; the same passage found twice is answered once.)
            var (from, to) = window;
            if (regions.Any(r => r.From <= from && to <= r.To))
            {
                continue;
            }

            var cells = (long)m * (to - from);
            if (spent + cells > CellBudget)
            {
                break;
            }

            spent += cells;
            regions.Add((from, to));
        }

        return regions;
    }

    /// <summary>
    /// Aligns the phrase with text words [from, to): an edit distance where the alignment may start and end anywhere,
    /// words skipped at an elision cost <see cref="SkipCost"/>. Each end whose cost is within <paramref name="maxCost"/>
    /// and is no worse than its neighbours' becomes a candidate.
    /// </summary>
    private static void Align(int[] pattern, bool[] elisionBefore, int[] text, int from, int to, long maxCost, List<Candidate> candidates)
    {
        var n = to - from;
        var cost = new long[n + 1];
        var start = new int[n + 1];
        var edits = new int[n + 1];
        var nextCost = new long[n + 1];
        var nextStart = new int[n + 1];
        var nextEdits = new int[n + 1];
        for (var t = 0; t <= n; t++)
        {
            start[t] = t;
        }

        for (var j = 1; j <= pattern.Length; j++)
        {
            var word = pattern[j - 1];
            var skip = j < pattern.Length && elisionBefore[j];
            nextCost[0] = cost[0] + EditCost;
            nextStart[0] = start[0];
            nextEdits[0] = edits[0] + 1;
            for (var t = 1; t <= n; t++)
            {
                var same = text[from + t - 1] == word;
                var best = cost[t - 1] + (same ? 0 : EditCost);
                var bestStart = start[t - 1];
                var bestEdits = edits[t - 1] + (same ? 0 : 1);
                if (cost[t] + EditCost < best)
                {
                    best = cost[t] + EditCost;
                    bestStart = start[t];
                    bestEdits = edits[t] + 1;
                }

                var across = nextCost[t - 1] + (skip ? SkipCost : EditCost);
                if (across < best)
                {
                    best = across;
                    bestStart = nextStart[t - 1];
                    bestEdits = nextEdits[t - 1] + (skip ? 0 : 1);
                }

                nextCost[t] = best;
                nextStart[t] = bestStart;
                nextEdits[t] = bestEdits;
            }

            (cost, nextCost) = (nextCost, cost);
            (start, nextStart) = (nextStart, start);
            (edits, nextEdits) = (nextEdits, edits);
        }

        for (var t = 1; t <= n; t++)
        {
            if (cost[t] > maxCost || start[t] >= t)
            {
                continue;
            }

            // Keep an end only where it is a local best, so one passage does not come back as many.
            if ((t > 1 && cost[t - 1] < cost[t] && start[t - 1] < t - 1) || (t < n && cost[t + 1] < cost[t]))
            {
                continue;
            }

            candidates.Add(new Candidate(from + start[t], from + t, cost[t], edits[t]));
        }
    }

    /// <summary>Removes the phrase's elisions ("...", "…", ". . .", "[...]", "(…)"), marking the word each stood before.</summary>
    private static (List<Token> Words, bool[] ElisionBefore) Elide(List<Token> tokens)
    {
        var words = new List<Token>();
        var marks = new List<bool>();
        var pending = false;
        for (var i = 0; i < tokens.Count;)
        {
            var length = ElisionAt(tokens, i);
            if (length > 0)
            {
                // An elision before the first word or after the last one skips nothing.
                pending = words.Count > 0;
                i += length;
                continue;
            }

            words.Add(tokens[i]);
            marks.Add(pending);
            pending = false;
            i++;
        }

        return (words, [.. marks]);
    }

    private static int ElisionAt(List<Token> tokens, int i)
    {
        var open = tokens[i].Folded is "[" or "(" ? 1 : 0;
        var dots = 0;
        var k = i + open;
        if (k < tokens.Count && tokens[k].Folded == "…")
        {
            dots = 1;
            k++;
        }
        else
        {
            while (k < tokens.Count && tokens[k].Folded == ".")
            {
                k++;
            }

            dots = k - (i + open) >= 3 ? 1 : 0;
        }

        if (dots == 0)
        {
            return 0;
        }

        if (open == 1)
        {
            var close = tokens[i].Folded == "[" ? "]" : ")";
            if (k < tokens.Count && tokens[k].Folded == close)
            {
                return k + 1 - i;
            }

            // "[" without its "]": the elision is the dots alone; the bracket stays a word.
            return 0;
        }

        return k - i;
    }

    /// <summary>
    /// Reads a text as words and punctuation marks, each with its id (by folded form; -1 for a form the phrase does not
    /// have) and its span. Only the phrase's tokens keep their folded text (<paramref name="addNew"/>); the text's are
    /// looked up by span, without a string each.
    /// </summary>
    private static List<Token> Tokenize(string s, Dictionary<string, int> ids, bool addNew)
    {
        var lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var tokens = new List<Token>(addNew ? 64 : s.Length / 5);
        var word = new char[64];
        var length = 0;
        var wordStart = -1;
        var wordEnd = -1;
        Span<char> single = stackalloc char[1];

        void Append(char c)
        {
            if (length == word.Length)
            {
                Array.Resize(ref word, word.Length * 2);
            }

            word[length++] = c;
        }

        void EndWord()
        {
            if (length > 0)
            {
                Add(word.AsSpan(0, length), wordStart, wordEnd);
            }

            length = 0;
            wordStart = -1;
        }

        void Add(ReadOnlySpan<char> folded, int start, int end)
        {
            if (!lookup.TryGetValue(folded, out var id))
            {
                id = -1;
                if (addNew)
                {
                    id = ids.Count;
                    ids[folded.ToString()] = id;
                }
            }

            tokens.Add(new Token(id, start, end, addNew ? folded.ToString() : null));
        }

        for (var i = 0; i < s.Length;)
        {
            var c = s[i];
            if (c < 0x80)
            {
                // ASCII, most of most texts: letters and digits join the word, in lower case; the rest separates or is a mark.
                if (char.IsAsciiLetterOrDigit(c))
                {
                    if (wordStart < 0)
                    {
                        wordStart = i;
                    }

                    Append(char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c);
                    wordEnd = i + 1;
                }
                else if (c <= ' ' || c == 0x7F)
                {
                    EndWord();
                }
                else
                {
                    EndWord();
                    single[0] = c == '`' ? '\'' : c;
                    Add(single, i, i + 1);
                }

                i++;
                continue;
            }

            if (Rune.DecodeFromUtf16(s.AsSpan(i), out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                // A lone surrogate: a mark of its own.
                EndWord();
                Add(s.AsSpan(i, 1), i, i + 1);
                i++;
                continue;
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (rune.Value == 0x200B || Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
            {
                EndWord();
            }
            else if (category == UnicodeCategory.Format)
            {
                // Soft hyphens, joiners: invisible, part of the word they stand in.
                if (wordStart >= 0)
                {
                    wordEnd = i + used;
                }
            }
            else if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                // A combining mark belongs to what it follows (and, as a diacritic, is not compared).
                if (wordStart >= 0)
                {
                    wordEnd = i + used;
                }
                else if (tokens.Count > 0 && tokens[^1].End == i)
                {
                    tokens[^1] = tokens[^1] with { End = i + used };
                }
            }
            else if (Rune.IsLetterOrDigit(rune) || category is UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber)
            {
                var folded = Fold(rune);
                if (IsCjk(rune.Value))
                {
                    EndWord();
                    Add(folded, i, i + used);
                }
                else
                {
                    if (wordStart < 0)
                    {
                        wordStart = i;
                    }

                    foreach (var f in folded)
                    {
                        Append(f);
                    }

                    wordEnd = i + used;
                }
            }
            else
            {
                EndWord();
                Add(FoldMark(rune), i, i + used);
            }

            i += used;
        }

        EndWord();
        return tokens;
    }

    /// <summary>
    /// A letter or digit as compared: without its diacritics (a precomposed letter is decomposed by
    /// <see cref="Decompositions"/> and its combining marks dropped), full-width forms as ASCII, in lower case.
    /// </summary>
    private static string Fold(Rune rune)
    {
        if (rune.Value < 0x80)
        {
            return ((char)(rune.Value | (rune.Value is >= 'A' and <= 'Z' ? 0x20 : 0))).ToString();
        }

        if (rune.Value is >= 0xFF01 and <= 0xFF5E)
        {
            return char.ToLowerInvariant((char)(rune.Value - 0xFEE0)).ToString();
        }

        if (!rune.IsBmp || Decompositions.Of((char)rune.Value) is not { } decomposed)
        {
            return rune.ToString().ToLowerInvariant();
        }

        var kept = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark))
            {
                kept.Append(c);
            }
        }

        return kept.ToString().ToLowerInvariant();
    }

    /// <summary>A punctuation mark or symbol as compared: every quotation mark style one mark, every dash one dash, full-width forms as ASCII.</summary>
    private static string FoldMark(Rune rune) => rune.Value switch
    {
        '"' or 0x201C or 0x201D or 0x201E or 0x201F or 0x00AB or 0x00BB or 0x2033 or 0x301D or 0x301E or 0xFF02 => "\"",
        '\'' or '`' or 0x00B4 or 0x2018 or 0x2019 or 0x201A or 0x201B or 0x2032 or 0x2039 or 0x203A or 0xFF07 => "'",
        '-' or 0x2010 or 0x2011 or 0x2012 or 0x2013 or 0x2014 or 0x2015 or 0x2212 or 0xFE58 or 0xFE63 or 0xFF0D => "-",
        0x2026 => "…",
        >= 0xFF01 and <= 0xFF5E => ((char)(rune.Value - 0xFEE0)).ToString(),
        _ => rune.ToString(),
    };

    private static bool IsCjk(int c) =>
        c is (>= 0x3040 and <= 0x30FF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x2FFFF);
}

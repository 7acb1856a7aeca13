using System.Text;
using Timeline.Model.Search;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// A snippet picked in C# from a record's searchable texts, as FTS5's snippet() picks one (for an engine whose index
/// cannot: PostgreSQL's ts_headline cuts words with its own parser, not as the index here does): the window of at most
/// <c>tokens</c> words, in the column that holds it, with the most different searched terms in it (then the most
/// matches; ties to the earlier column and the earlier window), each match in &lt;mark&gt; (a phrase's words, and the
/// text between them, in one), the rest escaped (<see cref="SnippetHtml"/>), and "…" where the column goes on before or
/// after the window.
/// </summary>
public static class SnippetPicker
{
    private const char Ellipsis = '…';

    private readonly record struct Hit(int Term, int First, int Last);

    /// <summary>The HTML snippet of <paramref name="columns"/> (null or empty ones have no words) for <paramref name="search"/>.</summary>
    public static string Html(IReadOnlyList<string?> columns, SearchExpression search, int tokens)
    {
        var terms = SearchText.Shown(search)
            .Select(t => (Lexemes: SearchText.Lexemes(t), t.Prefix))
            .Where(t => t.Lexemes.Count > 0)
            .ToList();

        (int Column, int Start, int Score, List<TextToken> Words, List<Hit> Hits)? best = null;
        for (var c = 0; c < columns.Count; c++)
        {
            var text = columns[c];
            if (string.IsNullOrEmpty(text) || CannotMatch(text, terms))
            {
                continue;
            }

            var words = SearchText.Tokens(text).ToList();
            var hits = Hits(words, terms);
            foreach (var hit in hits)
            {
                var width = hit.Last - hit.First + 1;
                var start = Math.Clamp(hit.First - Math.Max(0, (tokens - width) / 2), 0, Math.Max(0, words.Count - tokens));
                var score = Score(hits, start, start + tokens - 1);
                if (best is null || score > best.Value.Score)
                {
                    best = (c, start, score, words, hits);
                }
            }
        }

        if (best is { } found)
        {
            return Write(columns[found.Column]!, found.Words, found.Start, tokens, found.Hits);
        }

        // No column holds a match: the start of the first column that has words.
        foreach (var text in columns)
        {
            if (!string.IsNullOrEmpty(text) && SearchText.Tokens(text).ToList() is { Count: > 0 } words)
            {
                return Write(text, words, 0, tokens, []);
            }
        }

        return string.Empty;
    }

    /// <summary>
    /// Whether an ASCII text certainly holds no match, without cutting it into words: an ASCII word folds to its lower
    /// case, so a word that is (or begins with) a term's first word holds it, in any case. Texts with other characters
    /// (whose words may fold to ASCII: Éléphant is elephant) are always cut.
    /// </summary>
    private static bool CannotMatch(string text, List<(IReadOnlyList<string> Lexemes, bool Prefix)> terms)
    {
        if (!System.Text.Ascii.IsValid(text))
        {
            return false;
        }

        foreach (var (lexemes, _) in terms)
        {
            if (text.Contains(lexemes[0], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every place a term matches: its words in a row, the last one begun only when the term is a prefix.</summary>
    private static List<Hit> Hits(List<TextToken> words, List<(IReadOnlyList<string> Lexemes, bool Prefix)> terms)
    {
        var hits = new List<Hit>();
        for (var t = 0; t < terms.Count; t++)
        {
            var (lexemes, prefix) = terms[t];
            for (var i = 0; i + lexemes.Count <= words.Count; i++)
            {
                var matches = true;
                for (var k = 0; k < lexemes.Count && matches; k++)
                {
                    var word = words[i + k].Folded;
                    matches = prefix && k == lexemes.Count - 1
                        ? word.StartsWith(lexemes[k], StringComparison.Ordinal)
                        : word == lexemes[k];
                }

                if (matches)
                {
                    hits.Add(new Hit(t, i, i + lexemes.Count - 1));
                }
            }
        }

        return hits;
    }

    /// <summary>A window's score: 1000 for each different term matched wholly inside it, 1 for each further match.</summary>
    private static int Score(List<Hit> hits, int start, int end)
    {
        var seen = new HashSet<int>();
        var score = 0;
        foreach (var hit in hits)
        {
            if (hit.First >= start && hit.Last <= end)
            {
                score += seen.Add(hit.Term) ? 1000 : 1;
            }
        }

        return score;
    }

    private static string Write(string text, List<TextToken> words, int start, int tokens, List<Hit> hits)
    {
        var end = Math.Min(words.Count, start + tokens) - 1;

        // The marked stretches of the window: its matches, overlapping ones merged.
        var marked = hits.Where(h => h.First >= start && h.Last <= end).OrderBy(h => h.First).ThenByDescending(h => h.Last).ToList();
        var spans = new List<(int First, int Last)>();
        foreach (var hit in marked)
        {
            if (spans.Count > 0 && hit.First <= spans[^1].Last)
            {
                spans[^1] = (spans[^1].First, Math.Max(spans[^1].Last, hit.Last));
            }
            else
            {
                spans.Add((hit.First, hit.Last));
            }
        }

        var from = start == 0 ? 0 : words[start].Start;
        var to = end == words.Count - 1 ? text.Length : words[end].Start + words[end].Length;
        var html = new StringBuilder((to - from) + 32);
        if (start > 0)
        {
            html.Append(Ellipsis);
        }

        var at = from;
        foreach (var (firstWord, lastWord) in spans)
        {
            var markFrom = words[firstWord].Start;
            var markTo = words[lastWord].Start + words[lastWord].Length;
            SnippetHtml.Append(html, text.AsSpan(at, markFrom - at), marked: false);
            SnippetHtml.Append(html, text.AsSpan(markFrom, markTo - markFrom), marked: true);
            at = markTo;
        }

        SnippetHtml.Append(html, text.AsSpan(at, to - at), marked: false);
        if (end < words.Count - 1)
        {
            html.Append(Ellipsis);
        }

        return html.ToString();
    }
}

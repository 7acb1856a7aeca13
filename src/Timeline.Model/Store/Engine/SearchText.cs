using System.Text;
using Timeline.Model.Search;
using Timeline.Model.Text;

namespace Timeline.Model.Store.Engine;

/// <summary>One word of a text as the index holds it: where it stands in the text, and its folded form.</summary>
/// <param name="Start">Its first UTF-16 index in the text.</param>
/// <param name="Length">Its length in UTF-16 code units.</param>
/// <param name="Folded">The word folded (<see cref="SearchText.Fold"/>): what the index holds and a search compares.</param>
public readonly record struct TextToken(int Start, int Length, string Folded);

/// <summary>
/// Text cut into words and folded as the full-text index holds them, the same in both engines: a word is a run of
/// the characters SQLite's unicode61 tokenizer counts as word characters (<see cref="Unicode61"/>; what
/// <see cref="SearchQuery"/> cuts a search into), every CJK character a word of its own (<see cref="CjkText"/>), each
/// folded as that tokenizer folds it (lower case; Latin letters without their diacritic). The SQLite engine leaves the
/// cutting and folding of stored text to FTS5 and uses <see cref="Fold"/> for the search budget; the PostgreSQL engine builds its tsvectors and tsqueries from <see cref="Tokens"/>.
/// </summary>
public static class SearchText
{
    /// <summary>A word as the index keeps it: folded code point by code point as unicode61 with remove_diacritics 2 folds it (<see cref="Unicode61"/>).</summary>
    public static string Fold(string word) => Unicode61.Fold(word);

    /// <summary>The words of <paramref name="text"/> in order, each CJK character one; a word that folds to nothing (marks alone) is left out.</summary>
    public static IEnumerable<TextToken> Tokens(string text)
    {
        var start = -1;
        var i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var width);
            // A CJK character FTS5 does not count as a word character (・, the kana voicing marks) cuts words there too.
            var cjk = CjkText.IsCjk(rune.Value) && Unicode61.IsTokenChar(rune.Value);
            if (cjk || !SearchQuery.IsWordRune(rune))
            {
                if (start >= 0)
                {
                    if (Token(text, start, i - start) is { } token)
                    {
                        yield return token;
                    }

                    start = -1;
                }

                if (cjk)
                {
                    yield return new TextToken(i, width, char.ConvertFromUtf32(Unicode61.Fold(rune.Value)));
                }
            }
            else if (start < 0)
            {
                start = i;
            }

            i += width;
        }

        if (start >= 0 && Token(text, start, text.Length - start) is { } last)
        {
            yield return last;
        }
    }

    /// <summary>The words of a searched term as the index holds them (its words cut by <see cref="Tokens"/>, 华为 into 华 and 为), in order.</summary>
    public static IReadOnlyList<string> Lexemes(SearchTerm term) =>
        term.Words.SelectMany(w => Tokens(w).Select(t => t.Folded)).ToList();

    /// <summary>The terms a match may show (those after NOT never occur in what matched).</summary>
    public static IEnumerable<SearchTerm> Shown(SearchExpression expression) => expression switch
    {
        SearchTerm term => [term],
        SearchExcept except => Shown(except.Kept),
        SearchAll all => all.Operands.SelectMany(Shown),
        SearchAny any => any.Operands.SelectMany(Shown),
        _ => [],
    };

    private static TextToken? Token(string text, int start, int length)
    {
        var folded = Fold(text.Substring(start, length));
        return folded.Length == 0 ? null : new TextToken(start, length, folded);
    }
}

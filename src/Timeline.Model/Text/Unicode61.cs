using System.Text;

namespace Timeline.Model.Text;

/// <summary>
/// How SQLite's FTS5 tokenizer <c>unicode61 remove_diacritics 2</c> (the SQLite engine's full-text index) treats each
/// code point: whether it belongs to a word, and what it folds to (lower case, Latin letters without their diacritic,
/// some diacritics dropped). Its rules are its own: it drops the accent of é and ü but not of й, ά or ǡ, folds µ to μ,
/// ſ to s, İ to i and ς to σ, keeps ², ½ and private-use characters inside words, and cuts words at combining marks it
/// does not count as diacritics. The PostgreSQL engine builds its tsvectors and tsqueries, and both engines cut a search
/// into words, by this table, so that a search finds the same events on both. The table
/// (<c>Unicode61.Table.cs</c>) is generated from the SQLite shipped with the API by <c>Unicode61FoldTests</c>, which
/// fails, writing the new table, when that SQLite answers otherwise for any code point.
/// </summary>
public static partial class Unicode61
{
    /// <summary>Whether the code point is part of a word (the tokenizer cuts text at every other).</summary>
    public static bool IsTokenChar(int codePoint)
    {
        if (codePoint < 0x80)
        {
            return codePoint is >= '0' and <= '9' or >= 'A' and <= 'Z' or >= 'a' and <= 'z';
        }

        // TokenRuns holds the first and last code point of each run, ascending: inside a run when the last first
        // at or below the code point is followed by a last at or above it.
        var runs = TokenRuns;
        int low = 0, high = (runs.Length / 2) - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (runs[2 * middle] > codePoint)
            {
                high = middle - 1;
            }
            else if (runs[(2 * middle) + 1] < codePoint)
            {
                low = middle + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What a code point of a word folds to, or 0 where the tokenizer drops it (a diacritic).</summary>
    public static int Fold(int codePoint)
    {
        if (codePoint < 0x80)
        {
            return codePoint is >= 'A' and <= 'Z' ? codePoint + 32 : codePoint;
        }

        var at = FoldedFrom.BinarySearch(codePoint);
        return at >= 0 ? FoldedTo[at] : codePoint;
    }

    /// <summary>A word (code points for which <see cref="IsTokenChar"/> holds) folded: each code point folded, those folding to 0 left out.</summary>
    public static string Fold(string word)
    {
        var plain = true;
        foreach (var c in word)
        {
            if (c >= 0x80 || c is >= 'A' and <= 'Z')
            {
                plain = false;
                break;
            }
        }

        if (plain)
        {
            return word;
        }

        var folded = new StringBuilder(word.Length);
        foreach (var rune in word.EnumerateRunes())
        {
            var to = Fold(rune.Value);
            if (to != 0)
            {
                folded.Append(char.ConvertFromUtf32(to));
            }
        }

        return folded.ToString();
    }
}

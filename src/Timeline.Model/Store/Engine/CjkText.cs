using System.Text;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// Chinese, Japanese and Korean text for the full-text index, the same in both engines. A tokenizer that cuts text at
/// spaces and punctuation (FTS5's unicode61, <see cref="SearchText"/>) finds neither in CJK text between its words: "华为技术有限公司" would be one token, so 华为 could never
/// be found in it. Every CJK character is therefore indexed as a token of its own: <see cref="Spread"/> puts a
/// separator (<see cref="Separator"/>, U+200B ZERO WIDTH SPACE, a format character, which unicode61 never counts as part
/// of a token, and which shows as nothing) on both sides of each one before the text enters the index, and <see cref="Pieces"/> cuts a searched word the same way, so
/// that 华为 is searched as the phrase "华 为" (two characters in a row) and is found inside 华为技术. Snippets drop the
/// separators again (<see cref="SnippetHtml"/>). The SQLite engine spreads text this way in SQL (its timeline_fts_text
/// function); the PostgreSQL engine cuts each CJK character as a token of its own in C# (<see cref="SearchText.Tokens"/>). Text without CJK characters is left exactly as it is.
/// </summary>
public static class CjkText
{
    /// <summary>
    /// The separator put around each CJK character in the index: U+200B ZERO WIDTH SPACE (category Cf, a separator for
    /// unicode61; a noncharacter such as U+FDD0 is not: unicode61 keeps unassigned code points in its tokens).
    /// </summary>
    public const char Separator = '\u200B';

    /// <summary>The separator as a string.</summary>
    public const string SeparatorText = "\u200B";

    /// <summary>Whether a code point is a CJK character indexed on its own: Han ideographs, kana, Hangul syllables, Bopomofo.</summary>
    public static bool IsCjk(int c) =>
        c is (>= 0x3400 and <= 0x4DBF) // CJK Unified Ideographs Extension A
            or (>= 0x4E00 and <= 0x9FFF) // CJK Unified Ideographs
            or (>= 0xF900 and <= 0xFAFF) // CJK Compatibility Ideographs
            or (>= 0x20000 and <= 0x3FFFF) // Extensions B and later, compatibility supplement
            or (>= 0x3040 and <= 0x30FF) // Hiragana, Katakana
            or (>= 0x31F0 and <= 0x31FF) // Katakana phonetic extensions
            or (>= 0xFF66 and <= 0xFF9D) // halfwidth Katakana
            or (>= 0xAC00 and <= 0xD7AF) // Hangul syllables
            or (>= 0x3100 and <= 0x312F) or (>= 0x31A0 and <= 0x31BF) // Bopomofo
            or 0x3005 or 0x3006 or 0x3007; // 々 〆 〇

    /// <summary>The text with a separator on both sides of every CJK character; the same string when it has none.</summary>
    public static string? Spread(string? text)
    {
        // CJK characters are all at U+2E80 or above (surrogates included); most text has nothing there (vectorised check).
        if (text is null || text.AsSpan().IndexOfAnyInRange('\u2E80', '\uFFFF') < 0)
        {
            return text;
        }

        StringBuilder? spread = null;
        var copied = 0;
        var i = 0;
        while (i < text.Length)
        {
            var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            var code = width == 2 ? char.ConvertToUtf32(text[i], text[i + 1]) : text[i];
            if (IsCjk(code))
            {
                spread ??= new StringBuilder(text.Length * 2);
                spread.Append(text, copied, i - copied).Append(Separator).Append(text, i, width).Append(Separator);
                copied = i + width;
            }

            i += width;
        }

        return spread is null ? text : spread.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// A searched word as the index holds it: the word itself, or, when it has CJK characters, its pieces (each CJK
    /// character alone, and the runs of other letters and digits between them), to be searched in a row.
    /// </summary>
    public static IReadOnlyList<string> Pieces(string word)
    {
        var spread = Spread(word)!;
        return ReferenceEquals(spread, word) || spread == word
            ? [word]
            : spread.Split(Separator, StringSplitOptions.RemoveEmptyEntries);
    }
}

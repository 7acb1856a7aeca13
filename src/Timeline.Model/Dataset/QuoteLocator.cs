using System.Globalization;
using System.Text;
using Timeline.Model.Text;

namespace Timeline.Model.Dataset;

/// <summary>
/// Where a citation's quote stands in its source, and, when it cannot be placed, why: a quote not found says how far it
/// matched, the first character that differs in both texts (with code points) and the nearest passage; a quote found more
/// than once lists where, so the citation can say which (<see cref="CitationDocument.Occurrence"/>).
/// </summary>
public static class QuoteLocator
{
    /// <summary>The occurrences a refusal lists (the rest are counted).</summary>
    public const int ListedOccurrences = 10;

    /// <summary>The occurrences counted at most.</summary>
    public const int CountedOccurrences = 1000;

    private const int Context = 30;

    /// <summary>Every place (UTF-16 index) the quote starts in the text, overlapping ones included, up to <paramref name="cap"/>.</summary>
    public static List<int> Occurrences(string text, string quote, int cap = CountedOccurrences)
    {
        var found = new List<int>();
        for (var at = text.IndexOf(quote, StringComparison.Ordinal); at >= 0 && found.Count < cap; at = at + 1 < text.Length ? text.IndexOf(quote, at + 1, StringComparison.Ordinal) : -1)
        {
            found.Add(at);
        }

        return found;
    }

    /// <summary>Why a quote does not occur in its source: how far it matched, the first difference and the nearest passage.</summary>
    public static string NotFound(string text, string quote, string sourceId)
    {
        var message = new StringBuilder().Append(CultureInfo.InvariantCulture, $"\"{Shorten(quote, 80)}\" does not occur verbatim in source '{sourceId}' (quotes must match the text exactly, including case, punctuation and curly quotes).");

        var length = LongestPrefix(text, quote);
        if (length == 0)
        {
            message.Append(CultureInfo.InvariantCulture, $" Not even its first character, {Describe(quote, 0)}, occurs in the source.");
        }
        else
        {
            var at = text.IndexOf(quote[..length], StringComparison.Ordinal);
            var startOffset = PassageFinder.CodePoints(text.AsSpan(0, at));
            var prefixCodePoints = PassageFinder.CodePoints(quote.AsSpan(0, length));
            message.Append(CultureInfo.InvariantCulture, $" Its first {prefixCodePoints} character{(prefixCodePoints == 1 ? "" : "s")} do, at offset {startOffset} (\"{Tail(quote[..length], 40)}\"); then the quote has {Describe(quote, length)}");
            message.Append(at + length < text.Length
                ? string.Create(CultureInfo.InvariantCulture, $" where the source has {Describe(text, at + length)}, at offset {startOffset + prefixCodePoints}.")
                : " where the source ends.");
        }

        // The server runs without ICU (invariant globalization), so composed and decomposed letters are compared through
        // the model's own table of canonical decompositions.
        var decomposedQuote = Decompositions.Decompose(quote);
        if (decomposedQuote.Length > 0 && Decompositions.Decompose(text).Contains(decomposedQuote, StringComparison.Ordinal))
        {
            var quoteIsComposed = !string.Equals(decomposedQuote, quote, StringComparison.Ordinal);
            message.Append(CultureInfo.InvariantCulture, $" The quote differs from the source only in its Unicode normalisation: the source writes {(quoteIsComposed ? "letters and their accents apart (NFD, as e + U+0301)" : "accented letters composed (NFC, as U+00E9 é)")} where the quote writes them {(quoteIsComposed ? "composed" : "apart")}; copy the source's characters.");
        }

        if (PassageFinder.Find(text, quote, 1) is [var nearest])
        {
            message.Append(CultureInfo.InvariantCulture, $" Nearest passage (offsets {nearest.StartOffset}-{nearest.EndOffset}, score {nearest.Score.ToString("0.###", CultureInfo.InvariantCulture)}, {nearest.Match}): \"{Shorten(nearest.Text, 300)}\".");
            if (nearest.Match == "equivalent")
            {
                message.Append(" It has the same words with other quotation marks, dashes, spacing, case or normalisation: cite its exact text.");
            }
        }
        else
        {
            message.Append(" No passage of the source comes close; GET /sources/{id}/passages?phrase= finds one.");
        }

        return message.ToString();
    }

    /// <summary>Why a quote found more than once needs an occurrence: where each stands, with some context.</summary>
    public static string Ambiguous(string text, string quote, string sourceId, IReadOnlyList<int> starts)
    {
        var count = starts.Count >= CountedOccurrences ? $"at least {CountedOccurrences}" : starts.Count.ToString(CultureInfo.InvariantCulture);
        var message = new StringBuilder().Append(CultureInfo.InvariantCulture, $"\"{Shorten(quote, 80)}\" occurs {count} times in source '{sourceId}'; say which one the citation means with \"occurrence\" (1 is the first): ");
        for (var i = 0; i < Math.Min(starts.Count, ListedOccurrences); i++)
        {
            var at = starts[i];
            var start = PassageFinder.CodePoints(text.AsSpan(0, at));
            var end = start + PassageFinder.CodePoints(quote);
            var before = text[SafeStart(text, Math.Max(0, at - Context))..at];
            var afterEnd = Math.Min(text.Length, at + quote.Length + Context);
            var after = text[(at + quote.Length)..(afterEnd < text.Length ? SafeCut(text, afterEnd) : afterEnd)];
            message.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : "; ")}{i + 1}: offsets {start}-{end}, between \"{(at > Context ? "…" : "")}{OneLine(before)}\" and \"{OneLine(after)}{(at + quote.Length + Context < text.Length ? "…" : "")}\"");
        }

        if (starts.Count > ListedOccurrences)
        {
            message.Append(CultureInfo.InvariantCulture, $"; and {starts.Count - ListedOccurrences}{(starts.Count >= CountedOccurrences ? " or more" : "")} more");
        }

        return message.Append('.').ToString();
    }

    /// <summary>The length (UTF-16 units, never splitting a surrogate pair) of the longest start of the quote that occurs in the text.</summary>
    public static int LongestPrefix(string text, string quote)
    {
        int low = 0, high = quote.Length;
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (text.Contains(quote.AsSpan(0, middle), StringComparison.Ordinal))
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        if (low > 0 && low < quote.Length && char.IsHighSurrogate(quote[low - 1]))
        {
            low--;
        }

        return low;
    }

    /// <summary>The character at a position: its code point, name where it is one that is often confused, and itself where visible.</summary>
    public static string Describe(string s, int index)
    {
        var value = Rune.DecodeFromUtf16(s.AsSpan(index), out var rune, out _) == System.Buffers.OperationStatus.Done ? rune.Value : s[index];
        var code = string.Create(CultureInfo.InvariantCulture, $"U+{value:X4}");
        var name = Names.TryGetValue(value, out var known) ? " " + known : "";
        var visible = value > 0x20 && !Rune.IsWhiteSpace(new Rune(value >= 0xD800 && value <= 0xDFFF ? 0xFFFD : value))
            && CharUnicodeInfo.GetUnicodeCategory(value) is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.Surrogate)
            ? $" '{char.ConvertFromUtf32(value)}'"
            : "";
        return code + name + visible;
    }

    private static readonly Dictionary<int, string> Names = new()
    {
        [0x09] = "CHARACTER TABULATION",
        [0x0A] = "LINE FEED",
        [0x0D] = "CARRIAGE RETURN",
        [0x20] = "SPACE",
        [0x22] = "QUOTATION MARK",
        [0x27] = "APOSTROPHE",
        [0x2D] = "HYPHEN-MINUS",
        [0xA0] = "NO-BREAK SPACE",
        [0xAD] = "SOFT HYPHEN",
        [0x2009] = "THIN SPACE",
        [0x200B] = "ZERO WIDTH SPACE",
        [0x2010] = "HYPHEN",
        [0x2011] = "NON-BREAKING HYPHEN",
        [0x2012] = "FIGURE DASH",
        [0x2013] = "EN DASH",
        [0x2014] = "EM DASH",
        [0x2018] = "LEFT SINGLE QUOTATION MARK",
        [0x2019] = "RIGHT SINGLE QUOTATION MARK",
        [0x201C] = "LEFT DOUBLE QUOTATION MARK",
        [0x201D] = "RIGHT DOUBLE QUOTATION MARK",
        [0x2022] = "BULLET",
        [0x2026] = "HORIZONTAL ELLIPSIS",
        [0x202F] = "NARROW NO-BREAK SPACE",
        [0x2212] = "MINUS SIGN",
        [0x0301] = "COMBINING ACUTE ACCENT",
        [0x3000] = "IDEOGRAPHIC SPACE",
        [0xFEFF] = "ZERO WIDTH NO-BREAK SPACE",
    };

    private static string OneLine(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Shorten(string text, int length) =>
        text.Length <= length ? OneLine(text) : OneLine(string.Concat(text.AsSpan(0, SafeCut(text, length)), "…"));

    private static string Tail(string text, int length) =>
        text.Length <= length ? OneLine(text) : "…" + OneLine(text[SafeStart(text, text.Length - length)..]);

    private static int SafeCut(string text, int length) => length > 0 && char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;

    private static int SafeStart(string text, int start) => start > 0 && char.IsLowSurrogate(text[start]) ? start + 1 : start;
}

using System.Net;
using System.Text;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Snippets come out of FTS5's snippet() with markers around the matched words; they are turned into HTML here,
/// escaping the text itself, so that a snippet is always safe to insert into a page.
/// <para>
/// The markers are the bytes 0xFE and 0xFF, which never occur in UTF-8 text: whatever a source or an event says
/// (control characters included, all of them kept verbatim in the store), only FTS5's own markers become
/// &lt;mark&gt;. The snippet is therefore read as bytes (<see cref="Column"/> casts it to a BLOB) and split on the
/// markers before it is decoded; every &lt;mark&gt; is closed, and never nested.
/// </para>
/// </summary>
public static class Snippets
{
    private const byte Open = 0xFE;
    private const byte Close = 0xFF;

    /// <summary>The SQL of a snippet column of <paramref name="table"/> (an FTS5 table) with at most <paramref name="tokens"/> tokens, read as bytes.</summary>
    public static string Column(string table, int tokens) =>
        $"CAST(snippet({table}, -1, X'FE', X'FF', '…', {tokens}) AS BLOB)";

    /// <summary>The HTML of a snippet as FTS5 wrote it: the text escaped, the matched words in &lt;mark&gt;…&lt;/mark&gt;.</summary>
    public static string ToHtml(ReadOnlySpan<byte> raw)
    {
        var html = new StringBuilder(raw.Length + 32);
        var open = false;
        while (true)
        {
            var next = raw.IndexOfAny(Open, Close);
            var text = next < 0 ? raw : raw[..next];
            if (!text.IsEmpty)
            {
                html.Append(WebUtility.HtmlEncode(Encoding.UTF8.GetString(text)));
            }

            if (next < 0)
            {
                break;
            }

            // FTS5 never nests its markers; should two of a kind ever meet, the second is dropped, so the tags stay balanced.
            if (raw[next] == Open && !open)
            {
                html.Append("<mark>");
                open = true;
            }
            else if (raw[next] == Close && open)
            {
                html.Append("</mark>");
                open = false;
            }

            raw = raw[(next + 1)..];
        }

        if (open)
        {
            html.Append("</mark>");
        }

        return WithoutCjkSeparators(html.ToString());
    }

    /// <summary>
    /// The HTML without the separators the index puts on both sides of every CJK character (<see cref="CjkText.Separator"/>):
    /// each one next to a CJK character (the marks aside) goes, and the marks of two characters of one word, which then
    /// meet, become one.
    /// </summary>
    private static string WithoutCjkSeparators(string html)
    {
        if (!html.Contains(CjkText.Separator, StringComparison.Ordinal))
        {
            return html;
        }

        var kept = new StringBuilder(html.Length);
        for (var i = 0; i < html.Length; i++)
        {
            if (html[i] != CjkText.Separator || !(IsCjk(html, Previous(html, i)) || IsCjk(html, Next(html, i))))
            {
                kept.Append(html[i]);
            }
        }

        return kept.Replace("</mark><mark>", string.Empty).ToString();
    }

    private const string OpenMark = "<mark>";
    private const string CloseMark = "</mark>";

    /// <summary>The index of the character before <paramref name="at"/>, the marks skipped; -1 at the start.</summary>
    private static int Previous(string html, int at)
    {
        var i = at;
        while (true)
        {
            if (i >= OpenMark.Length && string.CompareOrdinal(html, i - OpenMark.Length, OpenMark, 0, OpenMark.Length) == 0)
            {
                i -= OpenMark.Length;
            }
            else if (i >= CloseMark.Length && string.CompareOrdinal(html, i - CloseMark.Length, CloseMark, 0, CloseMark.Length) == 0)
            {
                i -= CloseMark.Length;
            }
            else
            {
                return i - 1;
            }
        }
    }

    /// <summary>The index of the character after <paramref name="at"/>, the marks skipped; the length at the end.</summary>
    private static int Next(string html, int at)
    {
        var i = at + 1;
        while (true)
        {
            if (string.CompareOrdinal(html, i, OpenMark, 0, OpenMark.Length) == 0)
            {
                i += OpenMark.Length;
            }
            else if (string.CompareOrdinal(html, i, CloseMark, 0, CloseMark.Length) == 0)
            {
                i += CloseMark.Length;
            }
            else
            {
                return i;
            }
        }
    }

    /// <summary>Whether the character at <paramref name="i"/> (a surrogate pair read whole) is a CJK character.</summary>
    private static bool IsCjk(string html, int i)
    {
        if (i < 0 || i >= html.Length)
        {
            return false;
        }

        if (char.IsLowSurrogate(html[i]) && i > 0 && char.IsHighSurrogate(html[i - 1]))
        {
            return CjkText.IsCjk(char.ConvertToUtf32(html[i - 1], html[i]));
        }

        return char.IsHighSurrogate(html[i]) && i + 1 < html.Length && char.IsLowSurrogate(html[i + 1])
            ? CjkText.IsCjk(char.ConvertToUtf32(html[i], html[i + 1]))
            : CjkText.IsCjk(html[i]);
    }
}

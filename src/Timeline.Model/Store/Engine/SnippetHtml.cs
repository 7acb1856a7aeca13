using System.Net;
using System.Text;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// Snippets as HTML, the same in both engines: the text escaped, the matched words in &lt;mark&gt;…&lt;/mark&gt;, so that
/// a snippet is always safe to insert into a page. Every &lt;mark&gt; is closed, and never nested.
/// <para>
/// The SQLite engine's snippets come out of FTS5's snippet() with the bytes <see cref="Open"/> and <see cref="Close"/>
/// around the matched words, bytes that never occur in UTF-8 text: whatever a source or an event says (control
/// characters included, all of them kept verbatim in the store), only FTS5's own markers become &lt;mark&gt;
/// (<see cref="FromMarkers"/>). The PostgreSQL engine picks its excerpt in C# (<see cref="SnippetPicker"/>) and writes
/// it with <see cref="Append"/>.
/// </para>
/// </summary>
public static class SnippetHtml
{
    /// <summary>The byte FTS5 is asked to put before a matched word.</summary>
    public const byte Open = 0xFE;

    /// <summary>The byte FTS5 is asked to put after a matched word.</summary>
    public const byte Close = 0xFF;

    /// <summary>Appends <paramref name="text"/> escaped, in &lt;mark&gt; when <paramref name="marked"/>.</summary>
    public static StringBuilder Append(StringBuilder html, ReadOnlySpan<char> text, bool marked)
    {
        if (marked)
        {
            html.Append("<mark>");
        }

        html.Append(WebUtility.HtmlEncode(text.ToString()));
        return marked ? html.Append("</mark>") : html;
    }

    /// <summary>The HTML of a snippet as FTS5 wrote it (<see cref="Open"/>, <see cref="Close"/>): the text escaped, the matched words in &lt;mark&gt;…&lt;/mark&gt;.</summary>
    public static string FromMarkers(ReadOnlySpan<byte> raw)
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

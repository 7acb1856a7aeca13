using System.Globalization;
using System.Text;

namespace Timeline.Api.Operations;

/// <summary>
/// Request values made safe to log whatever the formatter: control characters (a newline would start a forged log
/// line under the simple formatter; ESC would send terminal escape codes to the console), line and paragraph
/// separators and the invisible direction overrides are written as <c>\u000A</c>-style escapes, and a backslash as
/// <c>\\</c>, so the logged text reads back unambiguously. Everything else (any printable character, in any script)
/// is kept as it is.
/// </summary>
public static class LogText
{
    public static string Neutralise(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return value ?? string.Empty;
        }

        var clean = true;
        foreach (var c in value)
        {
            if (NeedsEscape(c))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            if (c == '\\')
            {
                builder.Append(@"\\");
            }
            else if (NeedsEscape(c))
            {
                builder.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(char c) =>
        c == '\\'
        || char.IsControl(c) // C0, DEL and C1: newlines, ESC, NUL, ...
        || c is '\u2028' or '\u2029' // line and paragraph separators
        || c is >= '\u200E' and <= '\u200F' // direction marks
        || c is >= '\u202A' and <= '\u202E' // direction embeddings and overrides
        || c is >= '\u2066' and <= '\u2069'; // direction isolates
}

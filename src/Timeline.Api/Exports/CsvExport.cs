using System.Globalization;
using System.Text;
using Timeline.Api.Events;

namespace Timeline.Api.Exports;

/// <summary>
/// RFC 4180 CSV: a header row, one row per event, CRLF line ends, every field quoted when it holds a comma,
/// a quote or a line break. Cells that a spreadsheet would read as a formula are prefixed with an apostrophe so
/// they stay text (OWASP, CSV injection): a cell starting with a tab or a carriage return, or whose first character
/// after any leading whitespace and invisible characters (spaces of every width, line breaks, no-break and
/// zero-width spaces, other format and control characters) is =, +, -, @ or one of their full-width or small
/// forms (＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫). Otherwise the cell is kept verbatim.
/// </summary>
public static class CsvExport
{
    public const string ContentType = "text/csv; charset=utf-8; header=present";

    public static readonly string[] Columns =
        ["id", "date", "date_precision", "end_date", "category", "title", "summary", "tags", "entities", "caveats", "citations", "references", "url"];

    public static async Task WriteAsync(IAsyncEnumerable<ExportEvent> events, string baseUrl, Stream body, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        await WriteRowAsync(writer, Columns);
        var rows = 0;
        await foreach (var item in events.WithCancellation(cancellationToken))
        {
            var e = item.Event;
            await WriteRowAsync(writer,
            [
                e.Id,
                e.Date,
                e.DatePrecision,
                e.EndDate ?? string.Empty,
                e.Category,
                e.Title,
                e.Summary,
                string.Join("; ", e.Tags),
                string.Join("; ", item.Entities.Select(l => l.Id).Distinct()),
                List(e.Caveats),
                List(item.Citations.Select(c => $"{c.SourceId}: “{c.Quote}”")),
                List(item.References.Select(r => r.ToString())),
                $"{baseUrl}/events/{e.Id}",
            ]);
            if (++rows % 500 == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// A list cell (caveats, citations, references): the items joined with " | ", a backslash or a vertical bar inside an
    /// item escaped with a backslash (\\ and \|), so that splitting on unescaped " | " gives the items back whatever they say.
    /// </summary>
    public static string List(IEnumerable<string> items) =>
        string.Join(" | ", items.Select(i => i.Contains('\\') || i.Contains('|') ? i.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal) : i));

    /// <summary>One field as it must be written: neutralised if formula-like, quoted if needed.</summary>
    public static string Field(string value)
    {
        if (LooksLikeFormula(value))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }

    /// <summary>Whether a spreadsheet could take the cell for a formula (see the class summary).</summary>
    public static bool LooksLikeFormula(string value)
    {
        foreach (var c in value)
        {
            if (c is '\t' or '\r')
            {
                return true;
            }

            if (char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.Control)
            {
                continue;
            }

            return c is '=' or '+' or '-' or '@' or '＝' or '＋' or '－' or '＠' or '﹦' or '﹢' or '﹣' or '﹫';
        }

        return false;
    }

    private static Task WriteRowAsync(StreamWriter writer, string[] fields)
    {
        // One write a row: the row is built in memory, then handed to the writer's buffer.
        var row = new StringBuilder(256);
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                row.Append(',');
            }

            row.Append(Field(fields[i]));
        }

        row.Append("\r\n");
        return writer.WriteAsync(row);
    }
}

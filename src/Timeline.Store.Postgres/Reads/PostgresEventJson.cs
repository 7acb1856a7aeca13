using System.Buffers;
using System.Data.Common;
using System.Text;

namespace Timeline.Store.Postgres;

/// <summary>
/// Events in lists as JSON on PostgreSQL: each row's <see cref="EventSummary"/> object is written as the row is read, from
/// the engine-neutral field list (<see cref="EventSummaryJson"/>), compact (no spaces, as the API writes JSON), straight
/// from the UTF-8 bytes of its columns; a list response is those objects put together.
/// <para>
/// The bytes are those PostgreSQL's to_json wrote when the object was built in SQL: a string's <c>"</c> and <c>\</c>, the
/// five short escapes (\b \f \n \r \t) and every other control character as <c>\u00xx</c>; everything else as it is
/// stored. Built in SQL, the object cost the backends about 5 µs a row, a third of a page's CPU there; here it is mostly
/// a copy (docs/performance.md, "List items written by the API").
/// </para>
/// </summary>
public static class PostgresEventJson
{
    private static readonly byte[][] PropertyPrefixes = EventSummaryJson.Fields
        .Select((f, i) => Encoding.UTF8.GetBytes($"{(i == 0 ? "{" : ",")}\"{f.Property}\":"))
        .ToArray();

    private static readonly Dictionary<long, byte[]> PrecisionNames = EventSummaryJson.Precisions
        .ToDictionary(p => (long)p.Stored, p => Encoding.UTF8.GetBytes($"\"{p.Name}\""));

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private static readonly byte[] Null = "null"u8.ToArray();

    private static readonly SearchValues<byte> NeedEscaping = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    /// <summary>Where each of <see cref="EventSummaryJson.Fields"/> is among the reader's columns (by the column's name).</summary>
    public static int[] Ordinals(DbDataReader reader) =>
        EventSummaryJson.Fields.Select(f => reader.GetOrdinal(f.Column)).ToArray();

    /// <summary>The current row's <see cref="EventSummary"/> as UTF-8 JSON, its columns at <paramref name="ordinals"/> (<see cref="Ordinals"/>).</summary>
    public static byte[] Write(DbDataReader reader, int[] ordinals)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var fields = EventSummaryJson.Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            buffer.Write(PropertyPrefixes[i]);
            var at = ordinals[i];
            switch (fields[i].Kind)
            {
                case SummaryFieldKind.Precision:
                    buffer.Write(PrecisionNames[reader.GetInt64(at)]);
                    break;
                case SummaryFieldKind.JsonList:
                    buffer.Write(reader.GetFieldValue<byte[]>(at)); // stored as a JSON array already
                    break;
                case SummaryFieldKind.NullableText when reader.IsDBNull(at):
                    buffer.Write(Null);
                    break;
                default:
                    WriteString(buffer, reader.GetFieldValue<byte[]>(at));
                    break;
            }
        }

        buffer.Write("}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>UTF-8 text as a JSON string, escaped exactly as PostgreSQL's to_json escapes it.</summary>
    public static void WriteString(IBufferWriter<byte> buffer, ReadOnlySpan<byte> text)
    {
        buffer.Write("\""u8);
        while (!text.IsEmpty)
        {
            var plain = text.IndexOfAny(NeedEscaping);
            if (plain < 0)
            {
                buffer.Write(text);
                break;
            }

            buffer.Write(text[..plain]);
            buffer.Write(text[plain] switch
            {
                (byte)'"' => "\\\""u8,
                (byte)'\\' => "\\\\"u8,
                (byte)'\b' => "\\b"u8,
                (byte)'\f' => "\\f"u8,
                (byte)'\n' => "\\n"u8,
                (byte)'\r' => "\\r"u8,
                (byte)'\t' => "\\t"u8,
                var control => Encoding.ASCII.GetBytes($"\\u{control:x4}"),
            });
            text = text[(plain + 1)..];
        }

        buffer.Write("\""u8);
    }
}

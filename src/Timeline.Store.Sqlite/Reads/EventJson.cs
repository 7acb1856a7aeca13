using System.Text.Json;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Events in lists as JSON written by the store: SQLite builds each row's <see cref="EventSummary"/> object as it reads
/// the row (<see cref="SummaryObject"/>), and the response is those objects put together. The property names come from
/// <see cref="EventSummary"/> itself, under the web's camel-case naming, so the two cannot drift apart unnoticed.
/// </summary>
public static class EventJson
{
    private static string Name(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);

    /// <summary>The SQL expression of an event's <see cref="EventSummary"/> as UTF-8 JSON (a BLOB), from the events row aliased <paramref name="e"/>.</summary>
    public static string SummaryObject(string e)
    {
        var precision = $"CASE {e}.date_precision "
            + string.Concat(Enum.GetValues<DatePrecision>().Select(p => $"WHEN {(int)p} THEN '{PartialDate.PrecisionName(p)}' "))
            + "END";
        (string Property, string Value)[] fields =
        [
            (nameof(EventSummary.Id), $"{e}.id"),
            (nameof(EventSummary.Date), $"{e}.date"),
            (nameof(EventSummary.DatePrecision), precision),
            (nameof(EventSummary.EndDate), $"{e}.end_date"),
            (nameof(EventSummary.Title), $"{e}.title"),
            (nameof(EventSummary.Summary), $"{e}.summary"),
            (nameof(EventSummary.Category), $"{e}.category"),
            (nameof(EventSummary.Tags), $"json({e}.tags)"),
            (nameof(EventSummary.Caveats), $"json({e}.caveats)"),
        ];
        return $"CAST(json_object({string.Join(", ", fields.Select(f => $"'{Name(f.Property)}', {f.Value}"))}) AS BLOB)";
    }

    private static readonly byte[] SnippetProperty = System.Text.Encoding.UTF8.GetBytes($",\"{Name(nameof(EventSummary.Snippet))}\":\"");

    /// <summary>The event's JSON object with its <see cref="EventSummary.Snippet"/> added as its last property.</summary>
    public static byte[] WithSnippet(byte[] item, string snippet)
    {
        var encoded = JsonEncodedText.Encode(snippet).EncodedUtf8Bytes;
        var result = new byte[item.Length - 1 + SnippetProperty.Length + encoded.Length + 2];
        var at = 0;
        item.AsSpan(0, item.Length - 1).CopyTo(result); // all but the closing brace
        at += item.Length - 1;
        SnippetProperty.CopyTo(result.AsSpan(at));
        at += SnippetProperty.Length;
        encoded.CopyTo(result.AsSpan(at));
        at += encoded.Length;
        result[at] = (byte)'"';
        result[at + 1] = (byte)'}';
        return result;
    }
}

using System.Text;
using System.Text.Json;
using Timeline.Model.Dates;
using Timeline.Model.Events;

namespace Timeline.Model.Store.Engine;

/// <summary>How an events row's column becomes a property of an <see cref="EventSummary"/>'s JSON object.</summary>
public enum SummaryFieldKind
{
    /// <summary>A text column, as a JSON string.</summary>
    Text,

    /// <summary>A text column that may be NULL, as a JSON string or null.</summary>
    NullableText,

    /// <summary>The date_precision column (0, 1, 2), as the precision's name (<see cref="EventSummaryJson.Precisions"/>).</summary>
    Precision,

    /// <summary>A column holding a JSON array of strings (tags, caveats), as that array.</summary>
    JsonList,
}

/// <summary>One property of an <see cref="EventSummary"/>'s JSON object and the events column it is written from.</summary>
public readonly record struct SummaryField(string Property, string Column, SummaryFieldKind Kind);

/// <summary>
/// Events in lists as JSON written by the store engine: each engine builds every row's <see cref="EventSummary"/> object
/// as it reads the row (SQLite in SQL, PostgreSQL from the row's UTF-8 bytes), from <see cref="Fields"/>, and a list
/// response is those objects put together. The property
/// names come from <see cref="EventSummary"/> itself, under the web's camel-case naming, so the engines and the record
/// cannot drift apart unnoticed.
/// </summary>
public static class EventSummaryJson
{
    private static string Name(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);

    /// <summary>The properties of an <see cref="EventSummary"/> in the order the record serialises them, each with its column of the events table.</summary>
    public static IReadOnlyList<SummaryField> Fields { get; } =
    [
        new(Name(nameof(EventSummary.Id)), "id", SummaryFieldKind.Text),
        new(Name(nameof(EventSummary.Date)), "date", SummaryFieldKind.Text),
        new(Name(nameof(EventSummary.DatePrecision)), "date_precision", SummaryFieldKind.Precision),
        new(Name(nameof(EventSummary.EndDate)), "end_date", SummaryFieldKind.NullableText),
        new(Name(nameof(EventSummary.Title)), "title", SummaryFieldKind.Text),
        new(Name(nameof(EventSummary.Summary)), "summary", SummaryFieldKind.Text),
        new(Name(nameof(EventSummary.Category)), "category", SummaryFieldKind.Text),
        new(Name(nameof(EventSummary.Tags)), "tags", SummaryFieldKind.JsonList),
        new(Name(nameof(EventSummary.Caveats)), "caveats", SummaryFieldKind.JsonList),
    ];

    /// <summary>Each stored date_precision with the name the API shows for it.</summary>
    public static IReadOnlyList<(int Stored, string Name)> Precisions { get; } =
        Enum.GetValues<DatePrecision>().Select(p => ((int)p, PartialDate.PrecisionName(p))).ToList();

    private static readonly byte[] SnippetProperty = Encoding.UTF8.GetBytes($",\"{Name(nameof(EventSummary.Snippet))}\":\"");

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

using System.Data.Common;
using System.Text.Json;
using Timeline.Model.Dataset;
using Timeline.Model.Dates;
using Timeline.Model.Events;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// Events as every engine stores them, read into the records the API shows: lists of strings and references kept as
/// JSON text in the dataset format, and one event in full read from the row of <see cref="DetailColumns"/> that each
/// engine's statement returns in this order.
/// </summary>
public static class StoredEvents
{
    /// <summary>
    /// The columns, in order, of an engine's statement reading one event in full (<see cref="ReadDetail"/>): id, date,
    /// date_precision, end_date, title, summary, category, caveats, tags, version, created_at, updated_at, deleted_at,
    /// deleted_by; then entities as a JSON array of [id, name, kind, role] and citations as one of [source id, source
    /// title, quote, start, end], both in curated order; refs; the former ids (a JSON array, by ordinal then id); the
    /// related ids (by ordinal); the superseded id or NULL; the live events relating to it and superseding it (JSON
    /// arrays of ids, sorted).
    /// </summary>
    public const string DetailColumns = "id, date, date_precision, end_date, title, summary, category, caveats, tags, version, created_at, updated_at, deleted_at, deleted_by, entities, citations, refs, former_ids, related, supersedes, related_from, superseded_by";

    /// <summary>A JSON array of strings (tags, caveats) as a list.</summary>
    public static List<string> ReadList(string json) => json == "[]" ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];

    /// <summary>The references as the events table keeps them (a JSON array in the dataset format), as the API shows them.</summary>
    public static IReadOnlyList<EventReference> ReadReferences(string json) =>
        json == "[]"
            ? []
            : (Documents.Deserialize<List<ReferenceDocument>>(json) ?? [])
                .Select(r => new EventReference(r.Title!, r.Publisher!, r.Date!, r.Url, r.Citation, r.DocumentNumber, r.Supports!))
                .ToList();

    /// <summary>An event of a list row's columns, as the record the API shows.</summary>
    public static EventSummary Summary(string id, string date, long datePrecision, string? endDate, string title, string summary, string category, string tags, string caveats, string? snippet) =>
        new(id, date, PartialDate.PrecisionName((DatePrecision)datePrecision), endDate, title, summary, category, ReadList(tags), ReadList(caveats))
        {
            Snippet = snippet,
        };

    /// <summary>The event a statement of <see cref="DetailColumns"/> read, or its tombstone, or neither.</summary>
    public static RecordLookup<EventDetail> ReadDetail(DbDataReader reader)
    {
        if (!reader.Read())
        {
            return default;
        }

        var version = reader.GetInt64(9);
        if (!reader.IsDBNull(12))
        {
            return new(null, new Tombstone(reader.GetString(12), reader.IsDBNull(13) ? string.Empty : reader.GetString(13), version));
        }

        return new(new EventDetail(
            reader.GetString(0),
            reader.GetString(1),
            PartialDate.PrecisionName((DatePrecision)reader.GetInt64(2)),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetString(4),
            reader.GetString(5),
            reader.GetString(6),
            ReadList(reader.GetString(8)),
            ReadList(reader.GetString(7)),
            ReadArrays(reader.GetString(14), a => new EventEntity(a[0].GetString()!, a[1].GetString()!, a[2].GetString()!, a[3].GetString()!)),
            ReadArrays(reader.GetString(15), a => new EventCitation(a[0].GetString()!, a[1].GetString()!, a[2].GetString()!, a[3].GetInt64(), a[4].GetInt64())),
            version,
            reader.GetString(10),
            reader.GetString(11))
        {
            References = ReadReferences(reader.GetString(16)),
            FormerIds = ReadList(reader.GetString(17)),
            Related = ReadList(reader.GetString(18)),
            Supersedes = reader.IsDBNull(19) ? null : reader.GetString(19),
            RelatedFrom = ReadList(reader.GetString(20)),
            SupersededBy = ReadList(reader.GetString(21)),
        }, null);
    }

    /// <summary>A JSON array of arrays, one item per inner array.</summary>
    private static List<T> ReadArrays<T>(string json, Func<JsonElement, T> item)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(item).ToList();
    }

    /// <summary>A citation as an engine reads it for a batch of exported events.</summary>
    public sealed record ExportCitation(string EventId, string SourceId, string SourceTitle, string Quote, long StartOffset, long EndOffset);

    /// <summary>An exported event's stored fields besides its summary.</summary>
    public sealed record ExportStamp(string Id, string CreatedAt, string UpdatedAt, string Refs, long Version);

    /// <summary>A batch of exported events with their entities (in curated order), citations (in curated order) and stored fields.</summary>
    public static List<ExportEvent> Exported(
        IReadOnlyList<EventSummary> events, ILookup<string, (string EventId, string EntityId, string Role)> links, ILookup<string, ExportCitation> citations, IReadOnlyDictionary<string, ExportStamp> stamps) =>
        events.Select(e => new ExportEvent(
            e,
            links[e.Id].Select(l => new ExportEntityLink(l.EntityId, l.Role)).ToList(),
            citations[e.Id].Select(c => new EventCitation(c.SourceId, c.SourceTitle, c.Quote, c.StartOffset, c.EndOffset)).ToList(),
            stamps[e.Id].CreatedAt,
            stamps[e.Id].UpdatedAt)
        {
            References = ReadReferences(stamps[e.Id].Refs),
            Version = stamps[e.Id].Version,
        }).ToList();
}

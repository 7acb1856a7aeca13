using System.Text.Json.Serialization;

namespace Timeline.Model.Events;

/// <summary>An event as it appears in lists.</summary>
/// <param name="Id">Stable, readable id.</param>
/// <param name="Date">ISO 8601 date at exactly the precision its source supports: "2020", "2020-12" or "2020-12-18", in a year from 1900 to 2199.</param>
/// <param name="DatePrecision">year, month or day.</param>
/// <param name="EndDate">The end of a span, in the same form (a year from 1900 to 2199), or null for a single date.</param>
/// <param name="Title">One-line title.</param>
/// <param name="Summary">A neutral summary of what the sources say.</param>
/// <param name="Category">One of the categories listed by GET /categories.</param>
/// <param name="Tags">Free tags.</param>
/// <param name="Caveats">Where the sources are unsure or contradict themselves, or how a date was derived.</param>
public sealed record EventSummary(
    string Id,
    string Date,
    string DatePrecision,
    string? EndDate,
    string Title,
    string Summary,
    string Category,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Caveats)
{
    /// <summary>
    /// With `q`: an excerpt showing why the event matched, the matched words wrapped in &lt;mark&gt;…&lt;/mark&gt;
    /// and everything else HTML-escaped (safe to insert as HTML). Absent without `q`.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Snippet { get; init; }
}

/// <summary>An event with the entities it involves and the verbatim quotes that support it.</summary>
/// <param name="Id">Stable, readable id.</param>
/// <param name="Date">ISO 8601 date at exactly the precision its source supports: "2020", "2020-12" or "2020-12-18", in a year from 1900 to 2199.</param>
/// <param name="DatePrecision">year, month or day.</param>
/// <param name="EndDate">The end of a span, in the same form (a year from 1900 to 2199), or null for a single date.</param>
/// <param name="Title">One-line title.</param>
/// <param name="Summary">A neutral summary of what the sources say.</param>
/// <param name="Category">One of the categories listed by GET /categories.</param>
/// <param name="Tags">Free tags.</param>
/// <param name="Caveats">Where the sources are unsure or contradict themselves, or how a date was derived.</param>
/// <param name="Entities">The entities involved and the role each plays.</param>
/// <param name="Citations">The quotes from sources that support the event, with their place in the source text.</param>
/// <param name="Version">Increases with every change to the event.</param>
/// <param name="CreatedAt">When the event entered the store (UTC).</param>
/// <param name="UpdatedAt">When the event last changed (UTC).</param>
public sealed record EventDetail(
    string Id,
    string Date,
    string DatePrecision,
    string? EndDate,
    string Title,
    string Summary,
    string Category,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Caveats,
    IReadOnlyList<EventEntity> Entities,
    IReadOnlyList<EventCitation> Citations,
    long Version,
    string CreatedAt,
    string UpdatedAt);

/// <summary>An entity as involved in one event.</summary>
/// <param name="Id">Entity id (GET /entities/{id}).</param>
/// <param name="Name">Display name.</param>
/// <param name="Kind">company, government, agency, person, product, chip, technology, organization or event-series.</param>
/// <param name="Role">target, issuer, manufacturer, designer, customer, subject, speaker, author or participant.</param>
public sealed record EventEntity(string Id, string Name, string Kind, string Role);

/// <summary>A verbatim quote from a source.</summary>
/// <param name="SourceId">Source id (GET /sources/{id}).</param>
/// <param name="SourceTitle">The source's title.</param>
/// <param name="Quote">The exact words of the source.</param>
/// <param name="StartOffset">Where the quote starts in the source's text, counted in Unicode code points from 0.</param>
/// <param name="EndOffset">Where it ends, exclusive: text[startOffset..endOffset] is the quote.</param>
public sealed record EventCitation(string SourceId, string SourceTitle, string Quote, long StartOffset, long EndOffset);

/// <summary>When and by whom a record was deleted (its tombstone), and its version since.</summary>
public sealed record Tombstone(string DeletedAt, string DeletedBy, long Version);

/// <summary>One page of events.</summary>
/// <param name="Items">The events of this page, in the order asked for.</param>
/// <param name="NextCursor">Pass as `cursor` to get the next page; null on the last page.</param>
public sealed record EventPage(IReadOnlyList<EventSummary> Items, string? NextCursor);

/// <summary>An event with everything an export writes about it.</summary>
public sealed record ExportEvent(
    EventSummary Event,
    IReadOnlyList<ExportEntityLink> Entities,
    IReadOnlyList<EventCitation> Citations,
    string CreatedAt,
    string UpdatedAt);

/// <summary>An entity id and its role in one event.</summary>
public sealed record ExportEntityLink(string Id, string Role);

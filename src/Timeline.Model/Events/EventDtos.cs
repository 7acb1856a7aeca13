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
    string UpdatedAt)
{
    /// <summary>
    /// Documents of the public record that are not stored in full (a Federal Register rule, a briefing transcript), each
    /// with what it supports. Unlike citations, they quote nothing. Empty when the event has none.
    /// </summary>
    public IReadOnlyList<EventReference> References { get; init; } = [];

    /// <summary>Ids the event was known by: a GET of one answers 301 Moved Permanently to this event. Empty when never renamed.</summary>
    public IReadOnlyList<string> FormerIds { get; init; } = [];

    /// <summary>Ids of events this event is related to (its `related`), in the order curated. Empty when none.</summary>
    public IReadOnlyList<string> Related { get; init; } = [];

    /// <summary>The id of the event this event replaces (its `supersedes`), or null.</summary>
    public string? Supersedes { get; init; }

    /// <summary>Ids of the live events that list this event (or one of its former ids) among their `related`, in id order. Empty when none.</summary>
    public IReadOnlyList<string> RelatedFrom { get; init; } = [];

    /// <summary>Ids of the live events that supersede this one (their `supersedes` names it or one of its former ids), in id order: a reader of an old account sees what replaced it. Empty when none.</summary>
    public IReadOnlyList<string> SupersededBy { get; init; } = [];
}

/// <summary>A reference to a document of the public record that is not stored in full.</summary>
/// <param name="Title">The document's title.</param>
/// <param name="Publisher">Its publisher or issuing agency, as "Bureau of Industry and Security".</param>
/// <param name="Date">Its date at the precision known: "2020", "2020-12" or "2020-12-22".</param>
/// <param name="Url">Where it is published (https), or null.</param>
/// <param name="Citation">Its official citation, as "85 FR 83416", or null.</param>
/// <param name="DocumentNumber">Its Federal Register document number, as "2020-28031", or null.</param>
/// <param name="Supports">What in the event it supports.</param>
public sealed record EventReference(string Title, string Publisher, string Date, string? Url, string? Citation, string? DocumentNumber, string Supports)
{
    /// <summary>The reference as one line of text (exports): title, publisher, date, citation, document number, URL, and what it supports.</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        text.Append(Title).Append(" (").Append(Publisher).Append(", ").Append(Date);
        if (Citation is not null)
        {
            text.Append(", ").Append(Citation);
        }

        if (DocumentNumber is not null)
        {
            text.Append(", FR Doc. ").Append(DocumentNumber);
        }

        text.Append(')');
        if (Url is not null)
        {
            text.Append(' ').Append(Url);
        }

        return text.Append(": supports ").Append(Supports).ToString();
    }
}

/// <summary>An entity as involved in one event.</summary>
/// <param name="Id">Entity id (GET /entities/{id}).</param>
/// <param name="Name">Display name.</param>
/// <param name="Kind">The entity's kind, one of the closed vocabulary GET /entity-kinds lists (company, government, agency, person, chip...).</param>
/// <param name="Role">The part the entity plays in the event, one of the closed vocabulary GET /roles lists (target, issuer, supplier, customer...).</param>
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
    string UpdatedAt)
{
    /// <summary>The event's references to the public record.</summary>
    public IReadOnlyList<EventReference> References { get; init; } = [];

    /// <summary>The event's version: 1 when created, one more with every change (a calendar's SEQUENCE follows it).</summary>
    public long Version { get; init; } = 1;
}

/// <summary>An entity id and its role in one event.</summary>
public sealed record ExportEntityLink(string Id, string Role);

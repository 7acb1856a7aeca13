using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>What every row of a page carries: its number (for snippets), its place (for the cursor), and its relevance or snippet.</summary>
internal abstract class PageRow
{
    public long Seq { get; set; }

    public string Id { get; set; } = string.Empty;

    public string FirstDay { get; set; } = string.Empty;

    public long DatePrecision { get; set; }

    public double? Score { get; set; }

    public string? Snippet { get; set; }
}

/// <summary>An event in a list, read column by column (<see cref="EventRows.SummaryColumns"/>).</summary>
internal sealed class EventRow : PageRow
{
    public string Date { get; init; } = string.Empty;

    public string? EndDate { get; init; }

    public string Title { get; init; } = string.Empty;

    public string Summary { get; init; } = string.Empty;

    public string Category { get; init; } = string.Empty;

    public string Caveats { get; init; } = "[]";

    /// <summary>The event's tags, sorted, as a JSON array (the events table's copy of event_tags).</summary>
    public string Tags { get; init; } = "[]";
}

/// <summary>An event in a list as the JSON object the store writes for it (<see cref="EventRows.JsonColumns"/>).</summary>
internal sealed class JsonRow : PageRow
{
    public byte[] Item { get; init; } = [];
}

/// <summary>The columns every list statement reads, and how its rows are read: one column each, or the JSON object the store writes.</summary>
internal static class EventRows
{
    /// <summary>The page's own columns (0 to 3) that begin every list statement's columns.</summary>
    public const string PageColumns = "SELECT e.seq, e.id, e.first_day, e.date_precision";

    /// <summary>An event's list fields, one column each (4 to 10).</summary>
    public const string SummaryColumns = PageColumns + ", e.date, e.end_date, e.title, e.summary, e.category, e.caveats, e.tags";

    /// <summary>An event's list fields as the JSON object of an <see cref="EventSummary"/> (column 4).</summary>
    public static readonly string JsonColumns = PageColumns + ", " + EventJson.SummaryObject("e") + " AS item";

    /// <summary>Rows of <paramref name="contentColumns"/> columns after the page's, then a score or a snippet if the statement adds one.</summary>
    public static List<TRow> ReadRows<TRow>(SqliteDataReader reader, int contentColumns, Func<SqliteDataReader, TRow> content)
        where TRow : PageRow
    {
        var extraAt = 4 + contentColumns;
        var extra = reader.FieldCount > extraAt ? reader.GetName(extraAt) : null;
        var rows = new List<TRow>();
        while (reader.Read())
        {
            var row = content(reader);
            row.Seq = reader.GetInt64(0);
            row.Id = reader.GetString(1);
            row.FirstDay = reader.GetString(2);
            row.DatePrecision = reader.GetInt64(3);
            row.Score = extra == "score" ? reader.GetDouble(extraAt) : null;
            row.Snippet = extra == "snippet" ? SnippetHtml.FromMarkers(reader.GetFieldValue<byte[]>(extraAt)) : null;
            rows.Add(row);
        }

        return rows;
    }

    public static List<EventRow> ReadSummaryRows(SqliteDataReader reader) => ReadRows(reader, 7, r => new EventRow
    {
        Date = r.GetString(4),
        EndDate = r.IsDBNull(5) ? null : r.GetString(5),
        Title = r.GetString(6),
        Summary = r.GetString(7),
        Category = r.GetString(8),
        Caveats = r.GetString(9),
        Tags = r.GetString(10),
    });

    public static List<JsonRow> ReadJsonRows(SqliteDataReader reader) => ReadRows(reader, 1, r => new JsonRow { Item = r.GetFieldValue<byte[]>(4) });

    /// <summary>The events of summary rows, as records.</summary>
    public static List<EventSummary> Summaries(List<EventRow> rows) =>
        rows.Select(r => StoredEvents.Summary(r.Id, r.Date, r.DatePrecision, r.EndDate, r.Title, r.Summary, r.Category, r.Tags, r.Caveats, r.Snippet)).ToList();
}

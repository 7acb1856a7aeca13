namespace Timeline.Store.Sqlite;

/// <summary>
/// Events in lists as JSON written by SQLite: it builds each row's <see cref="EventSummary"/> object as it reads the row
/// (<see cref="SummaryObject"/>), from the engine-neutral field list (<see cref="EventSummaryJson"/>), and the response is
/// those objects put together.
/// </summary>
public static class EventJson
{
    /// <summary>The SQL expression of an event's <see cref="EventSummary"/> as UTF-8 JSON (a BLOB), from the events row aliased <paramref name="e"/>.</summary>
    public static string SummaryObject(string e)
    {
        var fields = EventSummaryJson.Fields.Select(f => $"'{f.Property}', " + (f.Kind switch
        {
            SummaryFieldKind.Precision => $"CASE {e}.{f.Column} "
                + string.Concat(EventSummaryJson.Precisions.Select(p => $"WHEN {p.Stored} THEN '{p.Name}' "))
                + "END",
            SummaryFieldKind.JsonList => $"json({e}.{f.Column})",
            _ => $"{e}.{f.Column}",
        }));
        return $"CAST(json_object({string.Join(", ", fields)}) AS BLOB)";
    }
}

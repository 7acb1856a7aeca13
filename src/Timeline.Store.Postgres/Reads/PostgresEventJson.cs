namespace Timeline.Store.Postgres;

/// <summary>
/// Events in lists as JSON written by PostgreSQL: each row's <see cref="EventSummary"/> object is built as the row is read,
/// from the engine-neutral field list (<see cref="EventSummaryJson"/>), compact (no spaces, as the API writes JSON), its
/// strings escaped by to_json; a list response is those objects put together.
/// </summary>
public static class PostgresEventJson
{
    /// <summary>The SQL expression of an event's <see cref="EventSummary"/> as UTF-8 JSON (bytea), from the events row aliased <paramref name="e"/>.</summary>
    public static string SummaryObject(string e)
    {
        var parts = EventSummaryJson.Fields.Select((f, i) => $"'{(i == 0 ? "{" : ",")}\"{f.Property}\":' || " + (f.Kind switch
        {
            SummaryFieldKind.Precision => $"CASE {e}.{f.Column} "
                + string.Concat(EventSummaryJson.Precisions.Select(p => $"WHEN {p.Stored} THEN '\"{p.Name}\"' "))
                + "END",
            SummaryFieldKind.JsonList => $"{e}.{f.Column}",
            SummaryFieldKind.NullableText => $"COALESCE(to_json({e}.{f.Column})::text, 'null')",
            _ => $"to_json({e}.{f.Column})::text",
        }));
        return $"convert_to({string.Join(" || ", parts)} || '}}', 'UTF8')";
    }
}

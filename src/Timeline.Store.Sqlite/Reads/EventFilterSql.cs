using System.Text;
using Dapper;
using Timeline.Model.Dates;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The filter compiler: an <see cref="EventFilter"/> as the conditions of a WHERE clause over events (alias e), shared by
/// every statement over events (pages, exports, the Atom feed, facets counted by SQL), and the keyset conditions of a
/// cursor. Only fixed SQL fragments are added; every value goes in as a parameter.
/// </summary>
public static class EventFilterSql
{
    public static List<string> Build(EventFilter filter, DynamicParameters parameters)
    {
        var where = new List<string> { "e.deleted_at IS NULL" };
        if (filter.From is { } from)
        {
            // The second bound follows from the first (no event covers more days than the longest one) and lets
            // the timeline index seek to the range instead of scanning from the first event.
            where.Add("e.last_day >= @FromDay");
            where.Add($"e.first_day >= {FirstDayFloor}");
            parameters.Add("FromDay", PartialDate.FormatDay(from.FirstDay));
        }

        if (filter.To is { } to)
        {
            where.Add("e.first_day <= @ToDay");
            parameters.Add("ToDay", PartialDate.FormatDay(to.LastDay));
        }

        if (filter.Categories.Count > 0)
        {
            where.Add("e.category IN @Categories");
            parameters.Add("Categories", filter.Categories);
        }

        if (filter.Entities.Count > 0)
        {
            where.Add("EXISTS (SELECT 1 FROM event_entities fe WHERE fe.event_id = e.id AND fe.entity_id IN @Entities)");
            parameters.Add("Entities", filter.Entities);
        }

        if (filter.Tags.Count > 0)
        {
            where.Add("EXISTS (SELECT 1 FROM event_tags ft WHERE ft.event_id = e.id AND ft.tag IN @Tags)");
            parameters.Add("Tags", filter.Tags);
        }

        if (filter.Source is not null)
        {
            where.Add("EXISTS (SELECT 1 FROM citations fc WHERE fc.event_id = e.id AND fc.source_id = @Source)");
            parameters.Add("Source", filter.Source);
        }

        if (filter.Search is not null)
        {
            where.Add("e.seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH @Match)");
            parameters.Add("Match", Fts5Match.Render(filter.Search));
        }

        if (filter.ScopeEntity is not null)
        {
            where.Add("EXISTS (SELECT 1 FROM event_entities se WHERE se.event_id = e.id AND se.entity_id = @ScopeEntity)");
            parameters.Add("ScopeEntity", filter.ScopeEntity);
        }

        if (filter.ScopeSource is not null)
        {
            where.Add("EXISTS (SELECT 1 FROM citations sc WHERE sc.event_id = e.id AND sc.source_id = @ScopeSource)");
            parameters.Add("ScopeSource", filter.ScopeSource);
        }

        return where;
    }

    /// <summary>The earliest first day of an event that can reach @FromDay: no event covers more days than the longest one.</summary>
    private const string FirstDayFloor =
        "date(@FromDay, '-' || (SELECT COALESCE(CAST(MAX(julianday(s.last_day) - julianday(s.first_day)) AS INTEGER), 0) FROM events s WHERE s.deleted_at IS NULL) || ' days')";

    /// <summary>The number of the first live event meeting the condition (on alias b), or a number above all.</summary>
    private static string FirstNumber(string condition) =>
        $"COALESCE((SELECT b.seq FROM events b WHERE b.deleted_at IS NULL AND {condition} ORDER BY b.first_day, b.date_precision, b.id LIMIT 1), 9223372036854775807)";

    /// <summary>The number of the last live event meeting the condition (on alias b), or a number below all.</summary>
    private static string LastNumber(string condition) =>
        $"COALESCE((SELECT b.seq FROM events b WHERE b.deleted_at IS NULL AND {condition} ORDER BY b.first_day DESC, b.date_precision DESC, b.id DESC LIMIT 1), -1)";

    /// <summary>
    /// The cursor's place as an event number: the last live event at or before it on the timeline. Right even when
    /// the event the cursor names has moved or gone since its page was read.
    /// </summary>
    public static readonly string CursorNumber = LastNumber("(b.first_day, b.date_precision, b.id) <= (@AfterDay, @AfterPrecision, @AfterId)");

    /// <summary>The cursor's position as the parameters the keyset conditions use.</summary>
    public static void AddCursor(DynamicParameters parameters, TimelinePosition after)
    {
        parameters.Add("AfterDay", after.FirstDay);
        parameters.Add("AfterPrecision", after.Precision);
        parameters.Add("AfterId", after.Id);
    }

    /// <summary>
    /// Bounds on an event number (<paramref name="column"/>) equivalent to the date filter's seekable bounds and
    /// to the cursor: live events are numbered in timeline order (TimelineOrder.cs), so the first and last
    /// numbers in range are two seeks into the timeline index. Call after <see cref="Build"/> (it adds @FromDay and
    /// @ToDay); the cursor's parameters come from <see cref="AddCursor"/>.
    /// </summary>
    public static IEnumerable<string> SeqBounds(string column, EventFilter filter, TimelinePosition? after)
    {
        if (filter.From is not null)
        {
            yield return $"{column} >= {FirstNumber($"b.first_day >= {FirstDayFloor}")}";
        }

        if (filter.To is not null)
        {
            yield return $"{column} <= {LastNumber("b.first_day <= @ToDay")}";
        }

        if (after is not null)
        {
            yield return filter.Descending
                ? $"{column} < {FirstNumber("(b.first_day, b.date_precision, b.id) >= (@AfterDay, @AfterPrecision, @AfterId)")}"
                : $"{column} > {CursorNumber}";
        }
    }

    /// <summary>
    /// Whether the event numbered <paramref name="column"/>, known to start no earlier than the floor of @FromDay,
    /// reaches @FromDay: certainly if it starts on or after it, else its row says.
    /// </summary>
    public static string ReachesFrom(string column) =>
        $"CASE WHEN {column} >= {FirstNumber("b.first_day >= @FromDay")} THEN 1 ELSE (SELECT r.last_day >= @FromDay FROM events r WHERE r.seq = {column}) END";

    public static void Append(StringBuilder sql, List<string> where)
    {
        if (where.Count > 0)
        {
            sql.Append("\nWHERE ").AppendJoin("\n  AND ", where);
        }
    }
}

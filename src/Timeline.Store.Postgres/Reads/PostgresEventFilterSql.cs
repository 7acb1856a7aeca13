using System.Text;
using Dapper;
using Timeline.Model.Dates;

namespace Timeline.Store.Postgres;

/// <summary>
/// The filter compiler of the PostgreSQL engine: an <see cref="EventFilter"/> as the conditions of a WHERE clause over
/// events (alias e), for every statement over events (pages, exports, the Atom feed, and facets counted by SQL), and the
/// timeline's order and keyset conditions. Text is compared byte by byte (COLLATE "C"), as SQLite compares it, whatever
/// the database's collation, and as the timeline's indexes are built (migration 0002). Only fixed SQL fragments are
/// added; every value goes in as a parameter.
/// </summary>
public static class PostgresEventFilterSql
{
    /// <summary>An event's first day, compared byte by byte.</summary>
    public static string FirstDay(string e) => $"{e}.first_day COLLATE \"C\"";

    /// <summary>An event's place in the timeline's total order, as a row value (first day, precision, id).</summary>
    public static string Position(string e) => $"({e}.first_day COLLATE \"C\", {e}.date_precision, {e}.id COLLATE \"C\")";

    /// <summary>The ORDER BY terms of the timeline's order over the rows aliased <paramref name="e"/>.</summary>
    public static string Order(string e, bool descending)
    {
        var direction = descending ? "DESC" : "ASC";
        return $"{e}.first_day COLLATE \"C\" {direction}, {e}.date_precision {direction}, {e}.id COLLATE \"C\" {direction}";
    }

    /// <summary>
    /// Every condition of the filter (the cursor aside), on live events. With <paramref name="walk"/> (a page that walks a
    /// timeline in order and stops when full), a search is checked event by event as the walk reaches it: first the
    /// signature of its words on the row the walk reads (<see cref="PostgresSearchWords"/>), then, for the few that pass,
    /// its search row by key; the planner cannot turn that into a read of every match from the GIN index first.
    /// </summary>
    public static List<string> Build(EventFilter filter, DynamicParameters parameters, bool walk = false)
    {
        var where = new List<string> { "e.deleted_at IS NULL" };
        if (filter.From is { } from)
        {
            // Events that began before the date and still go on at it count too (an event reaches into the range).
            where.Add("e.last_day COLLATE \"C\" >= @FromDay");
            parameters.Add("FromDay", PartialDate.FormatDay(from.FirstDay));
        }

        if (filter.To is { } to)
        {
            where.Add($"{FirstDay("e")} <= @ToDay");
            parameters.Add("ToDay", PartialDate.FormatDay(to.LastDay));
        }

        if (filter.Categories.Count > 0)
        {
            where.Add("e.category = ANY(@Categories)");
            parameters.Add("Categories", filter.Categories.ToArray());
        }

        if (filter.Entities.Count > 0)
        {
            where.Add("EXISTS (SELECT 1 FROM event_entities fe WHERE fe.event_id = e.id AND fe.entity_id = ANY(@Entities))");
            parameters.Add("Entities", filter.Entities.ToArray());
        }

        if (filter.Tags.Count > 0)
        {
            where.Add("EXISTS (SELECT 1 FROM event_tags ft WHERE ft.event_id = e.id AND ft.tag = ANY(@Tags))");
            parameters.Add("Tags", filter.Tags.ToArray());
        }

        if (filter.Source is not null)
        {
            where.Add("EXISTS (SELECT 1 FROM citations fc WHERE fc.event_id = e.id AND fc.source_id = @Source)");
            parameters.Add("Source", filter.Source);
        }

        if (filter.Search is not null)
        {
            // The search area's condition (Search/PostgresSearchSql.cs): the events' search rows under their GIN index.
            parameters.Add(PostgresSearchSql.ParameterName, PostgresSearchSql.Parameter(filter.Search));
            if (walk)
            {
                var required = PostgresSearchWords.Required(filter.Search);
                if (required.Count > 0)
                {
                    parameters.Add(PostgresSearchWords.ParameterName, PostgresSearchWords.Signature(required));
                    where.Add(PostgresSearchWords.Condition("e"));
                }

                where.Add(PostgresSearchSql.EventRowMatches("e.seq"));
            }
            else
            {
                where.Add(PostgresSearchSql.EventMatches("e.seq"));
            }
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

    /// <summary>The keyset condition of a page after <paramref name="after"/> in timeline order (its parameters added).</summary>
    public static string After(TimelinePosition after, bool descending, DynamicParameters parameters)
    {
        AddCursor(parameters, after);
        return $"{Position("e")} {(descending ? "<" : ">")} (@AfterDay, @AfterPrecision, @AfterId)";
    }

    /// <summary>The cursor's position as the parameters the keyset conditions use.</summary>
    public static void AddCursor(DynamicParameters parameters, TimelinePosition after)
    {
        parameters.Add("AfterDay", after.FirstDay);
        parameters.Add("AfterPrecision", after.Precision);
        parameters.Add("AfterId", after.Id);
    }

    public static void Append(StringBuilder sql, IEnumerable<string> where)
    {
        var first = true;
        foreach (var condition in where)
        {
            sql.Append(first ? "\nWHERE " : "\n  AND ").Append(condition);
            first = false;
        }
    }
}

using Timeline.Model.Dataset;
using Timeline.Model.Dates;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// What both engines' neighbours statements (<see cref="IEventNeighbours"/>) take and give: their parameters by name
/// (@FirstDay, @LastDay, @Entities, @Exclude, @Limit) and each row as a candidate, its shared entities sorted.
/// </summary>
public static class EventNeighbourQuery
{
    /// <summary>Whether there is anything to look for.</summary>
    public static bool Asks(IReadOnlyList<string> entityIds, int limit) => entityIds.Count > 0 && limit > 0;

    /// <summary>The statement's parameters: the range's days as ISO text, the entities once each, the event left out, the limit.</summary>
    public static object Parameters(DateOnly firstDay, DateOnly lastDay, IReadOnlyList<string> entityIds, string excludeId, int limit) => new
    {
        FirstDay = PartialDate.FormatDay(firstDay),
        LastDay = PartialDate.FormatDay(lastDay),
        Entities = entityIds.Distinct(StringComparer.Ordinal).ToArray(),
        Exclude = excludeId,
        Limit = limit,
    };

    /// <summary>A row (id, date, end date, title, summary, the shared entity ids as a JSON array) as a candidate.</summary>
    public static DuplicateCandidate Candidate((string Id, string Date, string? EndDate, string Title, string Summary, string Shared) row) =>
        new(row.Id, row.Date, row.EndDate, row.Title, row.Summary, [.. StoredEvents.ReadList(row.Shared).Order(StringComparer.Ordinal)]);
}

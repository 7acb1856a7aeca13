using Timeline.Model.Events;

namespace Timeline.Api.Curation;

/// <summary>
/// The possibleDuplicates warning of a written event: its neighbours (live events overlapping its dates that share an
/// entity, read through <see cref="IEventNeighbours"/>) checked by <see cref="DatasetChecks.PossibleDuplicates"/>. It
/// goes out as one more <c>Timeline-Warning</c> header; the write has succeeded.
/// </summary>
public static class DuplicateWarnings
{
    /// <summary>The warning for the event as written, or null when it resembles none of its neighbours.</summary>
    public static async Task<DatasetWarning?> ForAsync(EventDetail e, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (e.Entities.Count == 0
            || !PartialDate.TryParse(e.Date, out var date, out _)
            || !PartialDate.TryParse(e.EndDate ?? e.Date, out var end, out _))
        {
            return null;
        }

        var neighbours = await services.GetRequiredService<IEventNeighbours>().OverlappingAsync(
            date.FirstDay, end.LastDay, [.. e.Entities.Select(x => x.Id).Distinct(StringComparer.Ordinal)], e.Id, DatasetChecks.DuplicateCandidateLimit, cancellationToken);
        return DatasetChecks.PossibleDuplicates(e.Id, e.Title, e.Summary, neighbours);
    }
}

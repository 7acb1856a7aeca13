using Timeline.Model.Dataset;

namespace Timeline.Model.Store;

/// <summary>
/// The events near one on the timeline that may tell the same story (the <c>possibleDuplicates</c> check): the live
/// events whose days overlap a range and that involve at least one of some entities. The engine reads them from its
/// indexes (each entity's events in timeline order), so the cost grows with the events of those entities in the range,
/// not with the store.
/// </summary>
public interface IEventNeighbours
{
    /// <summary>
    /// The live events other than <paramref name="excludeId"/> that cover a day from <paramref name="firstDay"/> to
    /// <paramref name="lastDay"/> and involve one of <paramref name="entityIds"/>, each with the entities of that list it
    /// involves; those sharing the most entities first, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<DuplicateCandidate>> OverlappingAsync(
        DateOnly firstDay, DateOnly lastDay, IReadOnlyList<string> entityIds, string excludeId, int limit, CancellationToken cancellationToken);
}

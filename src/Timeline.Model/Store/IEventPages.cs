using Timeline.Model.Events;

namespace Timeline.Model.Store;

/// <summary>One page of events and where the next one starts (null on the last page).</summary>
/// <param name="Items">At most the filter's limit of events, in the filter's order.</param>
/// <param name="Next">The position of the page's last event when more follow, to resume after it.</param>
public readonly record struct EventPage<T>(IReadOnlyList<T> Items, TimelinePosition? Next);

/// <summary>Which ids a filter names that the store does not hold (live).</summary>
/// <param name="Entities">The unknown entity ids, in the order asked.</param>
/// <param name="SourceMissing">Whether the source id is unknown.</param>
public readonly record struct MissingReferences(IReadOnlyList<string> Entities, bool SourceMissing);

/// <summary>
/// Pages of events under the one filter model (GET /events, an entity's or a source's events, GET /search's events).
/// Promises: events in the timeline's total order (first day, coarser precision first, id; reversed exactly for
/// <see cref="EventOrder.DateDescending"/>) or, for <see cref="EventOrder.Relevance"/>, best match first with ties in
/// timeline order; keyset paging, so a page after a position continues exactly where the previous page ended even when
/// events were written in between; a page that reads several statements reads them from one snapshot; deleted events
/// never appear. A search's events carry a snippet. The filter's search must have passed <see cref="ISearchBudget"/>.
/// </summary>
public interface IEventPages
{
    /// <summary>
    /// The page after <paramref name="after"/>, each event as the UTF-8 JSON object of an <see cref="EventSummary"/>
    /// (GET /events' items, written by the store: a list response is these bytes put together).
    /// </summary>
    Task<EventPage<byte[]>> ListJsonAsync(EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken);

    /// <summary>The same page as <see cref="ListJsonAsync"/>, as records.</summary>
    Task<EventPage<EventSummary>> ListAsync(EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken);

    /// <summary>Which of the entity ids and the source id a filter names the store does not hold (so the filter cannot match).</summary>
    Task<MissingReferences> MissingReferencesAsync(IReadOnlyList<string> entityIds, string? sourceId, CancellationToken cancellationToken);
}

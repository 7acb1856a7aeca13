using Timeline.Model.Events;

namespace Timeline.Model.Store;

/// <summary>
/// Events for the exports (CSV, iCalendar, TimelineJS, Atom): each with what the exports show beyond the summary (its
/// entities and roles, citations, timestamps).
/// </summary>
public interface IEventExports
{
    /// <summary>
    /// Every event the filter matches, in its order (the filter's limit and cursor are not used), streamed in batches so
    /// memory stays flat however large the store; all of them from one snapshot of the store.
    /// </summary>
    IAsyncEnumerable<ExportEvent> StreamAsync(EventFilter filter, CancellationToken cancellationToken);

    /// <summary>The <paramref name="count"/> most recently changed events the filter matches, newest change first (the Atom feed).</summary>
    Task<IReadOnlyList<ExportEvent>> RecentlyChangedAsync(EventFilter filter, int count, CancellationToken cancellationToken);
}

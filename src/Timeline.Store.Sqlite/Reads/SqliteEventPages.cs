using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>Pages of events (<see cref="IEventPages"/>): keyset pages in the timeline's total order or by relevance, planned by <see cref="EventPagePlanner"/>.</summary>
public sealed class SqliteEventPages(ReadSessions sessions) : IEventPages
{
    /// <summary>
    /// Up to <c>filter.Limit + 1</c> events after <paramref name="after"/>; the extra row tells whether
    /// a next page exists. Returns the page and the position of its last item when there is more.
    /// </summary>
    public async Task<EventPage<EventSummary>> ListAsync(
        EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken)
    {
        await using var session = await sessions.RentAsync(cancellationToken);
        var (rows, next) = await EventPagePlanner.ReadPageAsync(session, filter, Match(filter), after, EventRows.SummaryColumns, EventRows.ReadSummaryRows, cancellationToken);
        return new(EventRows.Summaries(rows), next);
    }

    /// <summary>
    /// The same page as <see cref="ListAsync(EventFilter, TimelinePosition?, CancellationToken)"/>, each event as the UTF-8 JSON object
    /// GET /events shows (an <see cref="EventSummary"/>), written by SQLite as it reads the row: a list response is the
    /// rows' bytes put together, with no object, column or serializer in between.
    /// </summary>
    public async Task<EventPage<byte[]>> ListJsonAsync(
        EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken)
    {
        await using var session = await sessions.RentAsync(cancellationToken);
        var (rows, next) = await EventPagePlanner.ReadPageAsync(session, filter, Match(filter), after, EventRows.JsonColumns, EventRows.ReadJsonRows, cancellationToken);
        return new(rows.Select(r => r.Snippet is null ? r.Item : EventSummaryJson.WithSnippet(r.Item, r.Snippet)).ToList(), next);
    }

    /// <summary>Which of the given entity ids and source id the store does not hold.</summary>
    public async Task<MissingReferences> MissingReferencesAsync(
        IReadOnlyList<string> entityIds, string? sourceId, CancellationToken cancellationToken)
    {
        if (entityIds.Count == 0 && sourceId is null)
        {
            return new([], false);
        }

        await using var session = await sessions.RentAsync(cancellationToken);
        var missing = new List<string>();
        if (entityIds.Count > 0)
        {
            var parameters = new DynamicParameters();
            parameters.Add("EntityIds", entityIds);
            var known = await session.QueryAsync(
                "SELECT id FROM entities WHERE id IN @EntityIds AND deleted_at IS NULL;",
                parameters,
                reader =>
                {
                    var ids = new HashSet<string>(StringComparer.Ordinal);
                    while (reader.Read())
                    {
                        ids.Add(reader.GetString(0));
                    }

                    return ids;
                },
                cancellationToken);
            missing.AddRange(entityIds.Where(id => !known.Contains(id)));
        }

        var sourceMissing = false;
        if (sourceId is not null)
        {
            var parameters = new DynamicParameters();
            parameters.Add("SourceId", sourceId);
            sourceMissing = !await session.QueryAsync(
                "SELECT 1 FROM sources WHERE id = @SourceId AND deleted_at IS NULL;", parameters, reader => reader.Read(), cancellationToken);
        }

        return new(missing, sourceMissing);
    }

    /// <summary>The filter's search rendered for FTS5, or null.</summary>
    private static string? Match(EventFilter filter) => filter.Search is null ? null : Fts5Match.Render(filter.Search);
}

using Dapper;

namespace Timeline.Store.Postgres;

/// <summary>Pages of events (<see cref="IEventPages"/>) on PostgreSQL: keyset pages in the timeline's total order or by relevance, planned by <see cref="PostgresPagePlanner"/>.</summary>
public sealed class PostgresEventPages(PostgresConnections database) : IEventPages
{
    public async Task<EventPage<EventSummary>> ListAsync(EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var (rows, next) = await PostgresPagePlanner.ReadPageAsync(connection, filter, after, PostgresPageContent.Summary, cancellationToken);
        return new(rows.Select(r => r.Snippet is null ? r.Summary! : r.Summary! with { Snippet = r.Snippet }).ToList(), next);
    }

    /// <summary>The same page, each event as the UTF-8 JSON object GET /events shows, written as each row is read (<see cref="PostgresEventJson"/>).</summary>
    public async Task<EventPage<byte[]>> ListJsonAsync(EventFilter filter, TimelinePosition? after, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var (rows, next) = await PostgresPagePlanner.ReadPageAsync(connection, filter, after, PostgresPageContent.Json, cancellationToken);
        return new(rows.Select(r => r.Snippet is null ? r.Item! : EventSummaryJson.WithSnippet(r.Item!, r.Snippet)).ToList(), next);
    }

    /// <summary>Which of the given entity ids and source id the store does not hold (live).</summary>
    public async Task<MissingReferences> MissingReferencesAsync(IReadOnlyList<string> entityIds, string? sourceId, CancellationToken cancellationToken)
    {
        if (entityIds.Count == 0 && sourceId is null)
        {
            return new([], false);
        }

        await using var connection = await database.OpenReadAsync(cancellationToken);
        var missing = new List<string>();
        if (entityIds.Count > 0)
        {
            var known = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT id FROM entities WHERE id = ANY(@EntityIds) AND deleted_at IS NULL;",
                new { EntityIds = entityIds.ToArray() },
                cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
            missing.AddRange(entityIds.Where(id => !known.Contains(id)));
        }

        var sourceMissing = sourceId is not null && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM sources WHERE id = @SourceId AND deleted_at IS NULL);",
            new { SourceId = sourceId },
            cancellationToken: cancellationToken));
        return new(missing, sourceMissing);
    }
}

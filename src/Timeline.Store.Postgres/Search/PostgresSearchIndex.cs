using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// Keeps the search rows in step with the timeline's tables. Every writer calls it inside its own transaction, so the
/// search index never disagrees with the data. (Placeholder seam of the skeleton: the search area fills it in.)
/// </summary>
public static class PostgresSearchIndex
{
    /// <summary>Re-indexes the given events (after they, their tags, citations or references changed); deleted ones leave the index.</summary>
    public static Task RefreshEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Builds every event's, entity's and source's search row anew (after a bulk load or a reseed).</summary>
    public static Task RebuildAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Re-indexes the live events that involve the entity (after its name or aliases changed).</summary>
    public static Task RefreshEventsOfEntityAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string entityId, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Re-indexes one entity (after it or its aliases changed); a deleted one leaves the index.</summary>
    public static Task RefreshEntityAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string entityId, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Re-indexes one source; a deleted one leaves the index.</summary>
    public static Task RefreshSourceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sourceId, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}

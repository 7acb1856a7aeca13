using System.Data;

namespace Timeline.Store.Sqlite;

// The reads the write path (Timeline.Api/Curation/RecordKinds.cs) makes inside its own transaction, under the names it
// calls them by today. They go when the write path moves into the engine and calls SqliteEventDetails, SqliteEntityReader
// and SqliteSourceReader itself.

/// <summary>One event as committed, on the writer's connection and transaction (<see cref="SqliteEventDetails"/>).</summary>
public static class EventQueries
{
    public static Task<RecordLookup<EventDetail>> GetAsync(IDbConnection connection, IDbTransaction? transaction, string id, CancellationToken cancellationToken) =>
        SqliteEventDetails.GetAsync(connection, transaction, id, cancellationToken);
}

/// <summary>One entity as committed, on the writer's connection and transaction (<see cref="SqliteEntityReader"/>).</summary>
public static class EntityQueries
{
    public static Task<RecordLookup<EntityItem>> GetAsync(IDbConnection connection, IDbTransaction? transaction, string id, CancellationToken cancellationToken) =>
        SqliteEntityReader.GetAsync(connection, transaction, id, cancellationToken);
}

/// <summary>One source as committed, on the writer's connection and transaction (<see cref="SqliteSourceReader"/>).</summary>
public static class SourceQueries
{
    public static Task<RecordLookup<SourceDetail>> GetAsync(IDbConnection connection, IDbTransaction? transaction, string id, CancellationToken cancellationToken) =>
        SqliteSourceReader.GetAsync(connection, transaction, id, cancellationToken);
}

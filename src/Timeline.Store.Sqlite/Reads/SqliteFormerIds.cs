namespace Timeline.Store.Sqlite;

/// <summary>Former ids read from former_ids (<see cref="IFormerIds"/>); kept by the writers (Writes/FormerIds.cs).</summary>
public sealed class SqliteFormerIds(SqliteConnections database) : IFormerIds
{
    public async Task<string?> CurrentIdAsync(string resource, string formerId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await FormerIds.ResolveAsync(connection, null, resource, formerId, cancellationToken);
    }
}

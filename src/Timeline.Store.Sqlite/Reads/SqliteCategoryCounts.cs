using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>Live events per category (<see cref="ICategoryCounts"/>), one grouped statement.</summary>
public sealed class SqliteCategoryCounts(SqliteConnections database) : ICategoryCounts
{
    private sealed class CountRow
    {
        public string Category { get; init; } = string.Empty;

        public long Count { get; init; }
    }

    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<CountRow>(new CommandDefinition(
            "SELECT category, COUNT(*) AS count FROM events WHERE deleted_at IS NULL GROUP BY category;", cancellationToken: cancellationToken)))
            .ToDictionary(r => r.Category, r => r.Count, StringComparer.Ordinal);
    }
}

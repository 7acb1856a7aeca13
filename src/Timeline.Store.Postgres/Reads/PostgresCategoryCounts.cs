using Dapper;

namespace Timeline.Store.Postgres;

/// <summary>Live events per category (<see cref="ICategoryCounts"/>), one grouped statement over the category index.</summary>
public sealed class PostgresCategoryCounts(PostgresConnections database) : ICategoryCounts
{
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return (await connection.QueryAsync<(string Category, long Count)>(new CommandDefinition(
            "SELECT category, COUNT(*) FROM events WHERE deleted_at IS NULL GROUP BY category;", cancellationToken: cancellationToken)))
            .ToDictionary(r => r.Category, r => r.Count, StringComparer.Ordinal);
    }
}

using Dapper;

namespace Timeline.Store.Postgres;

/// <summary>
/// Live events per category (<see cref="ICategoryCounts"/>): one grouped statement, which reads every live event (0.6 s
/// at 1,000,000 events on a loaded machine), so its answer is kept under the data version it was read at (read in the
/// same statement, so a standby's older answer is never kept under the primary's newer version) and read again only
/// after a write.
/// </summary>
public sealed class PostgresCategoryCounts(PostgresConnections database, IDataVersion dataVersion) : ICategoryCounts
{
    private Kept? _kept;

    private sealed record Kept(long Version, IReadOnlyDictionary<string, long> Counts);

    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken cancellationToken)
    {
        var current = (await dataVersion.GetAsync(cancellationToken)).DataVersion;
        if (Volatile.Read(ref _kept) is { } kept && kept.Version == current)
        {
            return kept.Counts;
        }

        await using var connection = await database.OpenReadAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(long Version, string? Category, long Count)>(new CommandDefinition(
            """
            SELECT s.data_version, c.category, COALESCE(c.count, 0)
            FROM store_state s
            LEFT JOIN (SELECT category, COUNT(*) AS count FROM events WHERE deleted_at IS NULL GROUP BY category) c ON true
            WHERE s.id = 1;
            """,
            cancellationToken: cancellationToken))).ToList();
        var counts = rows.Where(r => r.Category is not null).ToDictionary(r => r.Category!, r => r.Count, StringComparer.Ordinal);
        if (rows.Count > 0)
        {
            Volatile.Write(ref _kept, new Kept(rows[0].Version, counts));
        }

        return counts;
    }
}

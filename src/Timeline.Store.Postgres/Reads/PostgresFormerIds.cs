using Dapper;

namespace Timeline.Store.Postgres;

/// <summary>
/// Former ids read from former_ids (<see cref="IFormerIds"/>), kept by the writers. On the primary: a write's answer
/// (the 410 of a merged event) asks it, and a redirect right after a rename must not go back to the old record.
/// </summary>
public sealed class PostgresFormerIds(PostgresConnections database) : IFormerIds
{
    public async Task<string?> CurrentIdAsync(string resource, string formerId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT current_id FROM former_ids WHERE resource = @resource AND former_id = @formerId;",
            new { resource, formerId },
            cancellationToken: cancellationToken));
    }
}

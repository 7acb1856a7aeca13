using Dapper;

namespace Timeline.Api.Storage;

/// <summary>The store's data version (grows with every change) and when the data last changed.</summary>
public sealed record StoreVersion(long DataVersion, string UpdatedAt);

/// <summary>Reads the one-row store_state table that ETags and caches are keyed by.</summary>
public sealed class StoreState(Database database)
{
    private sealed class Row
    {
        public long DataVersion { get; init; }

        public string UpdatedAt { get; init; } = string.Empty;
    }

    public async Task<StoreVersion> GetAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(
            "SELECT data_version, updated_at FROM store_state WHERE id = 1;", cancellationToken: cancellationToken));
        return new StoreVersion(row.DataVersion, row.UpdatedAt);
    }
}

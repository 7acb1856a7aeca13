using System.Data;
using System.Text;
using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>Entities as the API shows them (<see cref="IEntityReader"/>).</summary>
public sealed class SqliteEntityReader(SqliteConnections database) : IEntityReader
{
    private sealed class EntityRow
    {
        public string Id { get; init; } = string.Empty;

        public string Name { get; init; } = string.Empty;

        public string Kind { get; init; } = string.Empty;

        public string? Country { get; init; }

        public string? Description { get; init; }

        public long EventCount { get; init; }

        public long Version { get; init; }

        public string? DeletedAt { get; init; }

        public string? DeletedBy { get; init; }

        public long Standalone { get; init; }

        public string FormerIds { get; init; } = "[]";
    }

    private sealed class AliasRow
    {
        public string EntityId { get; init; } = string.Empty;

        public string Alias { get; init; } = string.Empty;
    }

    /// <summary>Entities of a kind and/or of the ids given, by name.</summary>
    public async Task<IReadOnlyList<EntityItem>> ListAsync(string? kind, IReadOnlyCollection<string>? ids, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder(
            """
            SELECT n.id, n.name, n.kind, n.country, n.description,
                   (SELECT COUNT(DISTINCT ee.event_id) FROM event_entities ee JOIN events e ON e.id = ee.event_id AND e.deleted_at IS NULL WHERE ee.entity_id = n.id) AS event_count,
                   n.version, n.deleted_at, n.deleted_by, n.standalone,
                   (SELECT json_group_array(f.former_id)
                    FROM (SELECT former_id FROM former_ids WHERE resource = 'entity' AND current_id = n.id ORDER BY ordinal, former_id) f) AS FormerIds
            FROM entities n
            WHERE n.deleted_at IS NULL
            """);
        if (kind is not null)
        {
            sql.Append("\n  AND n.kind = @kind");
        }

        if (ids is not null)
        {
            // One JSON array parameter rather than one parameter per id: a list of every entity stays one statement.
            sql.Append("\n  AND n.id IN (SELECT value FROM json_each(@ids))");
        }

        sql.Append("\nORDER BY n.name COLLATE NOCASE, n.id;");

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var idList = ids is null ? null : System.Text.Json.JsonSerializer.Serialize(ids);
        var rows = (await connection.QueryAsync<EntityRow>(new CommandDefinition(sql.ToString(), new { kind, ids = idList }, snapshot, cancellationToken: cancellationToken))).AsList();
        var aliases = await AliasesAsync(connection, rows.Select(r => r.Id).ToArray(), cancellationToken, snapshot);
        return rows.Select(r => ToItem(r, aliases)).ToList();
    }

    public async Task<IReadOnlyList<EntityNames>> NamesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        return await NamesAsync(connection, snapshot, cancellationToken);
    }

    /// <summary>The names of every live entity, on the caller's connection and transaction (a write's "did you mean").</summary>
    public static async Task<IReadOnlyList<EntityNames>> NamesAsync(IDbConnection connection, IDbTransaction? transaction, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string Id, string Name, string Kind, string? Country)>(new CommandDefinition(
            "SELECT id, name, kind, country FROM entities WHERE deleted_at IS NULL ORDER BY id;", transaction: transaction, cancellationToken: cancellationToken));
        var aliases = (await connection.QueryAsync<AliasRow>(new CommandDefinition(
            """
            SELECT a.entity_id AS EntityId, a.alias
            FROM entity_aliases a JOIN entities n ON n.id = a.entity_id AND n.deleted_at IS NULL
            ORDER BY a.entity_id, a.ordinal;
            """,
            transaction: transaction,
            cancellationToken: cancellationToken)))
            .GroupBy(r => r.EntityId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Alias).ToList(), StringComparer.Ordinal);
        return rows.Select(r => new EntityNames(r.Id, r.Name, r.Kind, r.Country, aliases.GetValueOrDefault(r.Id) ?? [])).ToList();
    }

    /// <summary>One entity; or its tombstone if deleted; or neither if unknown.</summary>
    public async Task<RecordLookup<EntityItem>> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        return await GetAsync(connection, snapshot, id, cancellationToken);
    }

    /// <summary>The same, on the caller's connection and transaction.</summary>
    public static async Task<RecordLookup<EntityItem>> GetAsync(IDbConnection connection, IDbTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<EntityRow>(new CommandDefinition(
            """
            SELECT n.id, n.name, n.kind, n.country, n.description,
                   (SELECT COUNT(DISTINCT ee.event_id) FROM event_entities ee JOIN events e ON e.id = ee.event_id AND e.deleted_at IS NULL WHERE ee.entity_id = n.id) AS event_count,
                   n.version, n.deleted_at, n.deleted_by, n.standalone,
                   (SELECT json_group_array(f.former_id)
                    FROM (SELECT former_id FROM former_ids WHERE resource = 'entity' AND current_id = n.id ORDER BY ordinal, former_id) f) AS FormerIds
            FROM entities n
            WHERE n.id = @id;
            """,
            new { id },
            transaction,
            cancellationToken: cancellationToken));
        return row is null ? default
            : row.DeletedAt is not null ? new(null, new Tombstone(row.DeletedAt, row.DeletedBy ?? string.Empty, row.Version))
            : new(ToItem(row, await AliasesAsync(connection, [id], cancellationToken, transaction)), null);
    }

    public async Task<bool> ExistsAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM entities WHERE id = @id AND deleted_at IS NULL;", new { id }, cancellationToken: cancellationToken)) > 0;
    }

    private static EntityItem ToItem(EntityRow row, Dictionary<string, List<string>> aliases) =>
        new(row.Id, row.Name, row.Kind, row.Country, aliases.TryGetValue(row.Id, out var a) ? a : [], row.Description, row.EventCount, row.Version)
        {
            FormerIds = StoredEvents.ReadList(row.FormerIds),
            Standalone = row.Standalone != 0,
        };

    private static async Task<Dictionary<string, List<string>>> AliasesAsync(IDbConnection connection, string[] ids, CancellationToken cancellationToken, IDbTransaction? transaction = null)
    {
        if (ids.Length == 0)
        {
            return [];
        }

        var rows = await connection.QueryAsync<AliasRow>(new CommandDefinition(
            "SELECT entity_id AS EntityId, alias FROM entity_aliases WHERE entity_id IN @ids ORDER BY entity_id, ordinal;",
            new { ids },
            transaction,
            cancellationToken: cancellationToken));
        return rows.GroupBy(r => r.EntityId).ToDictionary(g => g.Key, g => g.Select(r => r.Alias).ToList());
    }
}

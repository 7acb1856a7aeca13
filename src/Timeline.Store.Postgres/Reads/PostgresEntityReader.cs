using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// Entities as the API shows them (<see cref="IEntityReader"/>), as the SQLite engine gives them: by name ignoring the
/// case of ASCII letters (SQLite's NOCASE: lower() under the "C" collation folds ASCII only), then id. A list's event
/// counts come from <see cref="PostgresEventCounts"/> (counted once per data version); one entity's by its own links.
/// </summary>
public sealed class PostgresEntityReader(PostgresConnections database, PostgresEventCounts counts) : IEntityReader
{
    private const string Columns =
        """
        SELECT n.id, n.name, n.kind, n.country, n.description, n.version, n.deleted_at, n.deleted_by, n.standalone,
               COALESCE((SELECT json_agg(f.former_id ORDER BY f.ordinal, f.former_id COLLATE "C")
                         FROM former_ids f WHERE f.resource = 'entity' AND f.current_id = n.id)::text, '[]') AS former_ids
        """;

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

        public bool Standalone { get; init; }

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
        var sql = $"""
            {Columns}
            FROM entities n
            WHERE n.deleted_at IS NULL
              AND (@kind::text IS NULL OR n.kind = @kind)
              AND (@ids::text[] IS NULL OR n.id = ANY(@ids))
            ORDER BY lower(n.name COLLATE "C") COLLATE "C", n.id COLLATE "C";
            """;
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var snapshot = await PostgresReadSnapshot.BeginAsync(connection, cancellationToken);
        var dataVersion = await PostgresReadSnapshot.DataVersionAsync(connection, snapshot, cancellationToken);
        var rows = (await connection.QueryAsync<EntityRow>(new CommandDefinition(
            sql, new { kind, ids = ids?.ToArray() }, snapshot, cancellationToken: cancellationToken))).AsList();
        var aliases = await AliasesAsync(connection, snapshot, ids is null && kind is null ? null : rows.Select(r => r.Id).ToArray(), cancellationToken);
        var events = await counts.EntitiesAsync(connection, snapshot, dataVersion, cancellationToken);
        await snapshot.CommitAsync(cancellationToken);
        return rows.Select(r => ToItem(r, aliases, events.GetValueOrDefault(r.Id))).ToList();
    }

    public Task<IReadOnlyList<EntityNames>> NamesAsync(CancellationToken cancellationToken) =>
        PostgresReadSnapshot.ReadAsync(database, (c, tx) => NamesAsync(c, tx, cancellationToken), cancellationToken);

    /// <summary>The names of every live entity, on the caller's connection and transaction (a write's "did you mean").</summary>
    public static async Task<IReadOnlyList<EntityNames>> NamesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string Id, string Name, string Kind, string? Country)>(new CommandDefinition(
            """SELECT id, name, kind, country FROM entities WHERE deleted_at IS NULL ORDER BY id COLLATE "C";""", transaction: transaction, cancellationToken: cancellationToken));
        var aliases = await AliasesAsync(connection, transaction, null, cancellationToken);
        return rows.Select(r => new EntityNames(r.Id, r.Name, r.Kind, r.Country, aliases.GetValueOrDefault(r.Id) ?? [])).ToList();
    }

    /// <summary>One entity; or its tombstone if deleted; or neither if unknown.</summary>
    public Task<RecordLookup<EntityItem>> GetAsync(string id, CancellationToken cancellationToken) =>
        PostgresReadSnapshot.ReadAsync(database, (c, tx) => GetAsync(c, tx, id, cancellationToken), cancellationToken);

    /// <summary>The same, on the caller's connection and transaction (a write's If-Match and its answer: on the primary).</summary>
    public static async Task<RecordLookup<EntityItem>> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<EntityRow>(new CommandDefinition(
            $"""
            {Columns},
                   (SELECT COUNT(DISTINCT ee.event_id) FROM event_entities ee JOIN events e ON e.id = ee.event_id AND e.deleted_at IS NULL
                    WHERE ee.entity_id = n.id) AS event_count
            FROM entities n
            WHERE n.id = @id;
            """,
            new { id },
            transaction,
            cancellationToken: cancellationToken));
        return row is null ? default
            : row.DeletedAt is not null ? new(null, new Tombstone(row.DeletedAt, row.DeletedBy ?? string.Empty, row.Version))
            : new(ToItem(row, await AliasesAsync(connection, transaction, [id], cancellationToken), row.EventCount), null);
    }

    public async Task<bool> ExistsAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM entities WHERE id = @id AND deleted_at IS NULL);", new { id }, cancellationToken: cancellationToken));
    }

    private static EntityItem ToItem(EntityRow row, Dictionary<string, List<string>> aliases, long eventCount) =>
        new(row.Id, row.Name, row.Kind, row.Country, aliases.TryGetValue(row.Id, out var a) ? a : [], row.Description, eventCount, row.Version)
        {
            FormerIds = StoredEvents.ReadList(row.FormerIds),
            Standalone = row.Standalone,
        };

    /// <summary>The aliases, in their order, of the entities given (of every live entity when null).</summary>
    private static async Task<Dictionary<string, List<string>>> AliasesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string[]? ids, CancellationToken cancellationToken)
    {
        if (ids is { Length: 0 })
        {
            return [];
        }

        var rows = await connection.QueryAsync<AliasRow>(new CommandDefinition(
            ids is null
                ? """
                  SELECT a.entity_id, a.alias
                  FROM entity_aliases a JOIN entities n ON n.id = a.entity_id AND n.deleted_at IS NULL
                  ORDER BY a.entity_id COLLATE "C", a.ordinal;
                  """
                : """SELECT entity_id, alias FROM entity_aliases WHERE entity_id = ANY(@ids) ORDER BY entity_id COLLATE "C", ordinal;""",
            new { ids },
            transaction,
            cancellationToken: cancellationToken));
        return rows.GroupBy(r => r.EntityId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.Alias).ToList(), StringComparer.Ordinal);
    }
}

using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// The ids records were known by (former_ids), kept by every writer inside its transaction: a GET of a former id
/// answers 301 to the record that lists it. A rename is a change in the history: when a record lists as former an id
/// that a live record of its kind still has, that record is retired (deleted by tombstone, with its revision), and the
/// former ids that led to the old id now lead to the new one. (The SQLite engine's FormerIds.)
/// </summary>
public static class PostgresFormerIdWriter
{
    /// <summary>Records the former ids of one record (resource "event", "entity" or "source"), retiring live records that had them.</summary>
    public static async Task WriteAsync(NpgsqlConnection c, NpgsqlTransaction tx, string resource, string id, IReadOnlyList<string> formerIds, Change change, CancellationToken ct)
    {
        // A current id is nobody's former id.
        await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM former_ids WHERE resource = @resource AND former_id = @id;", new { resource, id }, tx, cancellationToken: ct));
        var table = StoredColumns.Table(resource);
        for (var i = 0; i < formerIds.Count; i++)
        {
            var former = formerIds[i];
            var live = await c.QuerySingleOrDefaultAsync<(string Id, long Version)?>(new CommandDefinition(
                $"SELECT id, version FROM {table} WHERE id = @former AND deleted_at IS NULL;", new { former }, tx, cancellationToken: ct));
            if (live is { } old)
            {
                var document = await c.ExecuteScalarAsync<string>(new CommandDefinition(
                    "SELECT document FROM revisions WHERE resource = @resource AND resource_id = @former AND version = @Version;",
                    new { resource, former, old.Version },
                    tx,
                    cancellationToken: ct));
                await PostgresTimelineWriter.SetDeletedAsync(c, tx, resource, former, deleted: true, document ?? "{}", change, ct);
            }

            await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE former_ids SET current_id = @id WHERE resource = @resource AND current_id = @former;
                INSERT INTO former_ids (resource, former_id, current_id, ordinal) VALUES (@resource, @former, @id, @i)
                ON CONFLICT (resource, former_id) DO UPDATE SET current_id = excluded.current_id, ordinal = excluded.ordinal;
                """,
                new { resource, former, id, i },
                tx,
                cancellationToken: ct));
        }
    }

    /// <summary>The current id a former id leads to, or null when it is no record's former id.</summary>
    public static Task<string?> ResolveAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string resource, string formerId, CancellationToken ct) =>
        c.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT current_id FROM former_ids WHERE resource = @resource AND former_id = @formerId;",
            new { resource, formerId },
            tx,
            cancellationToken: ct));
}

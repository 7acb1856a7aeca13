using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// The links between events (event_links): an event's <c>related</c> ids and the id it <c>supersedes</c>, kept by the
/// writers inside their transaction, and what a write needs to know about them: which targets are live, where a chain
/// of <c>supersedes</c> leads, and which live events link to one (a delete is refused while they do). A link names an
/// id as written; an id that became a former id (a merge, a rename) leads to its current event. (The SQLite engine's EventLinks.)
/// </summary>
public static class PostgresEventLinks
{
    /// <summary>Replaces the event's links with those of its document.</summary>
    public static async Task WriteAsync(NpgsqlConnection c, NpgsqlTransaction tx, ValidEvent e, CancellationToken ct)
    {
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM event_links WHERE event_id = @Id;", new { e.Id }, tx, cancellationToken: ct));
        var rows = StoredColumns.LinkRows(e).ToList();
        if (rows.Count > 0)
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO event_links (event_id, kind, target_id, ordinal) SELECT @Id, l.kind, l.target_id, l.ordinal FROM unnest(@Kinds, @Targets, @Ordinals) AS l(kind, target_id, ordinal);",
                new { e.Id, Kinds = rows.Select(r => r.Kind).ToArray(), Targets = rows.Select(r => r.TargetId).ToArray(), Ordinals = rows.Select(r => r.Ordinal).ToArray() },
                tx,
                cancellationToken: ct));
        }
    }

    /// <summary>Of the ids given, those that are live events.</summary>
    public static async Task<HashSet<string>> LiveAsync(NpgsqlConnection c, NpgsqlTransaction? tx, IEnumerable<string> ids, CancellationToken ct) =>
        new(await c.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM events WHERE id = ANY(@ids) AND deleted_at IS NULL;", new { ids = PostgresText.Comparable(ids) }, tx, cancellationToken: ct)),
            StringComparer.Ordinal);

    /// <summary>The event a stored event supersedes (by the current id its link leads to), or null.</summary>
    public static Task<string?> SupersededAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string id, CancellationToken ct) =>
        c.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            SELECT COALESCE(f.current_id, l.target_id)
            FROM event_links l LEFT JOIN former_ids f ON f.resource = 'event' AND f.former_id = l.target_id
            WHERE l.event_id = @id AND l.kind = 'supersedes';
            """,
            new { id },
            tx,
            cancellationToken: ct));

    /// <summary>Every stored supersedes link of a live event, by the current ids they lead to (for an import's cycle check).</summary>
    public static async Task<Dictionary<string, string>> AllSupersedesAsync(NpgsqlConnection c, NpgsqlTransaction? tx, CancellationToken ct) =>
        (await c.QueryAsync<(string EventId, string Target)>(new CommandDefinition(
            """
            SELECT l.event_id, COALESCE(f.current_id, l.target_id)
            FROM event_links l JOIN events e ON e.id = l.event_id AND e.deleted_at IS NULL
            LEFT JOIN former_ids f ON f.resource = 'event' AND f.former_id = l.target_id
            WHERE l.kind = 'supersedes';
            """,
            transaction: tx,
            cancellationToken: ct)))
        .ToDictionary(r => r.EventId, r => r.Target, StringComparer.Ordinal);

    /// <summary>
    /// The live events (other than the event itself) whose links lead to the event, by its id or one of its former ids,
    /// in id order (ordinal, whatever the database's collation): deleting it would leave their links pointing at nothing.
    /// </summary>
    public static async Task<IReadOnlyList<string>> LinkedFromAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<string>(new CommandDefinition(
            """
            SELECT DISTINCT l.event_id
            FROM event_links l JOIN events e ON e.id = l.event_id AND e.deleted_at IS NULL
            WHERE l.target_id IN (SELECT @id UNION ALL SELECT former_id FROM former_ids WHERE resource = 'event' AND current_id = @id)
              AND l.event_id <> @id;
            """,
            new { id },
            tx,
            cancellationToken: ct))).Order(StringComparer.Ordinal).ToList();

    /// <summary>The targets of the event's links that are deleted and lead nowhere else (no live event has them as a former id).</summary>
    public static async Task<IReadOnlyList<string>> DeletedTargetsAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<string>(new CommandDefinition(
            """
            SELECT DISTINCT l.target_id
            FROM event_links l JOIN events t ON t.id = l.target_id AND t.deleted_at IS NOT NULL
            WHERE l.event_id = @id
              AND NOT EXISTS (SELECT 1 FROM former_ids f JOIN events n ON n.id = f.current_id AND n.deleted_at IS NULL
                              WHERE f.resource = 'event' AND f.former_id = l.target_id);
            """,
            new { id },
            tx,
            cancellationToken: ct))).Order(StringComparer.Ordinal).ToList();
}

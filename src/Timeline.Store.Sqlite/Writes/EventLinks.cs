using System.Data;
using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The links between events (event_links, migration 0009): an event's <c>related</c> ids and the id it
/// <c>supersedes</c>, kept by the writers inside their transaction, and what a write needs to know about them: which
/// targets are live, whether a chain of <c>supersedes</c> comes back to the event, and which live events link to one
/// (a delete is refused while they do). A link names an id as written; an id that became a former id (a merge, a
/// rename) leads to its current event.
/// </summary>
public static class EventLinks
{
    /// <summary>Replaces the event's links with those of its document.</summary>
    public static async Task WriteAsync(IDbConnection c, IDbTransaction tx, ValidEvent e, CancellationToken ct)
    {
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM event_links WHERE event_id = @Id;", new { e.Id }, tx, cancellationToken: ct));
        var rows = Rows(e).Select(r => new { EventId = e.Id, r.Kind, r.TargetId, r.Ordinal }).ToList();
        if (rows.Count > 0)
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO event_links (event_id, kind, target_id, ordinal) VALUES (@EventId, @Kind, @TargetId, @Ordinal);", rows, tx, cancellationToken: ct));
        }
    }

    /// <summary>The rows an event's links are stored as (<see cref="StoredColumns.LinkRows"/>).</summary>
    public static IEnumerable<(string Kind, string TargetId, int Ordinal)> Rows(ValidEvent e) => StoredColumns.LinkRows(e);

    /// <summary>Of the ids given, those that are live events.</summary>
    public static async Task<HashSet<string>> LiveAsync(IDbConnection c, IDbTransaction? tx, IEnumerable<string> ids, CancellationToken ct)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            live.UnionWith(await c.QueryAsync<string>(new CommandDefinition(
                "SELECT id FROM events WHERE id IN @chunk AND deleted_at IS NULL;", new { chunk }, tx, cancellationToken: ct)));
        }

        return live;
    }

    /// <summary>The event a stored event supersedes (by the current id its link leads to), or null.</summary>
    public static Task<string?> SupersededAsync(IDbConnection c, IDbTransaction? tx, string id, CancellationToken ct) =>
        c.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            SELECT COALESCE(f.current_id, l.target_id)
            FROM event_links l LEFT JOIN former_ids f ON f.resource = 'event' AND f.former_id = l.target_id
            WHERE l.event_id = @id AND l.kind = 'supersedes';
            """,
            new { id },
            tx,
            cancellationToken: ct));

    /// <summary>Every stored supersedes link, by the current ids they lead to (for an import's cycle check).</summary>
    public static async Task<Dictionary<string, string>> AllSupersedesAsync(IDbConnection c, IDbTransaction? tx, CancellationToken ct) =>
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
    /// in id order: deleting it would leave their links pointing at nothing.
    /// </summary>
    public static async Task<IReadOnlyList<string>> LinkedFromAsync(IDbConnection c, IDbTransaction? tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<string>(new CommandDefinition(
            """
            SELECT DISTINCT l.event_id
            FROM event_links l JOIN events e ON e.id = l.event_id AND e.deleted_at IS NULL
            WHERE l.target_id IN (SELECT @id UNION ALL SELECT former_id FROM former_ids WHERE resource = 'event' AND current_id = @id)
              AND l.event_id <> @id
            ORDER BY l.event_id;
            """,
            new { id },
            tx,
            cancellationToken: ct))).AsList();

    /// <summary>The targets of the event's links that are deleted and lead nowhere else (no live event has them as a former id).</summary>
    public static async Task<IReadOnlyList<string>> DeletedTargetsAsync(IDbConnection c, IDbTransaction? tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<string>(new CommandDefinition(
            """
            SELECT DISTINCT l.target_id
            FROM event_links l JOIN events t ON t.id = l.target_id AND t.deleted_at IS NOT NULL
            WHERE l.event_id = @id
              AND NOT EXISTS (SELECT 1 FROM former_ids f JOIN events n ON n.id = f.current_id AND n.deleted_at IS NULL
                              WHERE f.resource = 'event' AND f.former_id = l.target_id)
            ORDER BY l.target_id;
            """,
            new { id },
            tx,
            cancellationToken: ct))).AsList();
}

using System.Data;
using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Keeps the full-text tables (events_fts, entities_fts, sources_fts) in step with the timeline's tables.
/// Every writer calls it inside its own transaction, so the search index never disagrees with the data.
/// </summary>
public static class SearchIndex
{
    private const string F = CjkSqlFunction.Name;

    /// <summary>
    /// An event's search row: title, summary, tags, quotes, its references (title, citation, document number each) and
    /// the names and aliases of the entities it involves (so 华为, an alias of Huawei, finds Huawei's events), every
    /// column with its CJK characters spread (<see cref="CjkText"/>).
    /// </summary>
    private const string EventRows =
        $"""
        SELECT e.seq,
               {F}(e.title),
               {F}(e.summary),
               COALESCE((SELECT group_concat(t.tag, ' ') FROM event_tags t WHERE t.event_id = e.id), ''),
               {F}(COALESCE((SELECT group_concat(c.quote, ' … ') FROM citations c WHERE c.event_id = e.id), '')),
               {F}(COALESCE((SELECT group_concat(json_extract(r.value, '$.title')
                                                 || COALESCE(' ; ' || json_extract(r.value, '$.citation'), '')
                                                 || COALESCE(' ; ' || json_extract(r.value, '$.documentNumber'), ''), ' … ')
                             FROM json_each(e.refs) r), '')),
               {F}(COALESCE((SELECT group_concat(x.names, ' ; ')
                             FROM (SELECT n.name || COALESCE((SELECT ' ; ' || group_concat(a.alias, ' ; ')
                                                              FROM (SELECT a.alias FROM entity_aliases a WHERE a.entity_id = n.id ORDER BY a.ordinal) a), '') AS names
                                   FROM (SELECT entity_id, MIN(ordinal) AS first FROM event_entities WHERE event_id = e.id GROUP BY entity_id) l
                                   JOIN entities n ON n.id = l.entity_id
                                   ORDER BY l.first) x), ''))
        FROM events e
        WHERE e.deleted_at IS NULL
        """;

    private const string EntityRows =
        $"""
        SELECT n.seq,
               {F}(n.name),
               {F}(COALESCE((SELECT group_concat(a.alias, ' ; ') FROM entity_aliases a WHERE a.entity_id = n.id), '')),
               {F}(COALESCE(n.description, ''))
        FROM entities n
        WHERE n.deleted_at IS NULL
        """;

    private const string SourceRows = $"SELECT s.seq, {F}(s.title), {F}(COALESCE(s.publisher, '')), {F}(s.text) FROM sources s WHERE s.deleted_at IS NULL";

    private const string EventColumns = "rowid, title, summary, tags, quotes, refs, names";

    /// <summary>
    /// One event's search row from values in hand (the bulk writer's prepared command; SQLite parameter syntax):
    /// $tags, $quotes, $refs and $names as <see cref="SearchColumns.Tags"/>, <see cref="SearchColumns.Quotes"/>, <see cref="SearchColumns.References"/>
    /// and <see cref="SearchColumns.Names"/> make them, and every text spread by <see cref="CjkText.Spread"/>, equal to what the
    /// statements above build from the tables.
    /// </summary>
    public const string InsertEventSql = $"INSERT INTO events_fts ({EventColumns}) VALUES ($seq, $title, $summary, $tags, $quotes, $refs, $names);";

    /// <summary>Every entity's "name ; alias ; alias" (aliases in order), as <see cref="SearchColumns.Names"/> takes them.</summary>
    public const string EntityNamesSql =
        """
        SELECT n.id, n.name || COALESCE((SELECT ' ; ' || group_concat(a.alias, ' ; ')
                                         FROM (SELECT a.alias FROM entity_aliases a WHERE a.entity_id = n.id ORDER BY a.ordinal) a), '')
        FROM entities n;
        """;

    /// <summary>
    /// FTS5's own settings for a bulk load into events_fts and sources_fts, inside the loader's transaction: a
    /// 64 MiB buffer of pending terms (instead of 1 MiB) and no merging while rows come in, so the index is written
    /// as a few large segments (six for a million events) rather than flushed and merged again every megabyte; the
    /// statements from <see cref="EndBulkLoadSql"/> put FTS5's defaults back before the transaction commits.
    /// </summary>
    public const string BeginBulkLoadSql =
        """
        INSERT INTO events_fts (events_fts, rank) VALUES ('hashsize', 67108864);
        INSERT INTO events_fts (events_fts, rank) VALUES ('automerge', 0);
        INSERT INTO sources_fts (sources_fts, rank) VALUES ('hashsize', 67108864);
        INSERT INTO sources_fts (sources_fts, rank) VALUES ('automerge', 0);
        """;

    /// <summary>FTS5's defaults again (1 MiB of pending terms, merging at 4 segments of a level), for the writes that follow a bulk load.</summary>
    public const string EndBulkLoadSql =
        """
        INSERT INTO events_fts (events_fts, rank) VALUES ('hashsize', 1048576);
        INSERT INTO events_fts (events_fts, rank) VALUES ('automerge', 4);
        INSERT INTO sources_fts (sources_fts, rank) VALUES ('hashsize', 1048576);
        INSERT INTO sources_fts (sources_fts, rank) VALUES ('automerge', 4);
        """;

    /// <summary>Indexes every source with seq &gt;= $first.</summary>
    public const string IndexSourcesFromSql = $"INSERT INTO sources_fts (rowid, title, publisher, text) {SourceRows} AND s.seq >= $first;";

    /// <summary>Re-indexes the given events (after they, their tags or their citations changed); deleted ones leave the index.</summary>
    public static Task<int> RefreshEventsAsync(IDbConnection connection, IDbTransaction transaction, IReadOnlyCollection<long> seqs, CancellationToken cancellationToken) =>
        Execute(connection, transaction,
            $"""
            DELETE FROM events_fts WHERE rowid IN @seqs;
            INSERT INTO events_fts ({EventColumns}) {EventRows} AND e.seq IN @seqs;
            """,
            new { seqs },
            cancellationToken);

    /// <summary>Removes the search rows with these numbers (events that moved to another number).</summary>
    public static Task<int> RemoveEventsAsync(IDbConnection connection, IDbTransaction transaction, IReadOnlyCollection<long> seqs, CancellationToken cancellationToken) =>
        Execute(connection, transaction, "DELETE FROM events_fts WHERE rowid IN @seqs;", new { seqs }, cancellationToken);

    /// <summary>Builds every event's search row anew (after the events were renumbered).</summary>
    public static Task<int> RebuildEventsAsync(IDbConnection connection, IDbTransaction transaction, CancellationToken cancellationToken) =>
        Execute(connection, transaction, $"DELETE FROM events_fts; INSERT INTO events_fts ({EventColumns}) {EventRows};", null, cancellationToken);

    /// <summary>Re-indexes the live events that involve the entity (after its name or aliases changed: the events' names column holds them).</summary>
    public static Task<int> RefreshEventsOfEntityAsync(IDbConnection connection, IDbTransaction transaction, string id, CancellationToken cancellationToken) =>
        Execute(connection, transaction,
            $"""
            DELETE FROM events_fts WHERE rowid IN (SELECT e.seq FROM event_entities ee JOIN events e ON e.id = ee.event_id WHERE ee.entity_id = @id);
            INSERT INTO events_fts ({EventColumns}) {EventRows} AND e.id IN (SELECT ee.event_id FROM event_entities ee WHERE ee.entity_id = @id);
            """,
            new { id },
            cancellationToken);

    /// <summary>Re-indexes one entity (after it or its aliases changed); a deleted one leaves the index.</summary>
    public static Task<int> RefreshEntityAsync(IDbConnection connection, IDbTransaction transaction, string id, CancellationToken cancellationToken) =>
        Execute(connection, transaction,
            $"""
            DELETE FROM entities_fts WHERE rowid = (SELECT seq FROM entities WHERE id = @id);
            INSERT INTO entities_fts (rowid, name, aliases, description) {EntityRows} AND n.id = @id;
            """,
            new { id },
            cancellationToken);

    /// <summary>Re-indexes one source; a deleted one leaves the index.</summary>
    public static Task<int> RefreshSourceAsync(IDbConnection connection, IDbTransaction transaction, string id, CancellationToken cancellationToken) =>
        Execute(connection, transaction,
            $"""
            DELETE FROM sources_fts WHERE rowid = (SELECT seq FROM sources WHERE id = @id);
            INSERT INTO sources_fts (rowid, title, publisher, text) {SourceRows} AND s.id = @id;
            """,
            new { id },
            cancellationToken);

    /// <summary>Moves the store's data version forward; every writer calls it once per transaction.</summary>
    public static Task<int> BumpDataVersionAsync(IDbConnection connection, IDbTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken) =>
        Execute(connection, transaction,
            "UPDATE store_state SET data_version = data_version + 1, updated_at = @UpdatedAt WHERE id = 1;",
            new { UpdatedAt = Timestamps.Format(now) },
            cancellationToken);

    private static Task<int> Execute(IDbConnection connection, IDbTransaction transaction, string sql, object? parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
}

using Dapper;

namespace Timeline.Store.Postgres;

/// <summary>Events on PostgreSQL: the lookups their rules need, their write, and their answer (read in the session).</summary>
internal sealed class PostgresEventKind : EventRecordKind<PostgresWriteSession>
{
    protected override async Task<Dictionary<string, string>> LiveSourceTextsAsync(PostgresWriteSession s, string[] ids, CancellationToken ct) =>
        (await s.Connection.QueryAsync<(string Id, string Text)>(new CommandDefinition(
            "SELECT id, text FROM sources WHERE id = ANY(@ids) AND deleted_at IS NULL;", new { ids = PostgresText.Comparable(ids) }, s.Transaction, cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => r.Text, StringComparer.Ordinal);

    protected override async Task<HashSet<string>> LiveEntitiesAsync(PostgresWriteSession s, string[] ids, CancellationToken ct) =>
        (await s.Connection.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM entities WHERE id = ANY(@ids) AND deleted_at IS NULL;", new { ids = PostgresText.Comparable(ids) }, s.Transaction, cancellationToken: ct)))
            .ToHashSet(StringComparer.Ordinal);

    protected override Task<IReadOnlyList<EntityNames>> EntityNamesAsync(PostgresWriteSession s, CancellationToken ct) =>
        PostgresEntityReader.NamesAsync(s.Connection, s.Transaction, ct);

    protected override EventLinkRules.ILookups Links(PostgresWriteSession s) => new LinkLookups(s);

    public override Task<long> WriteAsync(PostgresWriteSession s, ValidEvent valid, string action, Change change, CancellationToken ct) =>
        PostgresTimelineWriter.WriteEventAsync(s.Connection, s.Transaction, valid, action, change, ct);

    public override async Task<(EventDetail? Record, long Version)> ReadAsync(PostgresWriteSession s, string id, CancellationToken ct) =>
        (await PostgresEventDetails.GetAsync(s.Connection, s.Transaction, id, ct)).Found is { } detail ? (detail, detail.Version) : (null, 0);

    public override Task<IReadOnlyList<string>> DeleteBlockersAsync(PostgresWriteSession s, string id, CancellationToken ct) =>
        PostgresEventLinks.LinkedFromAsync(s.Connection, s.Transaction, id, ct);

    public override async Task<IReadOnlyList<RecordRef>> RestoreBlockersAsync(PostgresWriteSession s, string id, CancellationToken ct)
    {
        // The deleted entities and sources it refers to (entities first, each in id order), then its deleted link targets.
        var records = (await s.Connection.QueryAsync<(string Resource, string Id)>(new CommandDefinition(
            """
            SELECT DISTINCT 'entity' AS resource, n.id FROM event_entities ee JOIN entities n ON n.id = ee.entity_id WHERE ee.event_id = @id AND n.deleted_at IS NOT NULL
            UNION
            SELECT DISTINCT 'source', r.id FROM citations ci JOIN sources r ON r.id = ci.source_id WHERE ci.event_id = @id AND r.deleted_at IS NOT NULL;
            """,
            new { id },
            s.Transaction,
            cancellationToken: ct))).OrderBy(r => r.Resource, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal);
        var links = await PostgresEventLinks.DeletedTargetsAsync(s.Connection, s.Transaction, id, ct);
        return [.. records.Select(r => new RecordRef(r.Resource, r.Id)), .. links.Select(t => new RecordRef("event", t))];
    }

    private sealed class LinkLookups(PostgresWriteSession s) : EventLinkRules.ILookups
    {
        public Task<HashSet<string>> LiveAsync(IEnumerable<string> ids, CancellationToken ct) => PostgresEventLinks.LiveAsync(s.Connection, s.Transaction, ids, ct);

        public Task<string?> ResolveFormerAsync(string formerId, CancellationToken ct) => PostgresFormerIdWriter.ResolveAsync(s.Connection, s.Transaction, "event", formerId, ct);

        public Task<string?> SupersededAsync(string id, CancellationToken ct) => PostgresEventLinks.SupersededAsync(s.Connection, s.Transaction, id, ct);
    }
}

/// <summary>Entities on PostgreSQL: deleting one that live events involve is refused.</summary>
internal sealed class PostgresEntityKind : EntityRecordKind<PostgresWriteSession>
{
    public override Task<long> WriteAsync(PostgresWriteSession s, ValidEntity valid, string action, Change change, CancellationToken ct) =>
        PostgresTimelineWriter.WriteEntityAsync(s.Connection, s.Transaction, valid, action, change, ct);

    public override async Task<(EntityItem? Record, long Version)> ReadAsync(PostgresWriteSession s, string id, CancellationToken ct) =>
        (await PostgresEntityReader.GetAsync(s.Connection, s.Transaction, id, ct)).Found is { } item ? (item, item.Version) : (null, 0);

    public override Task<IReadOnlyList<string>> DeleteBlockersAsync(PostgresWriteSession s, string id, CancellationToken ct) =>
        PostgresRecordKinds.LiveEventsAsync(s, "event_entities", "entity_id", id, ct);
}

/// <summary>Sources on PostgreSQL: deleting one that live events cite is refused; its text is unique and never changes.</summary>
internal sealed class PostgresSourceKind : SourceRecordKind<PostgresWriteSession>
{
    public override Task<long> WriteAsync(PostgresWriteSession s, ValidSource valid, string action, Change change, CancellationToken ct) =>
        PostgresTimelineWriter.WriteSourceAsync(s.Connection, s.Transaction, valid, action, change, ct);

    public override async Task<(SourceDetail? Record, long Version)> ReadAsync(PostgresWriteSession s, string id, CancellationToken ct) =>
        (await PostgresSourceReader.GetAsync(s.Connection, s.Transaction, id, ct)).Found is { } detail ? (detail, detail.Version) : (null, 0);

    public override Task<IReadOnlyList<string>> DeleteBlockersAsync(PostgresWriteSession s, string id, CancellationToken ct) =>
        PostgresRecordKinds.LiveEventsAsync(s, "citations", "source_id", id, ct);

    protected override async Task<(string Id, bool Deleted)?> SourceWithTextAsync(PostgresWriteSession s, string sha256, CancellationToken ct) =>
        await s.Connection.QuerySingleOrDefaultAsync<(string Id, bool Deleted)?>(new CommandDefinition(
            "SELECT id, deleted_at IS NOT NULL FROM sources WHERE sha256 = @sha256;", new { sha256 }, s.Transaction, cancellationToken: ct));

    protected override Task<string?> StoredHashAsync(PostgresWriteSession s, string id, CancellationToken ct) =>
        s.Connection.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT sha256 FROM sources WHERE id = @id;", new { id }, s.Transaction, cancellationToken: ct));
}

/// <summary>What the record kinds share on PostgreSQL.</summary>
internal static class PostgresRecordKinds
{
    /// <summary>
    /// The live events that link to a record, by id in byte order (what blocks its deletion): the rows of the link table
    /// <paramref name="links"/> whose <paramref name="column"/> is the record's id.
    /// </summary>
    public static async Task<IReadOnlyList<string>> LiveEventsAsync(PostgresWriteSession s, string links, string column, string id, CancellationToken ct) =>
        (await s.Connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT DISTINCT e.id FROM {links} l JOIN events e ON e.id = l.event_id WHERE l.{column} = @id AND e.deleted_at IS NULL;",
            new { id },
            s.Transaction,
            cancellationToken: ct))).Order(StringComparer.Ordinal).ToList();
}

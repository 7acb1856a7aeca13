using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>Events: validated against the live sources (verbatim quotes) and entities in the store.</summary>
internal sealed class EventKind : EventRecordKind<SqliteWriteSession>
{
    protected override async Task<Dictionary<string, string>> LiveSourceTextsAsync(SqliteWriteSession s, string[] ids, CancellationToken ct) =>
        (await s.Connection.QueryAsync<(string Id, string Text)>(new CommandDefinition(
            "SELECT id, text FROM sources WHERE id IN @ids AND deleted_at IS NULL;", new { ids }, s.Transaction, cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => r.Text, StringComparer.Ordinal);

    protected override async Task<HashSet<string>> LiveEntitiesAsync(SqliteWriteSession s, string[] ids, CancellationToken ct) =>
        (await s.Connection.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM entities WHERE id IN @ids AND deleted_at IS NULL;", new { ids }, s.Transaction, cancellationToken: ct)))
            .ToHashSet(StringComparer.Ordinal);

    protected override Task<IReadOnlyList<EntityNames>> EntityNamesAsync(SqliteWriteSession s, CancellationToken ct) =>
        SqliteEntityReader.NamesAsync(s.Connection, s.Transaction, ct);

    protected override EventLinkRules.ILookups Links(SqliteWriteSession s) => new LinkLookups(s);

    private sealed class LinkLookups(SqliteWriteSession s) : EventLinkRules.ILookups
    {
        public Task<HashSet<string>> LiveAsync(IEnumerable<string> ids, CancellationToken ct) => EventLinks.LiveAsync(s.Connection, s.Transaction, ids, ct);

        public Task<string?> ResolveFormerAsync(string formerId, CancellationToken ct) => FormerIds.ResolveAsync(s.Connection, s.Transaction, "event", formerId, ct);

        public Task<string?> SupersededAsync(string id, CancellationToken ct) => EventLinks.SupersededAsync(s.Connection, s.Transaction, id, ct);
    }

    public override Task<long> WriteAsync(SqliteWriteSession s, ValidEvent valid, string action, Change change, CancellationToken ct) =>
        TimelineWriter.WriteEventAsync(s.Connection, s.Transaction, valid, action, change, ct);

    public override async Task<(EventDetail? Record, long Version)> ReadAsync(SqliteWriteSession s, string id, CancellationToken ct)
    {
        var (detail, _) = await SqliteEventDetails.GetAsync(s.Connection, s.Transaction, id, ct);
        return (detail, detail?.Version ?? 0);
    }

    public override Task<IReadOnlyList<string>> DeleteBlockersAsync(SqliteWriteSession s, string id, CancellationToken ct) =>
        EventLinks.LinkedFromAsync(s.Connection, s.Transaction, id, ct);

    public override async Task<IReadOnlyList<RecordRef>> RestoreBlockersAsync(SqliteWriteSession s, string id, CancellationToken ct) =>
        [.. await RecordBlockersAsync(s, id, ct), .. (await EventLinks.DeletedTargetsAsync(s.Connection, s.Transaction, id, ct)).Select(t => new RecordRef("event", t))];

    private static async Task<IReadOnlyList<RecordRef>> RecordBlockersAsync(SqliteWriteSession s, string id, CancellationToken ct) =>
        (await s.Connection.QueryAsync<(string Resource, string Id)>(new CommandDefinition(
            """
            SELECT 'entity', n.id FROM event_entities ee JOIN entities n ON n.id = ee.entity_id WHERE ee.event_id = @id AND n.deleted_at IS NOT NULL
            UNION
            SELECT 'source', s.id FROM citations ci JOIN sources s ON s.id = ci.source_id WHERE ci.event_id = @id AND s.deleted_at IS NOT NULL
            ORDER BY 1, 2;
            """,
            new { id },
            s.Transaction,
            cancellationToken: ct))).Select(r => new RecordRef(r.Resource, r.Id)).ToList();
}

/// <summary>Entities: deleting one that live events involve is refused.</summary>
internal sealed class EntityKind : EntityRecordKind<SqliteWriteSession>
{
    public override Task<long> WriteAsync(SqliteWriteSession s, ValidEntity valid, string action, Change change, CancellationToken ct) =>
        TimelineWriter.WriteEntityAsync(s.Connection, s.Transaction, valid, action, change, ct);

    public override async Task<(EntityItem? Record, long Version)> ReadAsync(SqliteWriteSession s, string id, CancellationToken ct)
    {
        var (detail, _) = await SqliteEntityReader.GetAsync(s.Connection, s.Transaction, id, ct);
        return (detail, detail?.Version ?? 0);
    }

    public override async Task<IReadOnlyList<string>> DeleteBlockersAsync(SqliteWriteSession s, string id, CancellationToken ct) =>
        (await s.Connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT e.id FROM event_entities ee JOIN events e ON e.id = ee.event_id WHERE ee.entity_id = @id AND e.deleted_at IS NULL ORDER BY e.id;",
            new { id },
            s.Transaction,
            cancellationToken: ct))).AsList();
}

/// <summary>Sources: the text is fixed at creation (quotes and offsets point into it) and unique across sources.</summary>
internal sealed class SourceKind : SourceRecordKind<SqliteWriteSession>
{
    public override Task<long> WriteAsync(SqliteWriteSession s, ValidSource valid, string action, Change change, CancellationToken ct) =>
        TimelineWriter.WriteSourceAsync(s.Connection, s.Transaction, valid, action, change, ct);

    public override async Task<(SourceDetail? Record, long Version)> ReadAsync(SqliteWriteSession s, string id, CancellationToken ct)
    {
        var (detail, _) = await SqliteSourceReader.GetAsync(s.Connection, s.Transaction, id, ct);
        return (detail, detail?.Version ?? 0);
    }

    public override async Task<IReadOnlyList<string>> DeleteBlockersAsync(SqliteWriteSession s, string id, CancellationToken ct) =>
        (await s.Connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT e.id FROM citations ci JOIN events e ON e.id = ci.event_id WHERE ci.source_id = @id AND e.deleted_at IS NULL ORDER BY e.id;",
            new { id },
            s.Transaction,
            cancellationToken: ct))).AsList();

    protected override async Task<(string Id, bool Deleted)?> SourceWithTextAsync(SqliteWriteSession s, string sha256, CancellationToken ct) =>
        await s.Connection.QuerySingleOrDefaultAsync<(string Id, string? DeletedAt)?>(new CommandDefinition(
            "SELECT id, deleted_at FROM sources WHERE sha256 = @sha256;", new { sha256 }, s.Transaction, cancellationToken: ct)) is { } found
            ? (found.Id, found.DeletedAt is not null)
            : null;

    protected override Task<string?> StoredHashAsync(SqliteWriteSession s, string id, CancellationToken ct) =>
        s.Connection.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT sha256 FROM sources WHERE id = @id;", new { id }, s.Transaction, cancellationToken: ct));
}

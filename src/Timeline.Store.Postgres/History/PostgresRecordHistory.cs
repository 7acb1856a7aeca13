using System.Text.Json;
using Dapper;

namespace Timeline.Store.Postgres;

/// <summary>
/// The revisions table read as a record's history and as the change feed (<see cref="IRecordHistory"/>); positions are
/// revision seqs. Every write transaction takes its revision numbers while it holds the store's write lock
/// (<see cref="PostgresConnections.BeginWriteAsync"/>), so seqs are handed out in commit order: when a reader sees seq N
/// committed, every seq below N that will ever commit already has, and "after N" never skips one that commits later. (A
/// rolled-back write leaves a gap in the numbers, which a follower never waits for.) The feed and the list of
/// revisions may be served by a standby, which replays the primary's commits in their order, so it shows a prefix of
/// the same feed; one revision is read on the primary, as a write's own warnings read the revision it just made.
/// </summary>
internal sealed class PostgresRecordHistory(PostgresConnections database) : IRecordHistory
{
    private sealed class RevisionRow
    {
        public long Seq { get; init; }

        public string Resource { get; init; } = string.Empty;

        public string ResourceId { get; init; } = string.Empty;

        public long Version { get; init; }

        public string Action { get; init; } = string.Empty;

        public string Actor { get; init; } = string.Empty;

        public string At { get; init; } = string.Empty;

        public string Document { get; init; } = "{}";

        public string? Reason { get; init; }

        public JsonElement Parsed => JsonDocument.Parse(Document).RootElement.Clone();
    }

    public async Task<IReadOnlyList<RevisionSummary>> RevisionsAsync(string resource, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var rows = await connection.QueryAsync<RevisionRow>(new CommandDefinition(
            "SELECT version, action, actor, at, reason FROM revisions WHERE resource = @resource AND resource_id = @id ORDER BY version;",
            new { resource, id },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new RevisionSummary(r.Version, r.Action, r.Actor, r.At, r.Reason))];
    }

    public async Task<RevisionDetail?> RevisionAsync(string resource, string id, long version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RevisionRow>(new CommandDefinition(
            "SELECT version, action, actor, at, reason, document FROM revisions WHERE resource = @resource AND resource_id = @id AND version = @version;",
            new { resource, id, version },
            cancellationToken: cancellationToken));
        return row is null ? null : new RevisionDetail(row.Version, row.Action, row.Actor, row.At, row.Reason, row.Parsed);
    }

    public async Task<ChangeFeedPage> ChangesAsync(long after, int take, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var rows = (await connection.QueryAsync<RevisionRow>(new CommandDefinition(
            "SELECT seq, resource, resource_id, version, action, actor, at, reason, document FROM revisions WHERE seq > @after ORDER BY seq LIMIT @take;",
            new { after, take },
            cancellationToken: cancellationToken))).AsList();
        return new ChangeFeedPage(
            [.. rows.Select(r => new ChangeItem(r.Resource, r.ResourceId, r.Version, r.Action, r.Actor, r.At, r.Reason, r.Parsed))],
            rows.Count > 0 ? rows[^1].Seq : after);
    }
}

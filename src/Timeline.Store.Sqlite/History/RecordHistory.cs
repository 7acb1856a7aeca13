using System.Text.Json;
using Dapper;

namespace Timeline.Store.Sqlite;

/// <summary>The revisions table read as a record's history and as the change feed (<see cref="IRecordHistory"/>); positions are revision seqs.</summary>
internal sealed class RecordHistory(SqliteConnections database) : IRecordHistory
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
    }

    public async Task<IReadOnlyList<RevisionSummary>> RevisionsAsync(string resource, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RevisionRow>(new CommandDefinition(
            "SELECT version, action, actor, at, reason FROM revisions WHERE resource = @resource AND resource_id = @id ORDER BY version;",
            new { resource, id },
            cancellationToken: cancellationToken));
        return rows.Select(r => new RevisionSummary(r.Version, r.Action, r.Actor, r.At, r.Reason)).ToList();
    }

    public async Task<RevisionDetail?> RevisionAsync(string resource, string id, long version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RevisionRow>(new CommandDefinition(
            "SELECT version, action, actor, at, reason, document FROM revisions WHERE resource = @resource AND resource_id = @id AND version = @version;",
            new { resource, id, version },
            cancellationToken: cancellationToken));
        return row is null ? null : new RevisionDetail(row.Version, row.Action, row.Actor, row.At, row.Reason, JsonDocument.Parse(row.Document).RootElement.Clone());
    }

    public async Task<ChangeFeedPage> ChangesAsync(long after, int take, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<RevisionRow>(new CommandDefinition(
            """
            SELECT seq, resource, resource_id AS ResourceId, version, action, actor, at, reason, document
            FROM revisions WHERE seq > @after ORDER BY seq LIMIT @take;
            """,
            new { after, take },
            cancellationToken: cancellationToken))).AsList();
        var last = rows.Count > 0 ? rows[^1].Seq : after;
        return new ChangeFeedPage(
            rows.Select(r => new ChangeItem(r.Resource, r.ResourceId, r.Version, r.Action, r.Actor, r.At, r.Reason, JsonDocument.Parse(r.Document).RootElement.Clone())).ToList(),
            last);
    }
}

using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// Restores an exported history into an empty PostgreSQL store by replaying it (<see cref="HistoryReplayFlow{TSession}"/>): the
/// store's side of the replay, in the caller's write transaction.
/// </summary>
internal sealed class PostgresHistoryReplay(NpgsqlConnection c, NpgsqlTransaction tx)
    : HistoryReplayFlow<PostgresWriteSession>(new PostgresEventKind(), new PostgresEntityKind(), new PostgresSourceKind(), PostgresWriteSession.Within(c, tx))
{
    public static async Task<(ImportReport? Report, IReadOnlyList<DatasetError> Errors)> ApplyAsync(
        NpgsqlConnection c, NpgsqlTransaction tx, DatasetDocument document, CancellationToken ct)
    {
        var result = await new PostgresHistoryReplay(c, tx).ApplyAsync(document, ct);
        if (result.Report is not null)
        {
            await MoveFeedPastAsync(c, tx, ct);
        }

        return result;
    }

    /// <summary>After revisions were written with the positions a history gave them: the next write takes the position after the highest.</summary>
    public static Task MoveFeedPastAsync(NpgsqlConnection c, NpgsqlTransaction tx, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "SELECT setval(pg_get_serial_sequence('revisions', 'seq'), GREATEST((SELECT max(seq) FROM revisions), 1), (SELECT max(seq) FROM revisions) IS NOT NULL);",
            transaction: tx,
            cancellationToken: ct));

    protected override Task<long> HeldRevisionsAsync(CancellationToken ct) =>
        c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM revisions;", transaction: tx, cancellationToken: ct));

    protected override async Task<(long Version, string Stored)> SetDeletedAsync(string resource, string id, bool deleted, Change change, CancellationToken ct)
    {
        var current = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT version FROM {StoredColumns.Table(resource)} WHERE id = @id;", new { id }, tx, cancellationToken: ct));
        var stored = await c.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT document FROM revisions WHERE resource = @resource AND resource_id = @id AND version = @current;",
            new { resource, id, current }, tx, cancellationToken: ct)) ?? "{}";
        return (await PostgresTimelineWriter.SetDeletedAsync(c, tx, resource, id, deleted, stored, change, ct), stored);
    }

    protected override async Task<Dictionary<string, string>> LiveDocumentsAsync(string resource, CancellationToken ct) =>
        (await c.QueryAsync<(string Id, string Document)>(new CommandDefinition(
            $"SELECT t.id, r.document FROM {StoredColumns.Table(resource)} t JOIN revisions r ON r.resource = @resource AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL;",
            new { resource }, tx, cancellationToken: ct))).ToDictionary(x => x.Id, x => x.Document, StringComparer.Ordinal);
}

using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Restores an exported history into an empty SQLite store by replaying it (<see cref="HistoryReplayFlow{TSession}"/>, the rules
/// both engines share): the store's side of the replay, in the caller's transaction, through the same record kinds and
/// <see cref="TimelineWriter"/> as the writes that first made each revision.
/// </summary>
internal sealed class HistoryReplay(SqliteConnection c, SqliteTransaction tx)
    : HistoryReplayFlow<SqliteWriteSession>(new EventKind(), new EntityKind(), new SourceKind(), SqliteWriteSession.Within(c, tx))
{
    public static Task<(ImportReport? Report, IReadOnlyList<DatasetError> Errors)> ApplyAsync(
        SqliteConnection c, SqliteTransaction tx, DatasetDocument document, CancellationToken ct) =>
        new HistoryReplay(c, tx).ApplyAsync(document, ct);

    protected override Task<long> HeldRevisionsAsync(CancellationToken ct) =>
        c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM revisions;", transaction: tx, cancellationToken: ct));

    protected override async Task<(long Version, string Stored)> SetDeletedAsync(string resource, string id, bool deleted, Change change, CancellationToken ct)
    {
        var current = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT version FROM {TimelineWriter.Table(resource)} WHERE id = @id;", new { id }, tx, cancellationToken: ct));
        var stored = await c.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT document FROM revisions WHERE resource = @resource AND resource_id = @id AND version = @current;",
            new { resource, id, current }, tx, cancellationToken: ct)) ?? "{}";
        return (await TimelineWriter.SetDeletedAsync(c, tx, resource, id, deleted, stored, change, ct), stored);
    }

    protected override async Task<Dictionary<string, string>> LiveDocumentsAsync(string resource, CancellationToken ct) =>
        (await c.QueryAsync<(string Id, string Document)>(new CommandDefinition(
            $"SELECT t.id, r.document FROM {TimelineWriter.Table(resource)} t JOIN revisions r ON r.resource = @resource AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL;",
            new { resource }, tx, cancellationToken: ct))).ToDictionary(x => x.Id, x => x.Document, StringComparer.Ordinal);
}

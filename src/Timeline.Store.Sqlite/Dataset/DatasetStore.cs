using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The whole dataset in and out (<see cref="IDatasetStore"/>): an import validates and applies a dataset in one
/// immediate transaction (a first load into an empty store with a rollback journal, and the bulk writer for new
/// records); an export reads every live record's current document from one read snapshot.
/// </summary>
internal sealed class DatasetStore(SqliteConnections database, StoreInitializer initializer, TimeProvider clock, DataVersionCache state) : IDatasetStore
{
    public string Location => database.FilePath;

    public Task MigrateAsync(CancellationToken cancellationToken) => Migrator.MigrateAsync(database, cancellationToken);

    public Task<ValidatedDataset> ReseedAsync(CancellationToken cancellationToken) => initializer.ReseedAsync(cancellationToken);

    public async Task<ImportResult> ImportAsync(DatasetDocument document, WriteContext context, CancellationToken cancellationToken, ImportProgress? progress = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        SqliteConnections.PrepareForBulkWrite(connection);
        var rollbackJournal = await SqliteConnections.TryUseRollbackJournalForFirstLoadAsync(connection, cancellationToken);
        try
        {
            return await ImportAsync(connection, document, context, progress, cancellationToken);
        }
        finally
        {
            if (rollbackJournal)
            {
                await SqliteConnections.ConfigureFileAsync(connection, CancellationToken.None);
            }

            SqliteConnections.EndBulkWrite(connection);
        }
    }

    private async Task<ImportResult> ImportAsync(
        SqliteConnection connection, DatasetDocument document, WriteContext context, ImportProgress? progress, CancellationToken cancellationToken)
    {
        await using var transaction = connection.BeginTransaction(deferred: false);
        if (document.History is not null)
        {
            return await ImportHistoryAsync(connection, transaction, document, context, cancellationToken);
        }

        var (dataset, errors) = await DatasetImport.ValidateAsync(connection, transaction, document, cancellationToken);
        if (dataset is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new ImportResult(null, errors);
        }

        progress?.Step("validated");
        var report = await DatasetImport.ApplyAsync(connection, transaction, dataset, new Change(context.Actor, clock.GetUtcNow(), context.Reason), cancellationToken, progress);
        if (context.DryRun)
        {
            await transaction.RollbackAsync(cancellationToken);
            progress?.Step("rolled back (dry run)");
            return new ImportResult(report, []) { Dataset = dataset, Warnings = DatasetChecks.Check(dataset) };
        }

        await transaction.CommitAsync(cancellationToken);
        progress?.Step("committed");
        state.Invalidate();
        return new ImportResult(report, []);
    }

    /// <summary>A dataset with its history, replayed into an empty store (<see cref="HistoryReplay"/>), or every problem and the store unchanged.</summary>
    private async Task<ImportResult> ImportHistoryAsync(SqliteConnection connection, SqliteTransaction transaction, DatasetDocument document, WriteContext context, CancellationToken cancellationToken)
    {
        var (report, errors) = await HistoryReplay.ApplyAsync(connection, transaction, document, cancellationToken);
        if (report is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new ImportResult(null, errors);
        }

        await TimelineWriter.TouchAsync(connection, transaction, new Change(context.Actor, clock.GetUtcNow()), cancellationToken);
        if (context.DryRun)
        {
            var (dataset, _) = await DatasetImport.ValidateAsync(connection, transaction, document with { History = null }, cancellationToken);
            await transaction.RollbackAsync(cancellationToken);
            return new ImportResult(report, []) { Dataset = dataset, Warnings = dataset is null ? [] : DatasetChecks.Check(dataset) };
        }

        await transaction.CommitAsync(cancellationToken);
        state.Invalidate();
        return new ImportResult(report, []);
    }

    public async Task<IDatasetSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            return new Snapshot(connection, connection.BeginTransaction(deferred: true));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>One read transaction; each sequence streams its rows as it reads them.</summary>
    private sealed class Snapshot(SqliteConnection connection, SqliteTransaction transaction) : IDatasetSnapshot
    {
        public IAsyncEnumerable<SourceDocument> SourcesAsync(CancellationToken cancellationToken) => ReadAsync<SourceDocument>(
            "SELECT r.document FROM sources t JOIN revisions r ON r.resource = 'source' AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL ORDER BY t.id;",
            cancellationToken);

        public IAsyncEnumerable<EntityDocument> EntitiesAsync(CancellationToken cancellationToken) => ReadAsync<EntityDocument>(
            "SELECT r.document FROM entities t JOIN revisions r ON r.resource = 'entity' AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL ORDER BY t.id;",
            cancellationToken);

        public IAsyncEnumerable<EventDocument> EventsAsync(CancellationToken cancellationToken) => ReadAsync<EventDocument>(
            "SELECT r.document FROM events t JOIN revisions r ON r.resource = 'event' AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL ORDER BY t.first_day, t.date_precision, t.id;",
            cancellationToken);

        public async IAsyncEnumerable<RevisionDocument> HistoryAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
                "SELECT seq, resource, resource_id, version, action, actor, at, reason, document FROM revisions ORDER BY seq;",
                transaction: transaction,
                cancellationToken: cancellationToken));
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return new RevisionDocument
                {
                    Seq = reader.GetInt64(0),
                    Resource = reader.GetString(1),
                    Id = reader.GetString(2),
                    Version = reader.GetInt64(3),
                    Action = reader.GetString(4),
                    Actor = reader.GetString(5),
                    At = reader.GetString(6),
                    Reason = reader.IsDBNull(7) ? null : reader.GetString(7),
                    Document = System.Text.Json.Nodes.JsonNode.Parse(reader.GetString(8)) as System.Text.Json.Nodes.JsonObject,
                };
            }
        }

        public async ValueTask DisposeAsync()
        {
            // A read-only snapshot: ending it commits nothing.
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }

        private async IAsyncEnumerable<T> ReadAsync<T>(string sql, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return Documents.Deserialize<T>(reader.GetString(0))!;
            }
        }
    }
}

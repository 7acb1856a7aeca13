using System.Data;
using System.Runtime.CompilerServices;
using Dapper;
using Npgsql;

namespace Timeline.Store.Postgres;

/// <summary>
/// The whole dataset in and out (<see cref="IDatasetStore"/>) on PostgreSQL: an import validates and applies a dataset in
/// one write transaction (holding the store's write lock; new records by COPY); an export reads every live record's
/// current document from one repeatable-read snapshot. The SQLite engine's DatasetStore, answer for answer.
/// </summary>
internal sealed class PostgresDatasetStore(PostgresConnections database, PostgresStoreInitializer initializer, TimeProvider clock, PostgresDataVersion state) : IDatasetStore
{
    public string Location
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            return $"PostgreSQL database {builder.Database} on {builder.Host}";
        }
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => PostgresMigrator.MigrateAsync(database, cancellationToken);

    public Task<ValidatedDataset> ReseedAsync(CancellationToken cancellationToken) => initializer.ReseedAsync(cancellationToken);

    public async Task<ImportResult> ImportAsync(DatasetDocument document, WriteContext context, CancellationToken cancellationToken, ImportProgress? progress = null)
    {
        ImportReport report;
        var (connection, transaction) = await database.BeginWriteAsync(cancellationToken);
        await using (connection)
        await using (transaction)
        {
            // An import takes as long as its rows do, not Timeline:CommandTimeoutSeconds per statement.
            await connection.ExecuteAsync(new CommandDefinition("SET LOCAL statement_timeout = 0;", transaction: transaction, cancellationToken: cancellationToken));
            if (document.History is not null)
            {
                return await ImportHistoryAsync(connection, transaction, document, context, cancellationToken);
            }

            var (dataset, errors) = await PostgresDatasetImport.ValidateAsync(connection, transaction, document, cancellationToken);
            if (dataset is null)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new ImportResult(null, errors);
            }

            progress?.Step("validated");
            report = await PostgresDatasetImport.ApplyAsync(
                connection, transaction, dataset, new Change(context.Actor, clock.GetUtcNow(), context.Reason), cancellationToken, progress);
            if (context.DryRun)
            {
                await transaction.RollbackAsync(cancellationToken);
                progress?.Step("rolled back (dry run)");
                return new ImportResult(report, []) { Dataset = dataset, Warnings = DatasetChecks.Check(dataset) };
            }

            await transaction.CommitAsync(cancellationToken);
            progress?.Step("committed");
        }

        state.Invalidate();
        return new ImportResult(report, []);
    }

    /// <summary>A dataset with its history, replayed into an empty store (<see cref="PostgresHistoryReplay"/>), or every problem and the store unchanged.</summary>
    private async Task<ImportResult> ImportHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DatasetDocument document, WriteContext context, CancellationToken cancellationToken)
    {
        var (report, errors) = await PostgresHistoryReplay.ApplyAsync(connection, transaction, document, cancellationToken);
        if (report is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new ImportResult(null, errors);
        }

        await PostgresTimelineWriter.TouchAsync(connection, transaction, new Change(context.Actor, clock.GetUtcNow()), cancellationToken);
        if (context.DryRun)
        {
            var (dataset, _) = await PostgresDatasetImport.ValidateAsync(connection, transaction, document with { History = null }, cancellationToken);
            await transaction.RollbackAsync(cancellationToken);
            return new ImportResult(report, []) { Dataset = dataset, Warnings = dataset is null ? [] : DatasetChecks.Check(dataset) };
        }

        await transaction.CommitAsync(cancellationToken);
        state.Invalidate();
        return new ImportResult(report, []);
    }

    public async Task<IDatasetSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenReadAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = 0;", transaction: transaction, cancellationToken: cancellationToken));
            return new Snapshot(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>One repeatable-read transaction; each sequence streams its rows as it reads them. Ids order ordinally, whatever the database's collation.</summary>
    private sealed class Snapshot(NpgsqlConnection connection, NpgsqlTransaction transaction) : IDatasetSnapshot
    {
        public IAsyncEnumerable<SourceDocument> SourcesAsync(CancellationToken cancellationToken) => ReadAsync<SourceDocument>(
            "SELECT r.document FROM sources t JOIN revisions r ON r.resource = 'source' AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL ORDER BY t.id COLLATE \"C\";",
            cancellationToken);

        public IAsyncEnumerable<EntityDocument> EntitiesAsync(CancellationToken cancellationToken) => ReadAsync<EntityDocument>(
            "SELECT r.document FROM entities t JOIN revisions r ON r.resource = 'entity' AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL ORDER BY t.id COLLATE \"C\";",
            cancellationToken);

        public IAsyncEnumerable<EventDocument> EventsAsync(CancellationToken cancellationToken) => ReadAsync<EventDocument>(
            "SELECT r.document FROM events t JOIN revisions r ON r.resource = 'event' AND r.resource_id = t.id AND r.version = t.version WHERE t.deleted_at IS NULL ORDER BY t.first_day COLLATE \"C\", t.date_precision, t.id COLLATE \"C\";",
            cancellationToken);

        public async IAsyncEnumerable<RevisionDocument> HistoryAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(
                "SELECT seq, resource, resource_id, version, action, actor, at, reason, document FROM revisions ORDER BY seq;", connection, transaction);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
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
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return Documents.Deserialize<T>(reader.GetString(0))!;
            }
        }
    }
}

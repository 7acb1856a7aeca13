using Dapper;
using Npgsql;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Postgres;

/// <summary>
/// Brings the PostgreSQL store up at startup: applies pending migrations (<see cref="PostgresMigrator"/>), then loads the
/// seed dataset when the store holds no data and Timeline:Seed is dataset. Replicas starting together against an empty
/// database seed it exactly once: "is it empty? seed" runs in one write transaction holding the store's write lock, so
/// the second replica waits for the first to commit and then finds the store full. An existing store is never reseeded
/// implicitly; see <see cref="ReseedAsync"/>.
/// </summary>
public sealed class PostgresStoreInitializer(
    PostgresConnections database, PostgresDataVersion state, IOptions<TimelineOptions> options, TimeProvider clock, ILogger<PostgresStoreInitializer> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A database is migrated only once the settings and the dataset have proved valid: a bad dataset leaves no
        // schema behind (as on SQLite, where it leaves no file).
        var seeds = options.Value.SeedsEmptyStore;
        var seedPath = options.Value.ResolvedSeedPath;
        ValidatedDataset? dataset = null;
        if (seeds)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            if (await PostgresMigrator.CurrentVersionAsync(connection, cancellationToken) == 0)
            {
                dataset = await ReadDatasetAsync(seedPath, cancellationToken);
            }
        }

        var applied = await PostgresMigrator.MigrateAsync(database, cancellationToken, logger);
        state.Invalidate();
        logger.LogInformation(
            "PostgreSQL store at schema version {Version}{Applied}",
            PostgresMigrator.LatestVersion,
            applied.Count > 0 ? $" (applied {string.Join(", ", applied)})" : string.Empty);

        // Looked at under the write lock, which a replica seeding the store holds for its whole load: a first load drops
        // and makes again the tables' indexes and foreign keys, locking table after table, and a bare read of three tables
        // here, between those locks, could deadlock with it (seen once in CI: three replicas starting at once).
        bool empty;
        var (check, checkTransaction) = await database.BeginWriteAsync(cancellationToken);
        await using (check)
        await using (checkTransaction)
        {
            empty = await IsEmptyAsync(check, checkTransaction, cancellationToken);
        }

        if (!empty)
        {
            return;
        }

        if (!seeds)
        {
            logger.LogInformation("The store is empty and Timeline:Seed is none: serving it empty (fill it through the API or an import)");
            return;
        }

        // The dataset is read and validated before the write lock is taken (it may be large); under the lock the store
        // is looked at again: another replica may have seeded it meanwhile.
        dataset ??= await ReadDatasetAsync(seedPath, cancellationToken);
        var (write, transaction) = await database.BeginWriteAsync(cancellationToken);
        await using (write)
        await using (transaction)
        {
            if (!await IsEmptyAsync(write, transaction, cancellationToken))
            {
                logger.LogInformation("Another replica seeded the store meanwhile: nothing to do");
                return;
            }

            await PostgresDatasetImport.SeedAsync(write, transaction, dataset, "seed", clock.GetUtcNow(), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        state.Invalidate();
        logger.LogInformation(
            "Seeded the empty store from {SeedPath}: {Sources} sources, {Entities} entities, {Events} events",
            seedPath,
            dataset.Sources.Count,
            dataset.Entities.Count,
            dataset.Events.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Replaces every row of the store and its history with the configured dataset, in one transaction.</summary>
    public async Task<ValidatedDataset> ReseedAsync(CancellationToken cancellationToken)
    {
        await PostgresMigrator.MigrateAsync(database, cancellationToken);
        var dataset = await ReadDatasetAsync(options.Value.ResolvedSeedPath, cancellationToken);
        var (connection, transaction) = await database.BeginWriteAsync(cancellationToken);
        await using (connection)
        await using (transaction)
        {
            await PostgresDatasetImport.ClearAsync(connection, transaction, cancellationToken);
            await PostgresDatasetImport.SeedAsync(connection, transaction, dataset, "seed", clock.GetUtcNow(), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        state.Invalidate();
        return dataset;
    }

    private async Task<ValidatedDataset> ReadDatasetAsync(string seedPath, CancellationToken cancellationToken)
    {
        try
        {
            var dataset = await DatasetReader.ReadAndValidateAsync(seedPath, cancellationToken);

            // The data-honesty checks warn, they never stop startup.
            foreach (var warning in DatasetChecks.Check(dataset))
            {
                logger.LogWarning("Dataset {SeedPath}: {Warning}", seedPath, warning.ToString());
            }

            return dataset;
        }
        catch (DatasetValidationException ex)
        {
            logger.LogCritical("{Message}", ex.Message);
            throw;
        }
    }

    /// <summary>Whether the store holds no source, entity or event (live or deleted).</summary>
    internal static async Task<bool> IsEmptyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken) =>
        !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM sources) OR EXISTS (SELECT 1 FROM entities) OR EXISTS (SELECT 1 FROM events);",
            transaction: transaction,
            cancellationToken: cancellationToken));
}

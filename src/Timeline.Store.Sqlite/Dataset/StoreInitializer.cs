using Dapper;
using Microsoft.Extensions.Options;
using Microsoft.Data.Sqlite;
using Timeline.Model.Dataset;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Brings the store up at startup: applies pending migrations, then loads the curated dataset when the
/// store holds no data. An existing store is never reseeded implicitly; see <see cref="ReseedAsync"/>.
/// </summary>
public sealed class StoreInitializer(
    SqliteConnections database, IOptions<TimelineOptions> options, TimeProvider clock, ILogger<StoreInitializer> logger, DataVersionCache? state = null)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A new store is created only once the dataset has proved valid: a bad dataset leaves no file behind.
        var seeds = options.Value.SeedsEmptyStore;
        var seedPath = seeds ? options.Value.ResolvedSeedPath : string.Empty;
        ValidatedDataset? dataset = null;
        if (seeds && !File.Exists(database.FilePath))
        {
            dataset = await ReadDatasetAsync(seedPath, cancellationToken);
        }

        var version = await Migrator.MigrateAsync(database, cancellationToken);
        logger.LogInformation("Store {Path} at schema version {Version}", database.FilePath, version);

        await using var connection = await database.OpenAsync(cancellationToken);
        if (!await IsEmptyAsync(connection, cancellationToken))
        {
            return;
        }

        if (!seeds)
        {
            logger.LogInformation("The store is empty and Timeline:Seed is none: serving it empty (fill it through the API or an import)");
            return;
        }

        dataset ??= await ReadDatasetAsync(seedPath, cancellationToken);
        await WriteAsync(connection, dataset, clear: false, cancellationToken);
        logger.LogInformation(
            "Seeded the empty store from {SeedPath}: {Sources} sources, {Entities} entities, {Events} events",
            seedPath,
            dataset.Sources.Count,
            dataset.Entities.Count,
            dataset.Events.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Replaces every row of the store with the dataset, in one transaction.</summary>
    public async Task<ValidatedDataset> ReseedAsync(CancellationToken cancellationToken)
    {
        await Migrator.MigrateAsync(database, cancellationToken);
        var dataset = await ReadDatasetAsync(options.Value.ResolvedSeedPath, cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await WriteAsync(connection, dataset, clear: true, cancellationToken);
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

    private async Task WriteAsync(SqliteConnection connection, ValidatedDataset dataset, bool clear, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (clear)
        {
            await DatasetImport.ClearAsync(connection, transaction, cancellationToken);
        }

        await DatasetImport.ApplyAsync(connection, transaction, dataset, new Change("seed", clock.GetUtcNow()), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        state?.Invalidate();
    }

    private static async Task<bool> IsEmptyAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM sources LIMIT 1))
                 + (SELECT COUNT(*) FROM (SELECT 1 FROM entities LIMIT 1))
                 + (SELECT COUNT(*) FROM (SELECT 1 FROM events LIMIT 1));
            """,
            cancellationToken: cancellationToken)) == 0;
}

using System.Globalization;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Timeline.Model.Store.Engine;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Backups and restores of the SQLite store.
/// A backup is <c>VACUUM INTO</c> a new file: one read transaction, so the copy is consistent while the server
/// goes on serving (and writing: the write-ahead log lets a reader and a writer run at once), and compact.
/// It is written under a temporary name and renamed into place, so no half-written copy ever carries the
/// final name.
/// A restore refuses while any process serves the store (<see cref="StoreLock"/>), checks the copy
/// (PRAGMA integrity_check and the schema version), copies it beside the store, and renames it over the store
/// in one atomic step, keeping the store it replaces.
/// </summary>
public sealed class StoreBackups(
    SqliteConnections database,
    IOptions<TimelineOptions> options,
    StoreMetrics metrics,
    TimeProvider clock,
    ILogger<StoreBackups> logger) : IStoreBackups, IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Where POST /admin/backup writes: Timeline:BackupDirectory, or "backups" beside the store.</summary>
    public string BackupDirectory => Path.GetFullPath(
        options.Value.BackupDirectory is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetDirectoryName(database.FilePath)!, "backups"));

    /// <summary>
    /// Writes a copy into <see cref="BackupDirectory"/> under a name made of the time (timeline-20250102-030405-6789012.db),
    /// chosen once the previous backup has finished; when a copy of that name exists (two backups in one tick of the
    /// clock), the name takes a number (timeline-20250102-030405-6789012-2.db).
    /// </summary>
    public Task<BackupResult> BackupToDirectoryAsync(CancellationToken cancellationToken) =>
        BackupAsync(
            () =>
            {
                var stem = Path.Combine(BackupDirectory, $"timeline-{clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss-fffffff", CultureInfo.InvariantCulture)}");
                var destination = stem + ".db";
                for (var n = 2; File.Exists(destination); n++)
                {
                    destination = $"{stem}-{n}.db";
                }

                return destination;
            },
            cancellationToken);

    /// <summary>Writes a consistent copy of the live store to a new file; an existing file is never overwritten.</summary>
    public Task<BackupResult> BackupAsync(string destination, CancellationToken cancellationToken) =>
        BackupAsync(() => Path.GetFullPath(destination), cancellationToken);

    /// <summary>One backup at a time; <paramref name="chooseDestination"/> runs once the previous one has finished.</summary>
    private async Task<BackupResult> BackupAsync(Func<string> chooseDestination, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        string? destination = null;
        string? partial = null;
        var name = "(unnamed)";
        try
        {
            destination = chooseDestination();
            name = NameOf(destination);
            partial = $"{destination}.partial-{Guid.NewGuid():N}";
            if (File.Exists(destination))
            {
                throw new StoreOperationException($"A backup named {name} already exists; a backup never overwrites a file.");
            }

            if (!File.Exists(database.FilePath))
            {
                throw new StoreOperationException("The store's file is gone: there is nothing to back up.");
            }

            var folder = Path.GetDirectoryName(destination)!;
            if (File.Exists(folder))
            {
                throw new StoreOperationException("The backup directory (Timeline:BackupDirectory) is a file, not a folder: point the setting at a folder, or move the file away.");
            }

            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !StorageFull.Is(ex))
            {
                throw new StoreOperationException("The backup directory (Timeline:BackupDirectory) cannot be created: a part of its path is a file, or the server may not write there.");
            }

            var createdAt = clock.GetUtcNow();
            await using (var connection = await database.OpenAsync(cancellationToken))
            {
                await connection.ExecuteAsync(new CommandDefinition("VACUUM INTO @Partial;", new { Partial = partial }, cancellationToken: cancellationToken));
            }

            var store = await SummarizeAsync(partial, cancellationToken);
            File.Move(partial, destination, overwrite: false);
            var result = new BackupResult(name, new FileInfo(destination).Length, await Sha256Async(destination, cancellationToken), createdAt, store)
            {
                FullPath = destination,
            };
            metrics.Backups.Add(1, new KeyValuePair<string, object?>("outcome", "written"));
            logger.LogInformation(
                "Backed up the store to {Backup} in the backup directory: {Bytes} bytes, schema {Schema}, data version {DataVersion}, {Events} events",
                name, result.Bytes, store.SchemaVersion, store.DataVersion, store.Counts.Events);
            return result;
        }
        catch (Exception ex) when (ex is not StoreOperationException and not OperationCanceledException)
        {
            metrics.Backups.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            logger.LogError("Backup to {Backup} failed: {Reason}", name, StorageFull.Is(ex) ? "no space left on the backup's or the store's volume" : ex.GetType().Name);
            throw;
        }
        finally
        {
            if (partial is not null)
            {
                DeleteQuietly(partial);
                DeleteQuietly(partial + "-wal");
                DeleteQuietly(partial + "-shm");
            }

            _oneAtATime.Release();
        }
    }

    /// <summary>A copy's name as clients and logs see it: relative to the backup directory, or its file name when it lies elsewhere.</summary>
    private string NameOf(string destination)
    {
        var relative = Path.GetRelativePath(BackupDirectory, destination);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? Path.GetFileName(destination) : relative;
    }

    /// <summary>
    /// Replaces the store with the copy at <paramref name="source"/>. Refused while a server holds the store, and
    /// for a copy that is not a timeline store, fails its integrity check, or has a schema newer than this build's.
    /// </summary>
    public async Task<RestoreResult> RestoreAsync(string source, CancellationToken cancellationToken)
    {
        source = Path.GetFullPath(source);
        var target = database.FilePath;
        if (!File.Exists(source))
        {
            throw new StoreOperationException($"{source} does not exist.");
        }

        if (string.Equals(source, target, StringComparison.Ordinal))
        {
            throw new StoreOperationException($"{source} is the store itself.");
        }

        using var exclusive = StoreLock.TryExclusive(target) ?? throw new StoreOperationException(
            $"The store {target} is in use: a server holds {StoreLock.PathFor(target)}. Stop it, then restore.");

        // Check the copy as given, then copy it beside the store (same file system, so the final rename is atomic)
        // and check the bytes that will actually be swapped in.
        await CheckAsync(source, cancellationToken);
        var incoming = $"{target}.restore-{Guid.NewGuid():N}";
        try
        {
            await using (var from = await OpenFileAsync(source, SqliteOpenMode.ReadOnly, cancellationToken))
            {
                await from.ExecuteAsync(new CommandDefinition("VACUUM INTO @Incoming;", new { Incoming = incoming }, cancellationToken: cancellationToken));
            }

            var schemaVersion = await CheckAsync(incoming, cancellationToken);

            // The store being replaced: fold its write-ahead log into it and keep it, so a restore can be undone.
            string? previous = null;
            if (File.Exists(target))
            {
                await StoreLifecycle.CheckpointAsync(database, logger, cancellationToken);
                previous = Path.Combine(
                    Path.GetDirectoryName(target)!,
                    $"{Path.GetFileNameWithoutExtension(target)}.before-restore-{clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}{Path.GetExtension(target)}");
                File.Copy(target, previous, overwrite: false);
            }

            // The log and shared-memory files belong to the old store: the new one must not meet them.
            DeleteQuietly(target + "-wal");
            DeleteQuietly(target + "-shm");
            File.Move(incoming, target, overwrite: true);
            logger.LogInformation("Restored {Store} from {Source} (schema {Schema}); the previous store is kept at {Previous}", target, source, schemaVersion, previous ?? "(none)");
            return new RestoreResult(target, schemaVersion, previous);
        }
        finally
        {
            DeleteQuietly(incoming);
            DeleteQuietly(incoming + "-wal");
            DeleteQuietly(incoming + "-shm");
        }
    }

    /// <summary>Checks that a file is a sound timeline store this build can serve; returns its schema version.</summary>
    public static async Task<int> CheckAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenFileAsync(path, SqliteOpenMode.ReadOnly, cancellationToken);
            var problems = (await connection.QueryAsync<string>(new CommandDefinition("PRAGMA integrity_check;", cancellationToken: cancellationToken))).ToList();
            if (problems is not ["ok"])
            {
                throw new StoreOperationException($"{path} fails SQLite's integrity check: {string.Join("; ", problems.Take(5))}");
            }

            var version = await Migrator.CurrentVersionAsync(connection, cancellationToken);
            if (version == 0)
            {
                throw new StoreOperationException($"{path} is a SQLite database but not a timeline store (it has no schema_migrations).");
            }

            if (version > Migrator.LatestVersion)
            {
                throw new StoreOperationException($"{path} has schema version {version}, newer than this build's {Migrator.LatestVersion}; restore it with the build that wrote it.");
            }

            return version;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 11)
        {
            // SQLITE_CORRUPT: the check itself could not get through the damaged pages.
            throw new StoreOperationException($"{path} fails SQLite's integrity check: {ex.Message}");
        }
        catch (SqliteException ex)
        {
            throw new StoreOperationException($"{path} is not a readable SQLite database: {ex.Message}");
        }
    }

    /// <summary>The counts and versions in a store file (a backup just written, say).</summary>
    public static async Task<StoreSummary> SummarizeAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await OpenFileAsync(path, SqliteOpenMode.ReadOnly, cancellationToken);
        return await StoreStatistics.ReadAsync(connection, cancellationToken);
    }

    public void Dispose() => _oneAtATime.Dispose();

    private static async Task<SqliteConnection> OpenFileAsync(string path, SqliteOpenMode mode, CancellationToken cancellationToken)
    {
        // Unpooled: the file must be closed when the check is done, so it can be renamed or deleted.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the operator; the message of the operation that made it says what happened.
        }
    }
}

using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The store's part in starting and stopping the server. Before anything touches the store, it takes the shared
/// <see cref="StoreLock"/> (refusing to start while a restore swaps the file). When
/// the server stops, after every other hosted service has stopped and Kestrel has let in-flight requests finish
/// (within Timeline:ShutdownTimeoutSeconds), it closes the kept read sessions, checkpoints the write-ahead log into the
/// database file, closes the pooled connections and lets go of the lock: a stopped server leaves one self-contained
/// file behind.
/// </summary>
public sealed class StoreLifecycle(SqliteConnections database, ReadSessions readSessions, ILogger<StoreLifecycle> logger) : IHostedLifecycleService, IDisposable
{
    private StoreLock? _lock;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _lock = StoreLock.TryShared(database.FilePath) ?? throw new InvalidOperationException(
            $"The store {database.FilePath} is being restored (another process holds {StoreLock.PathFor(database.FilePath)}); start the server when the restore has finished.");
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private readonly Lock _stopGate = new();
    private Task? _stopped;

    /// <summary>
    /// The host may be stopped twice at once (a caller's StopAsync, and RunAsync's own stop once the lifetime says
    /// stopping): the first stop closes the store, and every stop returns only when that is done. A second stop that
    /// returned at once let its caller see the store still open (the shutdown test failed about half the time alone).
    /// </summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        lock (_stopGate)
        {
            return _stopped ??= CloseStoreAsync(cancellationToken);
        }
    }

    private async Task CloseStoreAsync(CancellationToken cancellationToken)
    {
        var held = Interlocked.Exchange(ref _lock, null);
        if (held is null)
        {
            return;
        }

        try
        {
            // No connection of this process may stay open past the lock: a restore may swap the file next.
            readSessions.Close();
            if (File.Exists(database.FilePath))
            {
                await CheckpointAsync(database, logger, cancellationToken);
            }
        }
        finally
        {
            held.Dispose();
        }
    }

    public void Dispose() => _lock?.Dispose();

    /// <summary>Moves everything in the write-ahead log into the database file, truncates the log and closes the pool.</summary>
    public static async Task CheckpointAsync(SqliteConnections database, ILogger logger, CancellationToken cancellationToken)
    {
        SqliteConnection? connection = null;
        try
        {
            connection = await database.OpenAsync(cancellationToken);
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await using var reader = await checkpoint.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                // busy = 1 when another connection kept the checkpoint from completing.
                var busy = reader.GetInt64(0);
                var frames = reader.GetInt64(1);
                logger.LogInformation("Checkpointed the write-ahead log of {Path} ({Frames} frames{Busy})", database.FilePath, frames, busy == 1 ? ", incomplete: the store was busy" : string.Empty);
            }
        }
        catch (SqliteException ex)
        {
            logger.LogWarning(ex, "Could not checkpoint {Path}; SQLite will replay its write-ahead log at the next start", database.FilePath);
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
                SqliteConnection.ClearPool(connection);
            }
        }
    }
}

namespace Timeline.Model.Store.Engine;

/// <summary>
/// The store's data version, which ETags and the response cache are keyed by, kept in memory whatever the engine: writes
/// made by this process refresh it at once (<see cref="Invalidate"/>); changes made by another process (an import run
/// beside the server, another replica) are seen within the refresh interval (Timeline:DataVersionRefreshMilliseconds).
/// An engine says only how to read the version from its store (<see cref="ReadVersionAsync"/>).
/// </summary>
public abstract class CachedDataVersion(TimeSpan refresh, TimeProvider clock) : IDataVersion
{
    private readonly TimeSpan _refresh = refresh < TimeSpan.Zero ? TimeSpan.Zero : refresh;
    private Cached? _current;
    private long _generation;

    /// <summary>A version read from the store, when, and under which generation of local writes.</summary>
    private sealed record Cached(StoreVersion Version, long ReadAt, long Generation);

    /// <summary>The refresh interval of a setting in milliseconds (a negative setting reads the store every time).</summary>
    public static TimeSpan RefreshOf(int milliseconds) => TimeSpan.FromMilliseconds(Math.Max(0, milliseconds));

    public async ValueTask<StoreVersion> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && current.Generation == Interlocked.Read(ref _generation) && clock.GetElapsedTime(current.ReadAt) < _refresh)
        {
            return current.Version;
        }

        return await ReadAsync(cancellationToken);
    }

    /// <summary>
    /// Forgets the cached version: called after every write this process commits. A read that began before the
    /// write is tagged with the previous generation, so even if it stores its (older) version afterwards, that
    /// version is never served.
    /// </summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    /// <summary>Reads the data version and when the data last changed from the store itself.</summary>
    protected abstract Task<StoreVersion> ReadVersionAsync(CancellationToken cancellationToken);

    private async Task<StoreVersion> ReadAsync(CancellationToken cancellationToken)
    {
        var stamp = clock.GetTimestamp();
        var generation = Interlocked.Read(ref _generation);
        var version = await ReadVersionAsync(cancellationToken);

        // Keep the newest version read for the current generation; never replace a newer one with an older read.
        var read = new Cached(version, stamp, generation);
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current is not null && current.Generation >= generation && current.Version.DataVersion > version.DataVersion)
            {
                break;
            }

            if (Interlocked.CompareExchange(ref _current, read, current) == current)
            {
                break;
            }
        }

        return version;
    }
}

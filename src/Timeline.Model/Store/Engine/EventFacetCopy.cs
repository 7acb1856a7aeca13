namespace Timeline.Model.Store.Engine;

/// <summary>
/// The in-memory copy of the live events' days, categories, tags and entities (<see cref="EventFacetSnapshot"/>) that
/// facets are counted from, kept for one data version and loaded anew by the engine (<see cref="LoadAsync"/>) when the
/// data version moves on, whoever wrote: this process, an import beside it or another replica (the data version the
/// caller passes is the store's, <see cref="IDataVersion"/>).
/// <para>
/// Facets under a filter of dates, categories, entities and tags only (the common "what happened in this period"
/// question, and the unfiltered counts of every facet) are counted from it in milliseconds, where SQL would walk every
/// event of the period (and of the longest span before it), and every tag or entity link of each, for each facet.
/// While a large store's copy is being reloaded, facets by category and year under dates and categories are counted by
/// SQL, and the others wait for the copy (SQL would take longer than the reload); a small store's copy is reloaded at
/// once. Timeline:DateCategoryIndex turns it off.
/// </para>
/// </summary>
public abstract class EventFacetCopy(bool enabled) : IDisposable
{
    /// <summary>Up to this many events a reload runs inside the request that needs it; above, in the background.</summary>
    public const int InlineRebuildLimit = 50_000;

    private readonly SemaphoreSlim _building = new(1, 1);
    private readonly Lock _gate = new();
    private EventFacetSnapshot? _current;
    private Task<EventFacetSnapshot?>? _background;

    /// <summary>Whether facets are counted from the copy at all (Timeline:DateCategoryIndex).</summary>
    public bool Enabled => enabled;

    /// <summary>The copy last loaded, whatever its data version (null before the first load).</summary>
    public EventFacetSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>
    /// Reads the live events, their tags and entity links, the entities' names and the data version, all in one
    /// snapshot of the store (<see cref="EventFacetSnapshotBuilder"/>).
    /// </summary>
    protected abstract Task<EventFacetSnapshot> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The copy for this data version, or null: turned off, or being reloaded for a large store and <paramref name="wait"/>
    /// is false (with it, the caller waits for the reload), or the store answered with another version than asked for.
    /// </summary>
    public async Task<EventFacetSnapshot?> GetAsync(long dataVersion, CancellationToken cancellationToken, bool wait = false)
    {
        if (!enabled)
        {
            return null;
        }

        var current = Volatile.Read(ref _current);
        if (current?.DataVersion == dataVersion)
        {
            return current;
        }

        if (current is not null && current.Count > InlineRebuildLimit)
        {
            var background = Background();
            if (!wait)
            {
                return null;
            }

            var built = await background.WaitAsync(cancellationToken);
            return built?.DataVersion == dataVersion ? built : null;
        }

        await _building.WaitAsync(cancellationToken);
        try
        {
            current = Volatile.Read(ref _current);
            if (current?.DataVersion != dataVersion)
            {
                current = await ReloadAsync(cancellationToken);
            }

            // Another version may have been read than the one asked for: then this copy does not answer for it.
            return current.DataVersion == dataVersion ? current : null;
        }
        finally
        {
            _building.Release();
        }
    }

    /// <summary>The reload running in the background, or a new one; null when it failed (the next request tries again).</summary>
    private Task<EventFacetSnapshot?> Background()
    {
        lock (_gate)
        {
            if (_background is { IsCompleted: false } running)
            {
                return running;
            }

            var started = Task.Run(async () =>
            {
                await _building.WaitAsync(CancellationToken.None);
                try
                {
                    return await ReloadAsync(CancellationToken.None);
                }
                catch (Exception)
                {
                    return null; // meanwhile facets are counted by SQL, or wait for the next attempt
                }
                finally
                {
                    _building.Release();
                }
            }, CancellationToken.None);
            _background = started;
            return started;
        }
    }

    private async Task<EventFacetSnapshot> ReloadAsync(CancellationToken cancellationToken)
    {
        var built = await LoadAsync(cancellationToken);
        var current = Volatile.Read(ref _current);

        // Never replace a copy with an older one (a standby that lags behind the version read before).
        if (current is null || built.DataVersion >= current.DataVersion)
        {
            Volatile.Write(ref _current, built);
        }

        return built;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _building.Dispose();
        }
    }
}

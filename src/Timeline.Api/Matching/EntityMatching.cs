namespace Timeline.Api.Matching;

/// <summary>
/// The entity matcher of the current data version (<see cref="EntityMatcher"/>, built from <see cref="IEntityReader.NamesAsync"/>),
/// kept until a write moves the data version: GET /entities/match, GET /entities?q= and the "did you mean" of an unknown
/// entity id all score against it without reading every entity again.
/// </summary>
public sealed class EntityMatching(IEntityReader entities, IDataVersion versions) : IDisposable
{
    private sealed record Built(long DataVersion, EntityMatcher Matcher);

    private readonly SemaphoreSlim _building = new(1, 1);

    private volatile Built? _current;

    /// <summary>The matcher of the data version now; built (once, whoever asks at the same time) after a write.</summary>
    public async ValueTask<EntityMatcher> GetAsync(CancellationToken cancellationToken)
    {
        // The version is read before the names: names newer than their label only cause one more build, never a stale answer.
        var version = (await versions.GetAsync(cancellationToken)).DataVersion;
        if (_current is { } current && current.DataVersion == version)
        {
            return current.Matcher;
        }

        await _building.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } built && built.DataVersion == version)
            {
                return built.Matcher;
            }

            var matcher = new EntityMatcher(await entities.NamesAsync(cancellationToken));
            _current = new Built(version, matcher);
            return matcher;
        }
        finally
        {
            _building.Release();
        }
    }

    /// <summary>
    /// The sentence for unknown entity ids of a filter: each with the nearest ids, as "unknown entity id 'smc'; did you
    /// mean 'smic' (Semiconductor Manufacturing International Corporation)?".
    /// </summary>
    public async Task<string> UnknownIdsAsync(IReadOnlyList<string> missing, CancellationToken cancellationToken)
    {
        var matcher = await GetAsync(cancellationToken);
        var parts = missing.Select(id => $"'{id}'{matcher.DidYouMean(id)}");
        return $"unknown entity id{(missing.Count == 1 ? "" : "s")} {string.Join(", ", parts)}; GET /entities/match?name=... finds an entity by any of its names";
    }

    public void Dispose() => _building.Dispose();
}

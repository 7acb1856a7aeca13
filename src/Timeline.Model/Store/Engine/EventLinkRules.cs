using Timeline.Model.Dataset;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// The rules of one event's links that need the store (the dataset validator checks their form): every target of
/// <c>related</c> and <c>supersedes</c> is a live event, and following <c>supersedes</c> through the stored events never
/// comes back to the event written. A target that is a former id of a live event (merged or renamed) leads to that event,
/// as it does on reading: an event that linked to a duplicate before the merge can still be saved as it is. The engine
/// gives the lookups (<see cref="ILookups"/>), inside its write transaction.
/// </summary>
public static class EventLinkRules
{
    /// <summary>What the rules read of the stored events.</summary>
    public interface ILookups
    {
        /// <summary>Of the ids given, those that are live events.</summary>
        Task<HashSet<string>> LiveAsync(IEnumerable<string> ids, CancellationToken ct);

        /// <summary>The current id a former event id leads to, or null when it is no event's former id.</summary>
        Task<string?> ResolveFormerAsync(string formerId, CancellationToken ct);

        /// <summary>The event a stored event supersedes (by the current id its link leads to), or null.</summary>
        Task<string?> SupersededAsync(string id, CancellationToken ct);
    }

    public static async Task<List<DatasetError>> CheckAsync(ILookups store, ValidEvent e, CancellationToken ct)
    {
        var errors = new List<DatasetError>();
        var targets = e.Related.Append(e.Supersedes).OfType<string>().ToList();
        if (targets.Count == 0)
        {
            return errors;
        }

        var live = await store.LiveAsync(targets, ct);

        // A former id counts as the live event that now has it.
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var target in targets.Where(t => !live.Contains(t)).Distinct(StringComparer.Ordinal))
        {
            if (await store.ResolveFormerAsync(target, ct) is { } now && (await store.LiveAsync([now], ct)).Contains(now))
            {
                current[target] = now;
                live.Add(target);
                live.Add(now);
            }
        }

        static string UnknownAsync(string target) =>
            $"unknown event '{target}' (a link must lead to an event that exists and is not deleted)";

        for (var i = 0; i < e.Related.Count; i++)
        {
            if (!live.Contains(e.Related[i]))
            {
                errors.Add(new DatasetError($"body.related[{i}]", UnknownAsync(e.Related[i])));
            }
        }

        if (e.Supersedes is { } given)
        {
            var superseded = current.GetValueOrDefault(given, given);
            if (!live.Contains(superseded))
            {
                errors.Add(new DatasetError("body.supersedes", UnknownAsync(superseded)));
            }
            else
            {
                // The chain of stored links from the superseded event on (the event's own stored link is the one being replaced).
                var chain = new Dictionary<string, string?>(StringComparer.Ordinal) { [e.Id] = superseded };
                var at = superseded;
                while (at is not null && !chain.ContainsKey(at) && chain.Count <= DatasetValidator.MaxSupersedesChain)
                {
                    chain[at] = await store.SupersededAsync(at, ct);
                    at = chain[at];
                }

                if (DatasetValidator.SupersedesCycle(e.Id, superseded, id => chain.GetValueOrDefault(id)) is { } cycle)
                {
                    errors.Add(new DatasetError("body.supersedes", $"makes a cycle: {string.Join(" supersedes ", cycle)}; an event cannot, through others, supersede itself"));
                }
            }
        }

        return errors;
    }
}

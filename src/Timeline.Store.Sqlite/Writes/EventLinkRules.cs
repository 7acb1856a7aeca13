using Microsoft.Data.Sqlite;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The rules of one event's links that need the store (the dataset validator checks their form): every target of
/// <c>related</c> and <c>supersedes</c> is a live event, and following <c>supersedes</c> through the stored events never
/// comes back to the event written. A target that is a former id of a live event (merged or renamed) leads to that event,
/// as it does on reading: an event that linked to a duplicate before the merge can still be saved as it is.
/// </summary>
internal static class EventLinkRules
{
    public static async Task<List<DatasetError>> CheckAsync(SqliteConnection c, SqliteTransaction tx, ValidEvent e, CancellationToken ct)
    {
        var errors = new List<DatasetError>();
        var targets = e.Related.Append(e.Supersedes).OfType<string>().ToList();
        if (targets.Count == 0)
        {
            return errors;
        }

        var live = await EventLinks.LiveAsync(c, tx, targets, ct);

        // A former id counts as the live event that now has it.
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var target in targets.Where(t => !live.Contains(t)).Distinct(StringComparer.Ordinal))
        {
            if (await FormerIds.ResolveAsync(c, tx, "event", target, ct) is { } now && (await EventLinks.LiveAsync(c, tx, [now], ct)).Contains(now))
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
                    chain[at] = await EventLinks.SupersededAsync(c, tx, at, ct);
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

namespace Timeline.Model.Dataset;

/// <summary>
/// The rules of the links between events: <c>related</c> (ids of events this one is related to) and <c>supersedes</c>
/// (the id of the event this one replaces). One event checks the form (ids, no self-reference, none twice); the whole
/// dataset checks that every target is an event of the dataset or a live event of the store, and that following
/// <c>supersedes</c> from any event never comes back to it.
/// </summary>
public static partial class DatasetValidator
{
    /// <summary>The longest chain of <c>supersedes</c> followed when looking for a cycle (a longer chain is refused as one).</summary>
    public const int MaxSupersedesChain = 1000;

    /// <summary>Checks one event's links in themselves; the related ids and the superseded id (empty and null when absent).</summary>
    private static (List<string> Related, string? Supersedes) EventLinks(EventDocument @event, string? ownId, string path, List<DatasetError> errors)
    {
        var related = new List<string>();
        if (@event.Related is { } list)
        {
            if (list.Count > MaxListLength)
            {
                errors.Add(new DatasetError($"{path}.related", $"has more than {MaxListLength} items"));
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                var target = list[i];
                if (!IsSlug(target))
                {
                    errors.Add(new DatasetError($"{path}.related[{i}]", $"'{Shorten(target ?? "null")}' is not an event id: lowercase letters and digits in hyphen-separated words"));
                }
                else if (target == ownId)
                {
                    errors.Add(new DatasetError($"{path}.related[{i}]", $"'{target}' is the event's own id; an event is not related to itself"));
                }
                else if (!seen.Add(target))
                {
                    errors.Add(new DatasetError($"{path}.related[{i}]", $"'{target}' is listed twice"));
                }
                else
                {
                    related.Add(target);
                }
            }
        }

        var supersedes = @event.Supersedes;
        if (supersedes is not null)
        {
            if (!IsSlug(supersedes))
            {
                errors.Add(new DatasetError($"{path}.supersedes", $"'{Shorten(supersedes)}' is not an event id: lowercase letters and digits in hyphen-separated words"));
            }
            else if (supersedes == ownId)
            {
                errors.Add(new DatasetError($"{path}.supersedes", $"'{supersedes}' is the event's own id; an event cannot supersede itself"));
            }
        }

        return (related, supersedes);
    }

    /// <summary>Every link of the dataset's events leads to an event of the dataset or a live one of the store, and no chain of <c>supersedes</c> is a cycle.</summary>
    private static void CheckEventLinks(List<ValidEvent> events, StoreLookup? store, List<DatasetError> errors)
    {
        var own = events.ToDictionary(e => e.Id, StringComparer.Ordinal);

        // A merge (or a rename) leaves the links of other events on the old id, which then leads to the survivor: a link to
        // a former id of one of the dataset's events is one to that event, or the store's own export would not import.
        var formerOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            foreach (var former in e.FormerIds.Where(f => !own.ContainsKey(f)))
            {
                formerOf.TryAdd(former, e.Id);
            }
        }

        string Current(string id) => formerOf.GetValueOrDefault(id) ?? id;
        bool Exists(string id) => own.ContainsKey(Current(id)) || store?.EventExists?.Invoke(id) == true;
        string? SupersededBy(string id) => own.TryGetValue(Current(id), out var e) ? e.Supersedes : store?.StoredSupersedes?.Invoke(id);

        foreach (var e in events)
        {
            for (var i = 0; i < e.Related.Count; i++)
            {
                if (!Exists(e.Related[i]))
                {
                    errors.Add(new DatasetError($"events '{e.Id}'.related[{i}]", $"unknown event '{e.Related[i]}' (a link must lead to an event that exists and is not deleted)"));
                }
            }

            if (e.Supersedes is null)
            {
                continue;
            }

            if (!Exists(e.Supersedes))
            {
                errors.Add(new DatasetError($"events '{e.Id}'.supersedes", $"unknown event '{e.Supersedes}' (it must exist and not be deleted)"));
            }
            else if (Current(e.Supersedes) == e.Id)
            {
                errors.Add(new DatasetError($"events '{e.Id}'.supersedes", $"'{e.Supersedes}' is a former id of the event itself; an event cannot supersede itself"));
            }
            else if (SupersedesCycle(e.Id, e.Supersedes, SupersededBy) is { } cycle)
            {
                errors.Add(new DatasetError($"events '{e.Id}'.supersedes", $"makes a cycle: {string.Join(" supersedes ", cycle)}; an event cannot, through others, supersede itself"));
            }
        }
    }

    /// <summary>
    /// The chain from <paramref name="id"/> through <paramref name="supersedes"/> back to <paramref name="id"/> when
    /// following each event's superseded event (<paramref name="next"/>) comes back to it; null when it ends.
    /// </summary>
    public static IReadOnlyList<string>? SupersedesCycle(string id, string supersedes, Func<string, string?> next)
    {
        var chain = new List<string> { id };
        var at = supersedes;
        while (at is not null && chain.Count <= MaxSupersedesChain)
        {
            chain.Add(at);
            if (at == id)
            {
                return chain;
            }

            at = next(at);
        }

        return at is null ? null : chain;
    }
}

using System.Globalization;
using System.Text.Json;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// One data version's live events as facets count them, in memory, sorted by first day: each event's number, first and
/// last day, category, tags and entities (about 21 bytes an event and 4 a tag or entity link: 37 MB for 1,000,000
/// generated events). Every engine loads it by its own SQL (<see cref="EventFacetSnapshotBuilder"/>) and counts facets
/// from it the same way (<see cref="EventFacetCounter"/>).
/// </summary>
public sealed class EventFacetSnapshot
{
    public required long DataVersion { get; init; }

    /// <summary>Days since 0001-01-01 (DateOnly.DayNumber), ascending.</summary>
    public required int[] FirstDays { get; init; }

    public required int[] LastDays { get; init; }

    public required short[] FirstYears { get; init; }

    public required short[] LastYears { get; init; }

    /// <summary>Index into <see cref="Categories"/>.</summary>
    public required byte[] CategoryOf { get; init; }

    public required string[] Categories { get; init; }

    /// <summary>The longest span in days: no event starting earlier than a day minus this reaches it.</summary>
    public required int LongestSpan { get; init; }

    /// <summary>Event i's number (the engine's key of an event, events.seq).</summary>
    public required long[] Seqs { get; init; }

    /// <summary>The positions of the events in the order of their numbers: <c>Seqs[SeqOrder[k]]</c> ascends with k.</summary>
    public required int[] SeqOrder { get; init; }

    /// <summary>Event i's tags are <c>TagOf[TagStarts[i]..TagStarts[i + 1]]</c>, indexes into <see cref="Tags"/>.</summary>
    public required int[] TagStarts { get; init; }

    public required int[] TagOf { get; init; }

    public required string[] Tags { get; init; }

    /// <summary>Event i's entities (each once, whatever its roles) are <c>EntityOf[EntityStarts[i]..EntityStarts[i + 1]]</c>, indexes into <see cref="Entities"/>.</summary>
    public required int[] EntityStarts { get; init; }

    public required int[] EntityOf { get; init; }

    /// <summary>Entity ids, and their names at the same index.</summary>
    public required string[] Entities { get; init; }

    public required string[] EntityNames { get; init; }

    /// <summary>The number of events.</summary>
    public int Count => FirstDays.Length;

    /// <summary>The position of the event numbered <paramref name="seq"/>, or -1 when it is not in the copy (deleted, or unknown).</summary>
    public int PositionOf(long seq)
    {
        int low = 0, high = SeqOrder.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var at = Seqs[SeqOrder[middle]];
            if (at == seq)
            {
                return SeqOrder[middle];
            }

            if (at < seq)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    /// <summary>The positions (ascending) of the events numbered <paramref name="seqs"/> that are in the copy.</summary>
    public int[] PositionsOf(IEnumerable<long> seqs)
    {
        var positions = new List<int>();
        foreach (var seq in seqs)
        {
            var at = PositionOf(seq);
            if (at >= 0)
            {
                positions.Add(at);
            }
        }

        positions.Sort();
        return [.. positions.Distinct()];
    }
}

/// <summary>
/// Builds an <see cref="EventFacetSnapshot"/> from rows an engine reads in one snapshot of its store: the live events (in
/// any order: they are sorted by first day when built), then every entity link (an entity and an event's number; links of
/// events not added, such as deleted ones, are skipped), then the entities' names.
/// </summary>
public sealed class EventFacetSnapshotBuilder(int expectedEvents)
{
    private readonly List<int> _firstDays = new(expectedEvents);
    private readonly List<int> _lastDays = new(expectedEvents);
    private readonly List<short> _firstYears = new(expectedEvents);
    private readonly List<short> _lastYears = new(expectedEvents);
    private readonly List<byte> _categoryOf = new(expectedEvents);
    private readonly List<string> _categories = [];
    private readonly List<long> _seqs = new(expectedEvents);
    private readonly List<int> _tagStarts = new(expectedEvents + 1);
    private readonly List<int> _tagOf = new(expectedEvents * 2);
    private readonly Dictionary<string, int> _tagIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _entityIndex = new(StringComparer.Ordinal);
    private readonly List<int> _linkEvents = new(expectedEvents * 2);
    private readonly List<int> _linkEntities = new(expectedEvents * 2);
    private string[]? _entityNames;
    private int _longest;
    private long[]? _sortedSeqs;
    private int[]? _seqOrder;
    private string? _previousEntity;
    private int _previousEntityIndex = -1;

    /// <summary>Adds a live event (best in timeline order: others are sorted by first day when built): its days as stored (yyyy-MM-dd…), category, number and tags.</summary>
    public void AddEvent(string firstDay, string lastDay, string category, long seq, IEnumerable<string> tags)
    {
        AddEventCore(firstDay, lastDay, category, seq);
        foreach (var tag in tags)
        {
            AddTag(tag);
        }
    }

    /// <summary>Adds a live event, its tags as the JSON array of strings the events table keeps.</summary>
    public void AddEvent(string firstDay, string lastDay, string category, long seq, ReadOnlySpan<byte> tagsJson)
    {
        AddEventCore(firstDay, lastDay, category, seq);
        var reader = new Utf8JsonReader(tagsJson);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                AddTag(reader.GetString()!);
            }
        }
    }

    /// <summary>
    /// Links an entity to the event numbered <paramref name="seq"/> (in any order; an entity linked in several roles counts
    /// once). Links to events not added (deleted ones) are skipped.
    /// </summary>
    public void AddEntityLink(string entityId, long seq)
    {
        if (_sortedSeqs is null)
        {
            _sortedSeqs = [.. _seqs];
            _seqOrder = [.. Enumerable.Range(0, _sortedSeqs.Length)];
            Array.Sort(_sortedSeqs, _seqOrder);
        }

        var at = Array.BinarySearch(_sortedSeqs, seq);
        if (at < 0)
        {
            return; // a deleted event's link
        }

        if (!string.Equals(entityId, _previousEntity, StringComparison.Ordinal))
        {
            if (!_entityIndex.TryGetValue(entityId, out _previousEntityIndex))
            {
                _previousEntityIndex = _entityIndex.Count;
                _entityIndex.Add(entityId, _previousEntityIndex);
            }

            _previousEntity = entityId;
        }

        var position = _seqOrder![at];
        _linkEvents.Add(position);
        _linkEntities.Add(_previousEntityIndex);
    }

    /// <summary>Names an entity (any entity may be named; only linked ones are kept).</summary>
    public void SetEntityName(string entityId, string name)
    {
        _entityNames ??= Names(_entityIndex);
        if (_entityIndex.TryGetValue(entityId, out var e))
        {
            _entityNames[e] = name;
        }
    }

    public EventFacetSnapshot Build(long dataVersion)
    {
        var n = _seqs.Count;
        _tagStarts.Add(_tagOf.Count);

        // The events by first day: as added when they came in that order, else sorted here (reading them unordered and
        // sorting in memory beats an index walk of every event).
        int[]? order = null;
        for (var i = 1; i < n; i++)
        {
            if (_firstDays[i] < _firstDays[i - 1])
            {
                order = [.. Enumerable.Range(0, n)];
                var keys = _firstDays.ToArray();
                Array.Sort(keys, order);
                break;
            }
        }

        int At(int p) => order is null ? p : order[p];
        var position = new int[n];
        for (var p = 0; p < n; p++)
        {
            position[At(p)] = p;
        }

        var tagStarts = new int[n + 1];
        var tagOf = new int[_tagOf.Count];
        for (var p = 0; p < n; p++)
        {
            var i = At(p);
            var count = _tagStarts[i + 1] - _tagStarts[i];
            _tagOf.CopyTo(_tagStarts[i], tagOf, tagStarts[p], count);
            tagStarts[p + 1] = tagStarts[p] + count;
        }

        var counts = new int[n];
        foreach (var i in _linkEvents)
        {
            counts[position[i]]++;
        }

        var starts = new int[n + 1];
        for (var p = 0; p < n; p++)
        {
            starts[p + 1] = starts[p] + counts[p];
        }

        var of = new int[_linkEntities.Count];
        var next = starts[..n];
        for (var k = 0; k < _linkEntities.Count; k++)
        {
            of[next[position[_linkEvents[k]]]++] = _linkEntities[k];
        }

        // An entity in two roles of one event counts once.
        var kept = 0;
        for (var p = 0; p < n; p++)
        {
            var (from, to) = (starts[p], starts[p + 1]);
            starts[p] = kept;
            for (var k = from; k < to; k++)
            {
                if (Array.IndexOf(of, of[k], starts[p], kept - starts[p]) < 0)
                {
                    of[kept++] = of[k];
                }
            }
        }

        starts[n] = kept;
        if (kept < of.Length)
        {
            Array.Resize(ref of, kept);
        }

        var seqs = new long[n];
        for (var p = 0; p < n; p++)
        {
            seqs[p] = _seqs[At(p)];
        }

        var seqOrder = new int[n];
        for (var p = 0; p < n; p++)
        {
            seqOrder[p] = p;
        }

        Array.Sort((long[])seqs.Clone(), seqOrder);
        var ids = Names(_entityIndex);
        var names = _entityNames is { } named && named.Length == ids.Length ? named : ids;
        return new EventFacetSnapshot
        {
            DataVersion = dataVersion,
            FirstDays = Permuted(_firstDays, At),
            LastDays = Permuted(_lastDays, At),
            FirstYears = Permuted(_firstYears, At),
            LastYears = Permuted(_lastYears, At),
            CategoryOf = Permuted(_categoryOf, At),
            Categories = [.. _categories],
            LongestSpan = _longest,
            Seqs = seqs,
            SeqOrder = seqOrder,
            TagStarts = tagStarts,
            TagOf = tagOf,
            Tags = Names(_tagIndex),
            EntityStarts = starts,
            EntityOf = of,
            Entities = ids,
            EntityNames = names,
        };
    }

    private static T[] Permuted<T>(List<T> values, Func<int, int> at)
    {
        var permuted = new T[values.Count];
        for (var p = 0; p < permuted.Length; p++)
        {
            permuted[p] = values[at(p)];
        }

        return permuted;
    }

    private void AddEventCore(string firstDay, string lastDay, string category, long seq)
    {
        if (_sortedSeqs is not null)
        {
            throw new InvalidOperationException("Every event is added before the first entity link.");
        }

        var first = ParseDay(firstDay);
        var last = ParseDay(lastDay);
        var index = _categories.IndexOf(category);
        if (index < 0)
        {
            _categories.Add(category);
            index = _categories.Count - 1;
        }

        _tagStarts.Add(_tagOf.Count);
        _firstDays.Add(first.DayNumber);
        _lastDays.Add(last.DayNumber);
        _firstYears.Add((short)first.Year);
        _lastYears.Add((short)last.Year);
        _categoryOf.Add(checked((byte)index));
        _seqs.Add(seq);
        _longest = Math.Max(_longest, last.DayNumber - first.DayNumber);
    }

    private void AddTag(string tag)
    {
        if (!_tagIndex.TryGetValue(tag, out var t))
        {
            t = _tagIndex.Count;
            _tagIndex.Add(tag, t);
        }

        _tagOf.Add(t);
    }

    private static string[] Names(Dictionary<string, int> index)
    {
        var names = new string[index.Count];
        foreach (var (name, i) in index)
        {
            names[i] = name;
        }

        return names;
    }

    /// <summary>A stored day (yyyy-MM-dd, always so in the store).</summary>
    private static DateOnly ParseDay(string day) =>
        new(int.Parse(day.AsSpan(0, 4), CultureInfo.InvariantCulture),
            int.Parse(day.AsSpan(5, 2), CultureInfo.InvariantCulture),
            int.Parse(day.AsSpan(8, 2), CultureInfo.InvariantCulture));
}

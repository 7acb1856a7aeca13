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
/// Builds an <see cref="EventFacetSnapshot"/> from rows an engine reads in one snapshot of its store: the live events in
/// timeline order (first day, date precision, id), then every entity link (an entity and an event's number; links of
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

    /// <summary>Adds the next live event (in timeline order): its days as stored (yyyy-MM-dd…), category, number and tags.</summary>
    public void AddEvent(string firstDay, string lastDay, string category, long seq, IEnumerable<string> tags)
    {
        AddEventCore(firstDay, lastDay, category, seq);
        foreach (var tag in tags)
        {
            AddTag(tag);
        }
    }

    /// <summary>Adds the next live event (in timeline order), its tags as the JSON array of strings the events table keeps.</summary>
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
    /// Links an entity to the event numbered <paramref name="seq"/>: once per entity and event, whatever its roles (the
    /// engine's SQL gives distinct pairs), best grouped by entity. Links to events not added (deleted ones) are skipped.
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
        if (_sortedSeqs is null)
        {
            _sortedSeqs = [.. _seqs];
            _seqOrder = [.. Enumerable.Range(0, n)];
            Array.Sort(_sortedSeqs, _seqOrder);
        }

        var counts = new int[n];
        foreach (var i in _linkEvents)
        {
            counts[i]++;
        }

        var starts = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            starts[i + 1] = starts[i] + counts[i];
        }

        var of = new int[_linkEntities.Count];
        var next = starts[..n];
        for (var k = 0; k < _linkEntities.Count; k++)
        {
            of[next[_linkEvents[k]]++] = _linkEntities[k];
        }

        var ids = Names(_entityIndex);
        var names = _entityNames is { } named && named.Length == ids.Length ? named : ids;
        return new EventFacetSnapshot
        {
            DataVersion = dataVersion,
            FirstDays = [.. _firstDays],
            LastDays = [.. _lastDays],
            FirstYears = [.. _firstYears],
            LastYears = [.. _lastYears],
            CategoryOf = [.. _categoryOf],
            Categories = [.. _categories],
            LongestSpan = _longest,
            Seqs = [.. _seqs],
            SeqOrder = _seqOrder!,
            TagStarts = [.. _tagStarts],
            TagOf = [.. _tagOf],
            Tags = Names(_tagIndex),
            EntityStarts = starts,
            EntityOf = of,
            Entities = ids,
            EntityNames = names,
        };
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

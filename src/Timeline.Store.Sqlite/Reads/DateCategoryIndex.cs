using Microsoft.Extensions.Options;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The live events' number, first day, last day, category, tags and entities, in memory, sorted by first day (about 21
/// bytes an event and 4 a tag or entity link: 37 MB for 1,000,000 generated events), built from the store for one data version.
/// Facets under a filter of dates, categories, entities and tags only (the common "what happened in this period" question,
/// and the unfiltered counts of every facet) are counted from it in milliseconds, where SQLite would walk every event of
/// the period (and of the longest span before it), and every tag or entity link of each, for each facet: the unfiltered
/// entity facet took 10 s at 1,000,000 events.
/// <para>
/// It is rebuilt when the data version moves on. While a large store's copy is being rebuilt, facets by category and year
/// under dates and categories are counted by SQL as before, and the others wait for the copy (SQL would take longer than
/// the rebuild); a small store's copy is rebuilt at once. Timeline:DateCategoryIndex turns it off.
/// </para>
/// </summary>
public sealed class DateCategoryIndex(SqliteConnections database, IOptions<TimelineOptions> options) : IDisposable
{
    /// <summary>Up to this many events a rebuild runs inside the request that needs it; above, in the background.</summary>
    private const int InlineRebuildLimit = 50_000;

    private readonly bool _enabled = options.Value.DateCategoryIndex;
    private readonly SemaphoreSlim _building = new(1, 1);
    private readonly Lock _gate = new();
    private Snapshot? _current;
    private Task<Snapshot?>? _background;

    /// <summary>One data version's events.</summary>
    public sealed class Snapshot
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

        /// <summary>Event i's number (events.seq), ascending: live events are numbered in timeline order.</summary>
        public required long[] Seqs { get; init; }

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
    }

    /// <summary>
    /// The copy for this data version, or null: turned off, or being rebuilt for a large store and <paramref name="wait"/>
    /// is false (with it, the caller waits for the rebuild).
    /// </summary>
    public async Task<Snapshot?> GetAsync(long dataVersion, CancellationToken cancellationToken, bool wait = false)
    {
        if (!_enabled)
        {
            return null;
        }

        var current = Volatile.Read(ref _current);
        if (current?.DataVersion == dataVersion)
        {
            return current;
        }

        if (current is not null && current.FirstDays.Length > InlineRebuildLimit)
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
                current = await RebuildAsync(cancellationToken);
            }

            // A newer version may have been read than the one asked for: then this copy does not answer for it.
            return current.DataVersion == dataVersion ? current : null;
        }
        finally
        {
            _building.Release();
        }
    }

    /// <summary>The rebuild running in the background, or a new one; null when it failed (the next request tries again).</summary>
    private Task<Snapshot?> Background()
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
                    return await RebuildAsync(CancellationToken.None);
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

    private async Task<Snapshot> RebuildAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        using var version = connection.CreateCommand();
        version.Transaction = snapshot;
        version.CommandText = "SELECT data_version FROM store_state WHERE id = 1;";
        var dataVersion = (long)(await version.ExecuteScalarAsync(cancellationToken))!;

        using var count = connection.CreateCommand();
        count.Transaction = snapshot;
        count.CommandText = "SELECT COUNT(*) FROM events WHERE deleted_at IS NULL;";
        var n = (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;

        var firstDays = new int[n];
        var lastDays = new int[n];
        var firstYears = new short[n];
        var lastYears = new short[n];
        var categoryOf = new byte[n];
        var categories = new List<string>();
        var longest = 0;
        var seqs = new long[n];
        var tagStarts = new int[n + 1];
        var tagOf = new List<int>(n * 2);
        var tagIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        using var rows = connection.CreateCommand();
        rows.Transaction = snapshot;
        rows.CommandText = "SELECT first_day, last_day, category, seq, tags FROM events WHERE deleted_at IS NULL ORDER BY first_day, date_precision, id;";
        await using (var reader = await rows.ExecuteReaderAsync(cancellationToken))
        {
            var i = 0;
            while (i < n && await reader.ReadAsync(cancellationToken))
            {
                var first = ParseDay(reader.GetString(0));
                var last = ParseDay(reader.GetString(1));
                var category = reader.GetString(2);
                seqs[i] = reader.GetInt64(3);
                tagStarts[i] = tagOf.Count;
                AddTags(reader.GetFieldValue<byte[]>(4), tagIndex, tagOf);
                var index = categories.IndexOf(category);
                if (index < 0)
                {
                    categories.Add(category);
                    index = categories.Count - 1;
                }

                firstDays[i] = first.DayNumber;
                lastDays[i] = last.DayNumber;
                firstYears[i] = (short)first.Year;
                lastYears[i] = (short)last.Year;
                categoryOf[i] = checked((byte)index);
                longest = Math.Max(longest, last.DayNumber - first.DayNumber);
                i++;
            }

            n = i;
            tagStarts[n] = tagOf.Count;
        }

        var (entityStarts, entityOf, entities, entityNames) = await ReadEntitiesAsync(connection, snapshot, seqs, n, cancellationToken);

        var built = new Snapshot
        {
            DataVersion = dataVersion,
            FirstDays = firstDays,
            LastDays = lastDays,
            FirstYears = firstYears,
            LastYears = lastYears,
            CategoryOf = categoryOf,
            Categories = [.. categories],
            LongestSpan = longest,
            Seqs = seqs,
            TagStarts = tagStarts,
            TagOf = [.. tagOf],
            Tags = Names(tagIndex),
            EntityStarts = entityStarts,
            EntityOf = entityOf,
            Entities = entities,
            EntityNames = entityNames,
        };
        Volatile.Write(ref _current, built);
        return built;
    }

    /// <summary>The tags of one event's row (the events table's sorted JSON copy of event_tags) as indexes.</summary>
    private static void AddTags(byte[] json, Dictionary<string, int> index, List<int> tagOf)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == System.Text.Json.JsonTokenType.String)
            {
                var tag = reader.GetString()!;
                if (!index.TryGetValue(tag, out var t))
                {
                    t = index.Count;
                    index.Add(tag, t);
                }

                tagOf.Add(t);
            }
        }
    }

    /// <summary>
    /// Each event's entities, from the entity timelines (one row per entity and event, keyed by the event's number):
    /// the numbers are found among the live events' (<paramref name="seqs"/>, in timeline order, so ascending).
    /// </summary>
    private static async Task<(int[] Starts, int[] Of, string[] Ids, string[] Names)> ReadEntitiesAsync(
        Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction snapshot, long[] seqs, int n, CancellationToken cancellationToken)
    {
        // Live events are numbered in timeline order; should that ever not hold, look numbers up in a sorted copy.
        var sorted = seqs.AsSpan(0, n).ToArray();
        int[]? positions = null;
        for (var i = 1; i < n; i++)
        {
            if (sorted[i] <= sorted[i - 1])
            {
                positions = Enumerable.Range(0, n).ToArray();
                Array.Sort(sorted, positions);
                break;
            }
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var events = new List<int>(n * 2);
        var links = new List<int>(n * 2);
        var counts = new int[n + 1];
        using (var command = connection.CreateCommand())
        {
            command.Transaction = snapshot;
            command.CommandText = "SELECT entity_id, event_seq FROM entity_timeline;";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            string? previous = null;
            var e = -1;
            while (await reader.ReadAsync(cancellationToken))
            {
                var at = Array.BinarySearch(sorted, reader.GetInt64(1));
                if (at < 0)
                {
                    continue; // a deleted event's rows
                }

                var entity = reader.GetString(0);
                if (entity != previous)
                {
                    if (!index.TryGetValue(entity, out e))
                    {
                        e = index.Count;
                        index.Add(entity, e);
                    }

                    previous = entity;
                }

                var i = positions is null ? at : positions[at];
                events.Add(i);
                links.Add(e);
                counts[i]++;
            }
        }

        var starts = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            starts[i + 1] = starts[i] + counts[i];
        }

        var of = new int[links.Count];
        var next = starts[..n];
        for (var k = 0; k < links.Count; k++)
        {
            of[next[events[k]]++] = links[k];
        }

        var ids = Names(index);
        var names = (string[])ids.Clone();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = snapshot;
            command.CommandText = "SELECT id, name FROM entities;";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (index.TryGetValue(reader.GetString(0), out var e))
                {
                    names[e] = reader.GetString(1);
                }
            }
        }

        return (starts, of, ids, names);
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

    public void Dispose() => _building.Dispose();

    /// <summary>A stored day (yyyy-MM-dd, always so in the store).</summary>
    private static DateOnly ParseDay(string day) =>
        new(int.Parse(day.AsSpan(0, 4), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(day.AsSpan(5, 2), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(day.AsSpan(8, 2), System.Globalization.CultureInfo.InvariantCulture));
}

using Microsoft.Extensions.Options;
using Timeline.Api.Storage;

namespace Timeline.Api.Events;

/// <summary>
/// The live events' first day, last day and category, in memory, sorted by first day (about 13 bytes an event:
/// 13 MB for 1,000,000), built from the timeline index for one data version. Facets by category and year under
/// a filter of dates and categories only (the common "what happened in this period" question) are counted from
/// it in well under a millisecond, where SQLite would walk every event of the period (and of the longest span
/// before it) for each facet.
/// <para>
/// It is rebuilt when the data version moves on. While a large store's copy is being rebuilt, facets are
/// counted by SQL as before, so a write never makes a request wait for the rebuild; a small store's copy is
/// rebuilt at once. Timeline:DateCategoryIndex turns it off.
/// </para>
/// </summary>
public sealed class DateCategoryIndex(Database database, IOptions<TimelineOptions> options) : IDisposable
{
    /// <summary>Up to this many events a rebuild runs inside the request that needs it; above, in the background.</summary>
    private const int InlineRebuildLimit = 50_000;

    private readonly bool _enabled = options.Value.DateCategoryIndex;
    private readonly SemaphoreSlim _building = new(1, 1);
    private Snapshot? _current;

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
    }

    /// <summary>The copy for this data version, or null: turned off, or being rebuilt for a large store.</summary>
    public async Task<Snapshot?> GetAsync(long dataVersion, CancellationToken cancellationToken)
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
            if (_building.Wait(0, CancellationToken.None))
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await RebuildAsync(CancellationToken.None);
                    }
                    catch (Exception)
                    {
                        // The next request tries again; meanwhile facets are counted by SQL.
                    }
                    finally
                    {
                        _building.Release();
                    }
                }, CancellationToken.None);
            }

            return null;
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
        using var rows = connection.CreateCommand();
        rows.Transaction = snapshot;
        rows.CommandText = "SELECT first_day, last_day, category FROM events WHERE deleted_at IS NULL ORDER BY first_day, date_precision, id;";
        await using (var reader = await rows.ExecuteReaderAsync(cancellationToken))
        {
            var i = 0;
            while (i < n && await reader.ReadAsync(cancellationToken))
            {
                var first = ParseDay(reader.GetString(0));
                var last = ParseDay(reader.GetString(1));
                var category = reader.GetString(2);
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
        }

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
        };
        Volatile.Write(ref _current, built);
        return built;
    }

    public void Dispose() => _building.Dispose();

    /// <summary>A stored day (yyyy-MM-dd, always so in the store).</summary>
    private static DateOnly ParseDay(string day) =>
        new(int.Parse(day.AsSpan(0, 4), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(day.AsSpan(5, 2), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(day.AsSpan(8, 2), System.Globalization.CultureInfo.InvariantCulture));
}

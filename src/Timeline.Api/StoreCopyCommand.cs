namespace Timeline.Api;

/// <summary>
/// <c>copy-store --from ENGINE:LOCATION --to ENGINE:LOCATION</c>: copies a whole store with its history between engines
/// (<see cref="IStoreCopy"/>), e.g. a SQLite deployment onto PostgreSQL, or back. ENGINE is sqlite (LOCATION a file) or
/// postgres (LOCATION a connection string). The target must be empty; it is filled in one transaction.
/// </summary>
public static class StoreCopyCommand
{
    public const string Usage = "Usage: copy-store --from sqlite:PATH|postgres:CONNECTION-STRING --to sqlite:PATH|postgres:CONNECTION-STRING";

    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        if (Option("--from") is not { } from || Option("--to") is not { } to || !Names(from) || !Names(to))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        await using var source = Store(from, out var sourceSettings)!;
        await using var target = Store(to, out var targetSettings)!;
        if (sourceSettings.SequenceEqual(targetSettings))
        {
            await Console.Error.WriteLineAsync("copy-store: --from and --to name the same store.");
            return 2;
        }

        var fromStore = source.GetRequiredService<IStoreCopy>();
        var toStore = target.GetRequiredService<IStoreCopy>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await fromStore.MigrateAsync(CancellationToken.None);
        await toStore.MigrateAsync(CancellationToken.None);
        Console.WriteLine($"Copying {fromStore.Location} to {toStore.Location} in one transaction ...");
        try
        {
            await using var snapshot = await fromStore.OpenSourceAsync(CancellationToken.None);
            var counts = await toStore.LoadAsync(snapshot, CancellationToken.None);
            foreach (var (table, rows) in counts)
            {
                Console.WriteLine($"  {table,-15} {rows,12:N0} rows");
            }

            Console.WriteLine($"Done in {watch.Elapsed.TotalSeconds:F1} s: every record, revision (same positions), former id and link, and the data version.");
            return 0;
        }
        catch (StoreNotEmptyException ex)
        {
            await Console.Error.WriteLineAsync($"copy-store: {ex.Message}");
            return 1;
        }
    }

    private static bool Names(string spec)
    {
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < spec.Length - 1 && spec[..colon].Trim().ToLowerInvariant() is TimelineOptions.StoreSqlite or TimelineOptions.StorePostgres;
    }

    /// <summary>The services of one engine's store for ENGINE:LOCATION (the store contracts, not started), or null when it names no engine.</summary>
    public static ServiceProvider? Store(string spec, out Dictionary<string, string?> settings)
    {
        settings = [];
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var engine = colon < 0 ? string.Empty : spec[..colon].Trim().ToLowerInvariant();
        var location = colon < 0 ? string.Empty : spec[(colon + 1)..];
        if (location.Length == 0)
        {
            return null;
        }

        settings["Timeline:Seed"] = TimelineOptions.SeedNone;
        switch (engine)
        {
            case TimelineOptions.StoreSqlite:
                settings["Timeline:Store"] = TimelineOptions.StoreSqlite;
                settings["Timeline:DatabasePath"] = Path.GetFullPath(location);
                break;
            case TimelineOptions.StorePostgres:
                settings["Timeline:Store"] = TimelineOptions.StorePostgres;
                settings["ConnectionStrings:Timeline"] = location;
                break;
            default:
                return null;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<IAmbientCancellation, NoOperation>();
        services.AddTimelineStore(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>A command serves no request: nothing cancels its statements but the command itself.</summary>
    private sealed class NoOperation : IAmbientCancellation
    {
        public CancellationToken Current => CancellationToken.None;
    }
}

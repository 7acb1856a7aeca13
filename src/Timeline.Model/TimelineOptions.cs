namespace Timeline.Model;

/// <summary>The "Timeline" configuration section (environment: Timeline__DatabasePath, Timeline__SeedPath, ...).</summary>
public sealed class TimelineOptions
{
    public const string Section = "Timeline";

    /// <summary>
    /// The engine the store runs on: <c>sqlite</c> (the default, the embedded file at <see cref="DatabasePath"/>) or
    /// <c>postgres</c> (the PostgreSQL database of <c>ConnectionStrings:Timeline</c>, for several stateless replicas).
    /// </summary>
    public string Store { get; set; } = StoreSqlite;

    public const string StoreSqlite = "sqlite";

    public const string StorePostgres = "postgres";

    /// <summary>Whether the store is PostgreSQL; a value other than sqlite or postgres is refused, naming both.</summary>
    public bool UsesPostgres => Store.Trim().ToLowerInvariant() switch
    {
        StoreSqlite => false,
        StorePostgres => true,
        _ => throw new InvalidOperationException($"Timeline:Store is '{Store}'; it is {StoreSqlite} (the embedded SQLite file at Timeline:DatabasePath, the default) or {StorePostgres} (the database of ConnectionStrings:Timeline)."),
    };

    /// <summary>Settings of the PostgreSQL engine (Timeline:Postgres:...).</summary>
    public PostgresOptions Postgres { get; set; } = new();

    /// <summary>The SQLite file. Relative paths are resolved against the working directory.</summary>
    public string DatabasePath { get; set; } = "data/timeline.db";

    /// <summary>The curated dataset loaded into an empty store at startup (unless <see cref="Seed"/> is <c>none</c>).</summary>
    public string SeedPath { get; set; } = "data/timeline.json";

    /// <summary>
    /// What an empty store is filled with at startup: <c>dataset</c> (the default) loads <see cref="SeedPath"/>;
    /// <c>none</c> leaves it empty, to be filled through the API or an import. A store that holds any record is never
    /// seeded, whatever this says.
    /// </summary>
    public string Seed { get; set; } = SeedDataset;

    public const string SeedDataset = "dataset";

    public const string SeedNone = "none";

    /// <summary>Whether an empty store is seeded at startup; a value other than dataset or none is refused, naming both.</summary>
    public bool SeedsEmptyStore => Seed.Trim().ToLowerInvariant() switch
    {
        SeedDataset => true,
        SeedNone => false,
        _ => throw new InvalidOperationException($"Timeline:Seed is '{Seed}'; it is {SeedDataset} (load Timeline:SeedPath into an empty store, the default) or {SeedNone} (start with an empty store)."),
    };

    /// <summary>
    /// Key that signs paging cursors so a tampered cursor is refused. Unset, a random key is made at
    /// startup (cursors then last as long as the process); replicas behind one address must share one.
    /// </summary>
    public string? CursorSecret { get; set; }

    /// <summary>How long one database command may run before it is abandoned, in seconds.</summary>
    public int CommandTimeoutSeconds { get; set; } = 10;

    /// <summary>How long the data version read from the store is trusted before it is read again (changes made by other processes).</summary>
    public int DataVersionRefreshMilliseconds { get; set; } = 500;

    /// <summary>Memory for cached response bodies, in megabytes (0 turns the response cache off).</summary>
    public int ResponseCacheMegabytes { get; set; } = 32;

    /// <summary>Whether facets are counted from an in-memory copy of the events' days, categories, tags and entities (Timeline.Model/Store/Engine/EventFacetCopy.cs), on either engine.</summary>
    public bool DateCategoryIndex { get; set; } = true;

    /// <summary>Index entries (one word in one event; a prefix's counting SearchBudgetRules.PrefixWeight times) one search may read, half as many when ranked (Timeline.Model/Store/Engine/SearchBudgetRules.cs).</summary>
    public long SearchReadLimit { get; set; } = 2_000_000;

    /// <summary>The most matches (a prefix's weighted the same way, and all once more for every four terms beyond four) a search ranked by relevance may have.</summary>
    public long SearchRankLimit { get; set; } = 50_000;

    /// <summary>The most matches (weighted the same way) facets may be counted over; a search listed under a category, entity, tag or source filter may have a fifth as many.</summary>
    public long SearchFacetLimit { get; set; } = 50_000;

    /// <summary>Where POST /admin/backup writes its copies. Unset: a "backups" folder beside the database file.</summary>
    public string? BackupDirectory { get; set; }

    public string ResolvedDatabasePath => Path.GetFullPath(DatabasePath);

    public string ResolvedSeedPath => Path.GetFullPath(SeedPath);
}

/// <summary>The "Timeline:Postgres" section: how the PostgreSQL engine uses its hosts.</summary>
public sealed class PostgresOptions
{
    /// <summary>
    /// Whether reads that decide no write (lists, one event without If-Match, search, facets, exports) may be served by a
    /// standby named in ConnectionStrings:Timeline (Host=primary,standby): Npgsql's prefer-standby target session. A standby
    /// replays the primary's changes a moment later, so a client may not see its own write at once on such reads; writes
    /// and the reads that decide them (If-Match) always run on the primary.
    /// </summary>
    public bool ReadsFromStandby { get; set; }
}

using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Timeline.Store.Sqlite;

/// <summary>
/// The one place that opens connections to the store and sets their pragmas. Everything SQLite-specific
/// about connections lives here, so another store can take its place behind the same seam.
/// </summary>
public sealed class SqliteConnections
{
    private readonly string _connectionString;
    private readonly ConnectionHooks? _hooks;

    /// <summary>
    /// Memory statistics off: they take one process-wide mutex on every allocation SQLite makes, from every connection.
    /// Must be set before SQLite's first use in the process; if SQLite is already in use, it stays as it is.
    /// <para>
    /// SQLite stays in its serialized mode (each connection's calls under the connection's own mutex). Multi-thread mode
    /// (no mutex) crashed the process: a SqliteCommand that nobody disposed is finalized on the garbage collector's
    /// finalizer thread, which finalizes its prepared statements on the pooled connection while another request is using
    /// that connection; without the mutex the two corrupt the connection's memory (a segfault inside SQLite's parser seen
    /// once in CI; the same as SQLitePCL.raw issue 430). The mutex is uncontended otherwise.
    /// </para>
    /// </summary>
    static SqliteConnections()
    {
        SQLitePCL.Batteries_V2.Init();
        _ = SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MEMSTATUS, 0);
    }

    public SqliteConnections(IOptions<TimelineOptions> options, ConnectionHooks? hooks = null)
    {
        _hooks = hooks;
        var settings = options.Value;
        var path = settings.ResolvedDatabasePath;
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        FilePath = path;
        CommandTimeoutSeconds = settings.CommandTimeoutSeconds;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = settings.CommandTimeoutSeconds,
        }.ToString();
    }

    /// <summary>The connection string every connection to this store uses (its pool is keyed by it).</summary>
    public string ConnectionString => _connectionString;

    /// <summary>The full path of the SQLite file.</summary>
    public string FilePath { get; }

    /// <summary>The timeout given to every command, in seconds.</summary>
    public int CommandTimeoutSeconds { get; }

    /// <summary>
    /// Opens a pooled connection with foreign keys on, a busy timeout, and normal sync (safe under WAL).
    /// The pragmas run once per physical connection, not on every open from the pool (which is why foreign keys
    /// are not asked for in the connection string: Microsoft.Data.Sqlite would run that pragma on every open).
    /// </summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        _hooks?.Attach(connection); // statement timings and interruption of cancelled requests' queries
        var handle = connection.Handle!;
        if (!_configured.TryGetValue(handle, out _))
        {
            using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {CommandTimeoutSeconds * 1000}; PRAGMA synchronous = NORMAL; PRAGMA cache_size = {PageCacheSize};";
            await pragma.ExecuteNonQueryAsync(cancellationToken);

            // The search index's text: CJK characters spread into tokens of their own (Search/CjkSqlFunction.cs), for the SQL that
            // builds search rows from the tables (SearchIndex.cs, migration 0008). Registered on the physical connection
            // itself (Microsoft.Data.Sqlite's functions belong to one SqliteConnection object, not to the pooled handle).
            CjkSqlFunction.Register(handle);

            // The query planner's stability guarantee: a statement's plan never depends on the values bound to it.
            // Without it SQLite looks at bound values while matching WHERE terms with partial indexes, and then
            // prepares the statement again whenever one of those values changes, which for a list is every request
            // (the kept statements of Storage/ReadSessions.cs would be planned again each time).
            const int EnableQpsg = 1007; // SQLITE_DBCONFIG_ENABLE_QPSG
            _ = SQLitePCL.raw.sqlite3_db_config(handle, EnableQpsg, 1, out _);
            _configured.AddOrUpdate(handle, Configured);
        }

        return connection;
    }

    private static readonly object Configured = new();

    /// <summary>
    /// Each pooled connection's own page cache, as SQLite's cache_size (negative: in KiB, so 1 MiB). A request reads a few dozen
    /// pages; the operating system caches the file for all connections. With one connection per concurrent request,
    /// SQLite's default 2 MiB each would be tens of megabytes of mostly duplicated pages.
    /// </summary>
    private const int PageCacheSize = -1024;

    /// <summary>The physical connections (SQLite handles) whose pragmas are set.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = [];

    /// <summary>
    /// A larger page cache for one connection that is about to write a lot (imports): indexes are built in memory,
    /// and SQLite may sort for CREATE INDEX on a second thread.
    /// </summary>
    public static void PrepareForBulkWrite(SqliteConnection connection)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA threads = 2;";
        pragma.ExecuteNonQuery();
    }

    /// <summary>Gives a pooled connection back its ordinary page cache.</summary>
    public static void EndBulkWrite(SqliteConnection connection)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA cache_size = {PageCacheSize}; PRAGMA threads = 0;";
        pragma.ExecuteNonQuery();
    }

    /// <summary>
    /// For the first load into a store that holds no events, when no other connection uses the file:
    /// switches to a rollback journal, so the load's pages are written once into the file instead of once
    /// into the write-ahead log and again at the checkpoint. A crash still rolls the load back (the journal
    /// is atomic); the caller switches back to WAL afterwards, and every start does too. Returns whether
    /// it switched.
    /// </summary>
    public static async Task<bool> TryUseRollbackJournalForFirstLoadAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var check = connection.CreateCommand();
        check.CommandText = "SELECT NOT EXISTS (SELECT 1 FROM events);";
        if ((long)(await check.ExecuteScalarAsync(cancellationToken))! != 1)
        {
            return false;
        }

        try
        {
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode = DELETE;";
            var mode = (string?)await pragma.ExecuteScalarAsync(cancellationToken);
            return string.Equals(mode, "delete", StringComparison.OrdinalIgnoreCase);
        }
        catch (SqliteException)
        {
            // Another connection has the file open in WAL mode (a running server): load through the WAL.
            return false;
        }
    }

    /// <summary>The setting kept in the file itself: write-ahead logging.</summary>
    public static async Task ConfigureFileAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
    }
}

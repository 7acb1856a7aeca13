using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Timeline.Api.Storage;

/// <summary>
/// The one place that opens connections to the store and sets their pragmas. Everything SQLite-specific
/// about connections lives here, so another store can take its place behind the same seam.
/// </summary>
public sealed class Database
{
    private readonly string _connectionString;

    public Database(IOptions<TimelineOptions> options)
    {
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
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = settings.CommandTimeoutSeconds,
        }.ToString();
    }

    /// <summary>The full path of the SQLite file.</summary>
    public string FilePath { get; }

    /// <summary>The timeout given to every command, in seconds.</summary>
    public int CommandTimeoutSeconds { get; }

    /// <summary>Opens a pooled connection with foreign keys on, a busy timeout, and normal sync (safe under WAL).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA busy_timeout = {CommandTimeoutSeconds * 1000}; PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>A larger page cache for one connection that is about to write a lot (imports): indexes are built in memory.</summary>
    public static void PrepareForBulkWrite(SqliteConnection connection)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;";
        pragma.ExecuteNonQuery();
    }

    /// <summary>Gives a pooled connection back its ordinary page cache.</summary>
    public static void EndBulkWrite(SqliteConnection connection)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA cache_size = -2000;";
        pragma.ExecuteNonQuery();
    }

    /// <summary>The setting kept in the file itself: write-ahead logging.</summary>
    public static async Task ConfigureFileAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
    }
}

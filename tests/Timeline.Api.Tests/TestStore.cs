using System.Data.Common;
using Microsoft.AspNetCore.Hosting;

namespace Timeline.Api.Tests;

/// <summary>
/// The store under a test, on whichever engine this build of the suite runs (<see cref="TimelineApp.Engine"/>): a SQLite
/// file in tests/Timeline.Api.Tests, a database on the throwaway cluster in tests/Timeline.Api.Tests.Postgres. For the
/// tests whose setup or check needs what no contract offers (a change made behind the API's back, a row count, the schema
/// version) and for a store that outlives the apps started on it (a restart). Both engines keep the same tables and
/// columns, so the SQL a test sends through <see cref="OpenAsync(TimelineApp)"/> is the same on both.
/// </summary>
public sealed class TestStore : IDisposable
{
    /// <summary>A store of its own, empty until an app starts on it: the file <paramref name="name"/> in <paramref name="folder"/> (SQLite), or a new database (PostgreSQL).</summary>
    public TestStore(string folder, string name)
    {
        DatabasePath = Path.Combine(folder, name);
#if POSTGRES
        ConnectionString = PostgresCluster.Shared.CreateDatabase();
#endif
    }

    private TestStore(TimelineApp app)
    {
        DatabasePath = app.DatabasePath;
        ConnectionString = app.PostgresConnectionString;
        _borrowed = true;
    }

    /// <summary>Whether this is another's store (a test app's), which <see cref="Dispose"/> leaves alone.</summary>
    public bool Borrowed => _borrowed;

    private readonly bool _borrowed;

    /// <summary>The store of a test app (the app removes it, not this).</summary>
    public static TestStore Of(TimelineApp app) => new(app);

    /// <summary>The SQLite file (set on both engines; PostgreSQL ignores it).</summary>
    public string DatabasePath { get; }

    /// <summary>On PostgreSQL, the connection string of the store's database; null on SQLite.</summary>
    public string? ConnectionString { get; }

    /// <summary>The schema version this build migrates a store to.</summary>
#if POSTGRES
    public static int LatestSchemaVersion => Timeline.Store.Postgres.PostgresMigrator.LatestVersion;
#else
    public static int LatestSchemaVersion => Migrator.LatestVersion;
#endif

    /// <summary>
    /// What POST /admin/backup answers an admin whom nothing else refuses: 200 with the copy on SQLite; on PostgreSQL, whose
    /// backups are the database's own (pg_dump, base backups), a 501 problem saying so. The tests that use it as an admin
    /// route (keys, rate limits, origins) expect this.
    /// </summary>
#if POSTGRES
    public const System.Net.HttpStatusCode AdminBackupStatus = System.Net.HttpStatusCode.NotImplemented;
#else
    public const System.Net.HttpStatusCode AdminBackupStatus = System.Net.HttpStatusCode.OK;
#endif

    /// <summary>Points an app at this store (after TimelineApp's own settings, which it overrides).</summary>
    public void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Timeline:DatabasePath", DatabasePath);
        if (ConnectionString is not null)
        {
            builder.UseSetting("ConnectionStrings:Timeline", ConnectionString);
        }
    }

    /// <summary>The command-line settings that point the API, run as a process of its own, at this store.</summary>
    public IReadOnlyList<string> CommandLine =>
        ConnectionString is null
            ? [$"--Timeline:DatabasePath={DatabasePath}"]
            : [$"--Timeline:Store={TimelineApp.Engine}", $"--ConnectionStrings:Timeline={ConnectionString}", $"--Timeline:DatabasePath={DatabasePath}"];

    /// <summary>Whether anything was ever written to this store: the SQLite file exists, or the database has its schema.</summary>
    public async Task<bool> WasCreatedAsync()
    {
        if (ConnectionString is null)
        {
            return File.Exists(DatabasePath);
        }

        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT to_regclass('schema_migrations') IS NOT NULL;";
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Whether the store holds any source, entity, event or revision (false where it was never created).</summary>
    public async Task<bool> HoldsAnyRecordAsync()
    {
        if (!await WasCreatedAsync())
        {
            return false;
        }

        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM sources) + (SELECT COUNT(*) FROM entities) + (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM revisions);";
        return System.Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>A new, open, unpooled connection to this store.</summary>
    public Task<DbConnection> OpenAsync() => OpenAsync(DatabasePath, ConnectionString);

    /// <summary>A new, open, unpooled connection to the store of a running test app, behind the API's back.</summary>
    public static Task<DbConnection> OpenAsync(TimelineApp app) => OpenAsync(app.DatabasePath, app.PostgresConnectionString);

    /// <summary>Runs one statement on the store of a test app, behind the API's back (the data version does not move); returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(TimelineApp app, string sql)
    {
        await using var connection = await OpenAsync(app);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<DbConnection> OpenAsync(string databasePath, string? connectionString)
    {
        DbConnection connection = connectionString is null
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath};Pooling=False")
#if POSTGRES
            : new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
#else
            : throw new InvalidOperationException("A PostgreSQL store in the SQLite build of the tests.");
#endif
        await connection.OpenAsync();
        return connection;
    }

    public void Dispose()
    {
#if POSTGRES
        if (ConnectionString is not null && !_borrowed)
        {
            PostgresCluster.Shared.DropDatabase(ConnectionString);
        }
#endif
    }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// The API through its real HTTP pipeline, on a SQLite file of its own in a private temporary folder,
/// seeded from the reference dataset (a frozen copy of the curated one) unless a test gives another.
/// </summary>
public class TimelineApp : WebApplicationFactory<Program>
{
    public TimelineApp()
        : this(RepositoryFiles.ReferenceDataset)
    {
    }

    protected TimelineApp(string seedPath)
    {
        Folder = Directory.CreateTempSubdirectory("timeline-tests-").FullName;
        DatabasePath = Path.Combine(Folder, "timeline.db");
        SeedPath = seedPath;
#if POSTGRES
        PostgresConnectionString = PostgresCluster.Shared.CreateDatabase();
#endif
    }

    /// <summary>The engine this build of the suite runs on: tests/Timeline.Api.Tests on SQLite, tests/Timeline.Api.Tests.Postgres on PostgreSQL.</summary>
#if POSTGRES
    public const string Engine = TimelineOptions.StorePostgres;
#else
    public const string Engine = TimelineOptions.StoreSqlite;
#endif

    /// <summary>On PostgreSQL, the connection string of this app's own database on the test cluster; null on SQLite.</summary>
    public string? PostgresConnectionString { get; }

    /// <summary>An app seeded from another dataset file.</summary>
    public static TimelineApp WithDataset(string seedPath) => new OnDataset(seedPath);

    /// <summary>An app seeded from a dataset file, to be served by Kestrel on a port of 127.0.0.1 (<see cref="StartOnKestrel"/>).</summary>
    public static TimelineApp WithDatasetOnPort(string seedPath, int port) => new OnDataset(seedPath) { KestrelPort = port };

    /// <summary>The port a real Kestrel server serves this app on, for clients other than HttpClient (a browser).</summary>
    public int? KestrelPort { get; init; }

    public string? KestrelAddress => KestrelPort is { } port ? $"http://127.0.0.1:{port}" : null;

    /// <summary>Starts the app on Kestrel at <see cref="KestrelPort"/>.</summary>
    public void StartOnKestrel()
    {
        UseKestrel(KestrelPort ?? throw new InvalidOperationException("No Kestrel port was given."));
        StartServer();
    }

    public string Folder { get; }

    public string DatabasePath { get; }

    public string SeedPath { get; }

    /// <summary>An editor's API key, configured (as its SHA-256) in every test app.</summary>
    public const string EditorKey = "tl_test-editor-key";

    /// <summary>An admin's API key, configured (as its SHA-256) in every test app.</summary>
    public const string AdminKey = "tl_test-admin-key";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Timeline:DatabasePath", DatabasePath);
        builder.UseSetting("Timeline:Store", Engine);
        if (PostgresConnectionString is not null)
        {
            builder.UseSetting("ConnectionStrings:Timeline", PostgresConnectionString);
        }

        builder.UseSetting("Timeline:SeedPath", SeedPath);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Timeline:ApiKeys:0:Name", "editor");
        builder.UseSetting("Timeline:ApiKeys:0:Role", "editor");
        builder.UseSetting("Timeline:ApiKeys:0:Sha256", Sha256(EditorKey));
        builder.UseSetting("Timeline:ApiKeys:1:Name", "admin");
        builder.UseSetting("Timeline:ApiKeys:1:Role", "admin");
        builder.UseSetting("Timeline:ApiKeys:1:Sha256", Sha256(AdminKey));

        // Many requests come from one client (TestServer has no remote address), and the bad-input tests send
        // absurdly long values to reach the validators: limits no test reaches, unless a fixture for the
        // limits themselves (OperationsFixtures.cs) sets its own.
        builder.UseSetting("Timeline:RateLimits:ReadsPerWindow", "1000000");
        builder.UseSetting("Timeline:RateLimits:WritesPerWindow", "1000000");
        builder.UseSetting("Timeline:Limits:MaxQueryStringLength", "1000000");

        // The app's logs go to the output of the test that runs it (shown with that test's result), not to the
        // console, where every app's lines from every test would run together in `dotnet test`'s output.
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new TestOutputLogs(this));
        });
        ConfigureSettings(builder);
    }

    /// <summary>Where this app's log lines go: the output of the test using the app now (set per test; lines are dropped while unset).</summary>
    public ITestOutputHelper? Output { get; set; }

    /// <summary>Settings of a derived fixture, applied after (and over) the defaults above.</summary>
    protected virtual void ConfigureSettings(IWebHostBuilder builder)
    {
    }

    /// <summary>
    /// A client whose every response is checked against the served OpenAPI document (<see cref="ResponseContractHandler"/>):
    /// a status, content type or JSON body the document does not declare for the operation fails the request, and so the
    /// test. Hides WebApplicationFactory's CreateClient so that every client a test makes from a test app checks.
    /// </summary>
    public new HttpClient CreateClient() => CreateClient(new WebApplicationFactoryClientOptions());

    /// <inheritdoc cref="CreateClient()"/>
    public new HttpClient CreateClient(WebApplicationFactoryClientOptions options)
    {
        // As WebApplicationFactory builds its handlers (redirects, then cookies), with the check innermost: it sees
        // every response the app sends, a redirect before it is followed included.
        var handlers = new List<DelegatingHandler>();
        if (options.AllowAutoRedirect)
        {
            handlers.Add(new Microsoft.AspNetCore.Mvc.Testing.Handlers.RedirectHandler(options.MaxAutomaticRedirections));
        }

        if (options.HandleCookies)
        {
            handlers.Add(new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler());
        }

        handlers.Add(new ResponseContractHandler(() => ResponseContract.Served));
        return CreateDefaultClient(options.BaseAddress, [.. handlers]);
    }

    /// <summary>A client that sends the given API key.</summary>
    public HttpClient CreateClient(string apiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    private static string Sha256(string key) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    private string? _connectionString;

    /// <summary>Notes the store's connection string once the host has started (a host that failed to start has no pool).</summary>
    protected override Microsoft.Extensions.Hosting.IHost CreateHost(Microsoft.Extensions.Hosting.IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        _connectionString = (host.Services.GetService(typeof(Timeline.Store.Sqlite.SqliteConnections)) as Timeline.Store.Sqlite.SqliteConnections)?.ConnectionString;
        return host;
    }

    protected override void Dispose(bool disposing)
    {
        // Only this app's pool is cleared: clearing every pool would close (and checkpoint) the stores of
        // other tests running at the same time.
        var connectionString = _connectionString;
        base.Dispose(disposing);
        if (disposing)
        {
#if POSTGRES
            if (PostgresConnectionString is not null)
            {
                PostgresCluster.Shared.DropDatabase(PostgresConnectionString);
            }
#endif
            if (connectionString is not null)
            {
                using var pooled = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
                Microsoft.Data.Sqlite.SqliteConnection.ClearPool(pooled);
            }

            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by the OS is left for the temp cleaner.
            }
        }
    }
}

internal sealed class OnDataset(string seedPath) : TimelineApp(seedPath);

/// <summary>Sends an app's log lines to <see cref="TimelineApp.Output"/>: level, category and message, one line each.</summary>
internal sealed class TestOutputLogs(TimelineApp app) : Microsoft.Extensions.Logging.ILoggerProvider
{
    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(app, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TimelineApp app, string category) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => app.Output is not null;

        public void Log<TState>(
            Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (app.Output is not { } output)
            {
                return;
            }

            try
            {
                output.WriteLine($"[{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test this output belonged to has finished (a late line from the app's background work).
            }
        }
    }
}

/// <summary>Sends a test app's logs to a test's output.</summary>
public static class TestOutputExtensions
{
    public static TApp LoggingTo<TApp>(this TApp app, ITestOutputHelper output)
        where TApp : TimelineApp
    {
        app.Output = output;
        return app;
    }
}

/// <summary>Files of the repository the tests read: the curated dataset and the source documents.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    /// <summary>The curated dataset the product seeds from (data/timeline.json): for the tests about that data itself.</summary>
    public static string Dataset => Path.Combine(Root, "data", "timeline.json");

    /// <summary>
    /// A frozen copy of the curated dataset as it stood when the store boundary was drawn (Datasets/reference), which the
    /// tests of the API's behaviour run on: correcting data/timeline.json (dates, ids, wording) does not move them.
    /// </summary>
    public static string ReferenceDataset => Path.Combine(Root, "tests", "Timeline.Api.Tests", "Datasets", "reference", "timeline.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Timeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Timeline.sln not found above " + AppContext.BaseDirectory);
    }
}

using System.Collections.Concurrent;
using System.Net;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Timeline.Api.Auth;
using Timeline.Store.Sqlite;

namespace Timeline.Api.Tests;

/// <summary>
/// The API with the operations settings a test asks for (tight rate limits, small bodies, a short request
/// timeout, trusted proxies), an admin and an editor key, its log lines captured, and three test-only hooks:
/// <list type="bullet">
/// <item>an X-Test-Peer header sets the connection's remote address (TestServer has none), so a test can be any client;</item>
/// <item>GET /test/slow-query runs a query that would take minutes, through the app's own store;</item>
/// <item>GET /test/gate waits until the test opens <see cref="Gate"/>, to hold a request in flight;</item>
/// <item>POST /test/read-body reads the whole body, as an endpoint taking JSON would.</item>
/// </list>
/// The hooks sit outside the app's routes (before its pipeline, and after it for paths no route matched), so the
/// app under test is the real one.
/// </summary>
public class OperationsApp : TimelineApp
{
    public const string PeerHeader = "X-Test-Peer";

    private readonly IReadOnlyDictionary<string, string> _settings;

    public OperationsApp()
        : this(new Dictionary<string, string>())
    {
    }

    protected OperationsApp(IReadOnlyDictionary<string, string> settings)
        : base(RepositoryFiles.ReferenceDataset)
    {
        _settings = settings;
        (AdminKey, var admin) = ApiKeyOptions.Create("ops-admin", Roles.Admin);
        (EditorKey, var editor) = ApiKeyOptions.Create("ops-editor", Roles.Editor);
        Keys = [admin, editor];
    }

    public new string AdminKey { get; }

    public new string EditorKey { get; }

    public IReadOnlyList<ApiKeyEntry> Keys { get; }

    public LogCapture Logs { get; } = new();

    /// <summary>GET /test/gate answers when this is opened.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when a request has reached GET /test/gate.</summary>
    public TaskCompletionSource GateReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A client that is the given address, as far as the app can tell.</summary>
    public HttpClient ClientFrom(string peer, string? key = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(PeerHeader, peer);
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }

        return client;
    }

    protected override void ConfigureSettings(IWebHostBuilder builder)
    {
        builder.UseSetting("Logging:LogLevel:Timeline.Api.Requests", "Information");
        for (var i = 0; i < Keys.Count; i++)
        {
            builder.UseSetting($"Timeline:ApiKeys:{i}:Name", Keys[i].Name);
            builder.UseSetting($"Timeline:ApiKeys:{i}:Role", Keys[i].Role);
            builder.UseSetting($"Timeline:ApiKeys:{i}:Sha256", Keys[i].Sha256);
        }

        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter>(new TestHooks(this)));
    }

    private sealed class TestHooks(OperationsApp app) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => builder =>
        {
            builder.Use((context, following) =>
            {
                if (context.Request.Headers.TryGetValue(PeerHeader, out var peer))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
                }

                return following(context);
            });

            next(builder);

            builder.Run(async context =>
            {
                switch (context.Request.Path.Value)
                {
                    case "/test/slow-query":
#if POSTGRES
                        var database = context.RequestServices.GetRequiredService<Timeline.Store.Postgres.PostgresConnections>();
                        const string slow = "SELECT COUNT(*) FROM generate_series(1::bigint, 10000000000::bigint);";
#else
                        var database = context.RequestServices.GetRequiredService<SqliteConnections>();
                        const string slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM (SELECT i FROM n LIMIT 10000000000);";
#endif
                        await using (var connection = await database.OpenAsync(context.RequestAborted))
                        {
                            var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(slow, cancellationToken: context.RequestAborted));
                            await context.Response.WriteAsync($"counted {count}");
                        }

                        break;
                    case "/test/read-body":
                        var read = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
                        await context.Response.WriteAsync($"read {read.Length} characters");
                        break;
                    case "/test/gate":
                        app.GateReached.TrySetResult();
                        await app.Gate.Task;
                        await context.Response.WriteAsync("through the gate");
                        break;
                    default:
                        context.Response.StatusCode = StatusCodes.Status404NotFound;
                        break;
                }
            });
        };
    }
}

/// <summary>The app on a real Kestrel server on 127.0.0.1, for what TestServer does not do (header and body limits, shutdown).</summary>
public class KestrelOperationsApp : OperationsApp
{
    public KestrelOperationsApp(int port, IReadOnlyDictionary<string, string> settings)
        : base(settings)
    {
        Port = port;
        UseKestrel(port);
        StartServer();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
}

/// <summary>Every log entry the app writes, with its structured state.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> State);

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IEnumerable<Entry> Requests => Entries.Where(e => e.Category == "Timeline.Api.Requests");

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), values.ToDictionary(kv => kv.Key, kv => kv.Value)));
        }
    }
}

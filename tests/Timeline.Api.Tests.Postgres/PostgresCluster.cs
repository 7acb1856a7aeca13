using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using Timeline.Store.Postgres;

namespace Timeline.Api.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, started on a free port of 127.0.0.1, stopped
/// and removed when the test run ends. Run as root, the server programs run as the unprivileged <c>postgres</c> user
/// (initdb refuses root), which owns the folder. Each test app gets a database of its own (<see cref="CreateDatabase"/>).
/// Where PostgreSQL's server programs are missing, every test of this project is skipped with <see cref="InstallHint"/>.
/// <para>
/// No cluster outlives its test run: each folder is named after the test host's process id (timeline-pg-PURPOSE-PID-*);
/// a watchdog (a small shell loop, detached from the test host so that killing the host's process tree spares it) stops
/// the server and removes the folder as soon as the host is gone, however it ended (the host's own exit handler may be
/// cut short: the runner kills it once the results are in); and each run first removes the clusters of test hosts that
/// are no longer running.
/// </para>
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    /// <summary>The line a skipped test shows where the server programs are missing.</summary>
    public const string InstallHint =
        "Needs PostgreSQL's server programs (initdb, pg_ctl): install them with 'apt-get install postgresql' (Debian/Ubuntu; or set TIMELINE_PG_BINDIR to their folder); .ci/run does.";

    /// <summary>The folder of initdb, pg_ctl and pg_basebackup, or null where they are missing.</summary>
    public static string? BinDirectory { get; } = FindBinDirectory();

    public static bool Available => BinDirectory is not null;

    private static readonly Lazy<PostgresCluster> SharedCluster = new(() => Start("shared"));

    /// <summary>The cluster every test app of this run makes its database in (started on first use).</summary>
    public static PostgresCluster Shared => SharedCluster.Value;

    private static int _databases;

    private PostgresCluster(string folder, int port, string? runAs)
    {
        Folder = folder;
        Port = port;
        RunAs = runAs;
    }

    /// <summary>The cluster's data folder.</summary>
    public string Folder { get; }

    public int Port { get; }

    /// <summary>The user the server programs run as (postgres when the tests run as root), or null for the current user.</summary>
    public string? RunAs { get; }

    /// <summary>The superuser every connection logs in as (trust authentication on 127.0.0.1 only).</summary>
    public const string Superuser = "timeline";

    /// <summary>A connection string to <paramref name="database"/> on this cluster.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = Superuser, Database = database, Pooling = true, MaxPoolSize = 20 }.ConnectionString;

    /// <summary>The store's connections to a database of the cluster, as the app makes them from ConnectionStrings:Timeline.</summary>
    public static PostgresConnections Connections(string connectionString, TimelineOptions? options = null) =>
        new(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Timeline"] = connectionString })
                .Build(),
            Options.Create(options ?? new TimelineOptions()));

    /// <summary>
    /// The store's connections to a database of the cluster, migrated to the latest schema, with Dapper matching
    /// snake_case columns as PostgresStoreServices sets it: the start of every test that reads a store written by SQL.
    /// </summary>
    public static async Task<PostgresConnections> MigratedAsync(string connectionString)
    {
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        var database = Connections(connectionString);
        await PostgresMigrator.MigrateAsync(database, CancellationToken.None);
        return database;
    }

    /// <summary>A new, empty database of its own; returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabase"/>, closing whatever still uses it.</summary>
    public void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE);", connection);
        command.ExecuteNonQuery();
    }

    /// <summary>The folders of the clusters of this project's test runs.</summary>
    private const string FolderPrefix = "timeline-pg-";

    /// <summary>Stops the server and removes the folder (the end of a cluster a test made for itself).</summary>
    public void Dispose() => Remove();

    /// <summary>Initializes and starts a cluster of its own (<paramref name="purpose"/> names its folder); stopped and removed at the end of the run.</summary>
    public static PostgresCluster Start(string purpose, Action<PostgresCluster>? beforeStart = null)
    {
        var cluster = Initialize(purpose);
        beforeStart?.Invoke(cluster);
        cluster.StartServer();
        return cluster;
    }

    /// <summary>A new cluster's folder and port, initialized but not started.</summary>
    public static PostgresCluster Initialize(string purpose)
    {
        var bin = BinDirectory ?? throw new InvalidOperationException(InstallHint);
        var cluster = NewFolder(purpose);
        cluster.RunServerProgram(Path.Combine(bin, "initdb"), ["-D", cluster.DataFolder, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
        return cluster;
    }

    /// <summary>
    /// A streaming standby of <paramref name="primary"/>: a base backup of it (pg_basebackup -R: the standby's settings and
    /// standby.signal are written with it) in a new folder, started on a port of its own as a hot standby, which replays
    /// the primary's changes and serves reads. Stopped and removed like any cluster.
    /// </summary>
    public static PostgresCluster StartStandby(PostgresCluster primary, string purpose)
    {
        var bin = BinDirectory ?? throw new InvalidOperationException(InstallHint);
        var standby = NewFolder(purpose);
        standby.RunServerProgram(Path.Combine(bin, "pg_basebackup"), ["-D", standby.DataFolder, "-R", "-X", "stream", "-c", "fast", "-h", "127.0.0.1", "-p", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", Superuser, "--no-sync"]);
        standby.StartServer();
        return standby;
    }

    /// <summary>A new cluster's folder (owned by the server's user), watched so that it goes when this process does.</summary>
    private static PostgresCluster NewFolder(string purpose)
    {
        RemoveOrphans();
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var folder = Directory.CreateTempSubdirectory($"{FolderPrefix}{purpose}-{Environment.ProcessId}-").FullName;
        var cluster = new PostgresCluster(folder, FreePort(), runAs);
        if (runAs is not null)
        {
            Run("chown", [runAs, folder]);
        }

        cluster.StartWatchdog();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Remove();
        return cluster;
    }

    /// <summary>
    /// Starts the shell loop that waits for this process to end, then stops the server (SIGQUIT: PostgreSQL's immediate
    /// shutdown; the data is thrown away) and removes the folder. <c>setsid -f</c> detaches it from this process's tree.
    /// </summary>
    private void StartWatchdog()
    {
        var script = $"""
            exec </dev/null >/dev/null 2>&1
            while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done
            {StopScript(Folder)}
            """;
        try
        {
            using var watchdog = Process.Start(new ProcessStartInfo("setsid", ["-f", "sh", "-c", script]) { UseShellExecute = false });
            watchdog?.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No setsid (not Linux): the exit handler and the next run's sweep remove the cluster.
        }
    }

    /// <summary>
    /// Shell lines that stop a cluster's server, if it runs, and remove its folder. Only a server's pid is signalled (initdb
    /// writes its own, negative, which kill would take for a process group).
    /// </summary>
    private static string StopScript(string folder) => $"""
        pidfile='{folder}/data/postmaster.pid'
        if [ -f "$pidfile" ]; then
          pid=$(head -n 1 "$pidfile")
          case "$pid" in
            ''|*[!0-9]*) ;;
            *) kill -QUIT "$pid" 2>/dev/null
               i=0; while [ $i -lt 30 ] && kill -0 "$pid" 2>/dev/null; do sleep 1; i=$((i+1)); done ;;
          esac
        fi
        rm -rf '{folder}'
        """;

    private static int _orphansRemoved;

    /// <summary>
    /// Once a run: stops and removes the clusters of test hosts that are gone (a host killed before its watchdog was
    /// there, or whose watchdog was killed too), and the folders of older builds of this fixture (not named after their
    /// host) whose server no longer runs and which are over an hour old.
    /// </summary>
    private static void RemoveOrphans()
    {
        if (Interlocked.Exchange(ref _orphansRemoved, 1) == 1)
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            try
            {
                var parts = Path.GetFileName(folder).Split('-');
                var owner = parts.Length >= 5 && int.TryParse(parts[^2], out var pid) ? pid : (int?)null;
                var orphan = owner is { } host
                    ? !IsRunning(host)
                    : DateTime.UtcNow - Directory.GetCreationTimeUtc(folder) > TimeSpan.FromHours(1) && !ServerRuns(folder);
                if (orphan)
                {
                    Run("sh", ["-c", StopScript(folder)]);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Another run's, in use or being removed: left to its own watchdog.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Whether the server of a cluster's folder runs (its postmaster.pid names a live process).</summary>
    private static bool ServerRuns(string folder)
    {
        var pidFile = Path.Combine(folder, "data", "postmaster.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) && IsRunning(pid);
    }

    /// <summary>The data folder initdb made.</summary>
    public string DataFolder => Path.Combine(Folder, "data");

    /// <summary>Starts the server on 127.0.0.1:<see cref="Port"/>, its socket in the cluster's folder; durability off (throwaway data), streaming replication allowed.</summary>
    public void StartServer()
    {
        var options = $"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off " +
                      "-c max_connections=300 -c shared_buffers=64MB -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on";
        RunServerProgram(Path.Combine(BinDirectory!, "pg_ctl"), ["-D", DataFolder, "-o", options, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "60", "start"]);
    }

    /// <summary>Runs one of PostgreSQL's programs as the cluster's user; throws with its output when it fails.</summary>
    public string RunServerProgram(string program, IReadOnlyList<string> arguments)
    {
        if (RunAs is null)
        {
            return Run(program, arguments);
        }

        return Run("runuser", ["-u", RunAs, "--", program, .. arguments]);
    }

    private int _removed;

    /// <summary>Stops the server (immediately: the data is thrown away) and deletes its folder (once).</summary>
    public void Remove()
    {
        if (Interlocked.Exchange(ref _removed, 1) == 1)
        {
            return;
        }

        try
        {
            if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
            {
                RunServerProgram(Path.Combine(BinDirectory!, "pg_ctl"), ["-D", DataFolder, "-m", "immediate", "-w", "stop"]);
            }
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string Run(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} took longer than 120 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stdout}{stderr.Result}");
        }

        return stdout;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable("TIMELINE_PG_BINDIR") is { Length: > 0 } configured)
        {
            return File.Exists(Path.Combine(configured, "initdb")) ? configured : null;
        }

        // Debian and Ubuntu keep each major version's server programs in /usr/lib/postgresql/N/bin (the newest wins).
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            var debian = Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0)
                .FirstOrDefault();
            if (debian is not null)
            {
                return debian;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }
}

/// <summary>
/// In this project every [Fact] of the shared test sources is this one: skipped, with the line saying how to install
/// PostgreSQL, where its server programs are missing.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[Xunit.Sdk.XunitTestCaseDiscoverer("Xunit.Sdk.FactDiscoverer", "xunit.execution.{Platform}")]
public class FactAttribute : Xunit.FactAttribute
{
    public FactAttribute()
    {
        if (!PostgresCluster.Available)
        {
            Skip = PostgresCluster.InstallHint;
        }
    }
}

/// <summary>Every [Theory] of the shared test sources, skipped the same way as <see cref="FactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
[Xunit.Sdk.XunitTestCaseDiscoverer("Xunit.Sdk.TheoryDiscoverer", "xunit.execution.{Platform}")]
public class TheoryAttribute : Xunit.TheoryAttribute
{
    public TheoryAttribute()
    {
        if (!PostgresCluster.Available)
        {
            Skip = PostgresCluster.InstallHint;
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Timeline.Api.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, started on a free port of 127.0.0.1, stopped
/// and removed when the test run ends. Run as root, the server programs run as the unprivileged <c>postgres</c> user
/// (initdb refuses root), which owns the folder. Each test app gets a database of its own (<see cref="CreateDatabase"/>).
/// Where PostgreSQL's server programs are missing, every test of this project is skipped with <see cref="InstallHint"/>.
/// </summary>
public sealed class PostgresCluster
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
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var folder = Directory.CreateTempSubdirectory($"timeline-pg-{purpose}-").FullName;
        var cluster = new PostgresCluster(folder, FreePort(), runAs);
        if (runAs is not null)
        {
            Run("chown", [runAs, folder]);
        }

        cluster.RunServerProgram(Path.Combine(bin, "initdb"), ["-D", Path.Combine(folder, "data"), "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Remove();
        return cluster;
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

    /// <summary>Stops the server (immediately: the data is thrown away) and deletes its folder.</summary>
    public void Remove()
    {
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

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Timeline.Api.Operations;
using Timeline.Store.Sqlite;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>POST /admin/backup and the backup command, against a store that is serving.</summary>
public class BackupTests(OperationsApp fixture, ITestOutputHelper output) : IClassFixture<OperationsApp>
{
    private readonly OperationsApp app = fixture.LoggingTo(output);

    [Fact]
    public async Task The_backup_endpoint_needs_an_admin_key()
    {
        using var anonymous = app.CreateClient();
        using var editor = app.ClientFrom("192.0.2.90", app.EditorKey);

        using var unauthenticated = await anonymous.PostAsync("/admin/backup", null);
        using var forbidden = await editor.PostAsync("/admin/backup", null);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal("application/problem+json", unauthenticated.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_admin_backup_is_a_sound_copy_of_the_live_store_holding_what_it_serves()
    {
        using var client = app.ClientFrom("192.0.2.91", app.AdminKey);
        var served = await client.GetJsonAsync("/version");

        using var response = await client.PostAsync("/admin/backup", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var backup = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var name = backup.GetProperty("name").GetString()!;
        Assert.Matches(@"^timeline-\d{8}-\d{6}-\d{7}\.db$", name);
        var path = Path.Combine(app.Folder, "backups", name);
        Assert.DoesNotContain(app.Folder, backup.ToString(), StringComparison.Ordinal);
        Assert.Equal(new FileInfo(path).Length, backup.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path))), backup.GetProperty("sha256").GetString());
        Assert.Equal(served.GetProperty("counts").ToString(), backup.GetProperty("store").GetProperty("counts").ToString());

        var copy = await StoreFiles.SummaryAsync(path);
        Assert.Equal(served.GetProperty("counts").GetProperty("events").GetInt64(), copy.Counts.Events);
        Assert.Equal(served.GetProperty("dataVersion").GetInt64(), copy.DataVersion);
        Assert.Equal(Migrator.LatestVersion, copy.SchemaVersion);
        Assert.Equal(["ok"], await StoreFiles.IntegrityAsync(path));
    }

    [Fact]
    public async Task Backups_taken_while_the_API_serves_reads_are_all_sound()
    {
        using var admin = app.ClientFrom("192.0.2.92", app.AdminKey);
        using var reader = app.CreateClient();

        var reads = Enumerable.Range(0, 30).Select(i => reader.GetAsync(i % 2 == 0 ? "/events?q=kirin" : "/events.csv")).ToList();
        var backups = Enumerable.Range(0, 3).Select(_ => admin.PostAsync("/admin/backup", null)).ToList();
        var readResponses = await Task.WhenAll(reads);
        var backupResponses = await Task.WhenAll(backups);

        Assert.All(readResponses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var paths = new List<string>();
        foreach (var response in backupResponses)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            paths.Add(Path.Combine(app.Folder, "backups", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString()!));
        }

        Assert.Equal(3, paths.Distinct().Count());
        foreach (var path in paths)
        {
            Assert.Equal(["ok"], await StoreFiles.IntegrityAsync(path));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(app.Folder, "backups"), "*.partial-*"));
    }

    [Fact]
    public async Task The_backup_command_copies_the_store_while_a_server_serves_it()
    {
        using var client = app.CreateClient();
        var served = await client.GetJsonAsync("/version");
        var destination = Path.Combine(app.Folder, "by-command", "copy.db");

        var run = await Command.RunAsync("backup", destination, $"--Timeline:DatabasePath={app.DatabasePath}");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains(destination, run.Output, StringComparison.Ordinal);
        Assert.Equal(served.GetProperty("counts").GetProperty("events").GetInt64(), (await StoreFiles.SummaryAsync(destination)).Counts.Events);
    }

    [Fact]
    public async Task The_backup_command_never_overwrites_a_file()
    {
        var destination = Path.Combine(app.Folder, "existing.db");
        await File.WriteAllTextAsync(destination, "precious");

        var run = await Command.RunAsync("backup", destination, $"--Timeline:DatabasePath={app.DatabasePath}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("already exists", run.Output, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(destination));
    }

    [Fact]
    public async Task Restore_is_refused_while_a_server_uses_the_store_and_the_store_is_untouched()
    {
        using var client = app.CreateClient();
        (await client.GetAsync("/health/ready")).Dispose();
        var backup = app.Services.GetRequiredService<StoreBackups>();
        var copy = (await backup.BackupAsync(Path.Combine(app.Folder, "for-restore.db"), CancellationToken.None)).FullPath;
        var before = await StoreFiles.SummaryAsync(app.DatabasePath);

        var run = await Command.RunAsync("restore", copy, $"--Timeline:DatabasePath={app.DatabasePath}");

        // (The file's bytes may change meanwhile: the server checkpoints its log when it likes. The data may not.)
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("in use", run.Output, StringComparison.Ordinal);
        Assert.Equal(before, await StoreFiles.SummaryAsync(app.DatabasePath));
        Assert.Empty(Directory.GetFiles(app.Folder, "*.before-restore-*"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/events")).StatusCode);
    }
}

/// <summary>The restore command, on stores that no server holds.</summary>
public sealed class RestoreTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("timeline-restore-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Restore_swaps_in_the_copy_keeps_the_replaced_store_and_the_server_then_serves_the_copy()
    {
        var store = await CopyOfStoreAsync(SyntheticDataset.Write(SyntheticDataset.Build(3)), "store.db");
        var copy = await CopyOfStoreAsync(SyntheticDataset.Write(SyntheticDataset.Build(10)), "copy.db");
        var storeBytes = await File.ReadAllBytesAsync(store);

        var run = await Command.RunAsync("restore", copy, $"--Timeline:DatabasePath={store}");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(10, (await StoreFiles.SummaryAsync(store)).Counts.Events);
        var kept = Assert.Single(Directory.GetFiles(_folder, "store.before-restore-*.db"));
        Assert.Equal(storeBytes, await File.ReadAllBytesAsync(kept));
        Assert.Contains(kept, run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(store + "-wal"));
        Assert.Empty(Directory.GetFiles(_folder, "*.restore-*"));

        using var app = new StoreApp(store).LoggingTo(output);
        using var client = app.CreateClient();
        var version = await client.GetJsonAsync("/version");
        Assert.Equal(10, version.GetProperty("counts").GetProperty("events").GetInt32());
    }

    [Fact]
    public async Task Restore_into_a_place_with_no_store_yet_creates_it()
    {
        var copy = await CopyOfStoreAsync(RepositoryFiles.ReferenceDataset, "copy.db");
        var store = Path.Combine(_folder, "new", "timeline.db");

        var run = await Command.RunAsync("restore", copy, $"--Timeline:DatabasePath={store}");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("no store before", run.Output, StringComparison.Ordinal);
        Assert.Equal(["ok"], await StoreFiles.IntegrityAsync(store));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "garbage", "not a readable SQLite database" },
        { "not-a-timeline", "not a timeline store" },
        { "newer-schema", "newer than this build's" },
        { "corrupt", "integrity" },
        { "missing", "does not exist" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Restore_refuses_a_copy_it_cannot_trust_and_leaves_the_store_as_it_was(string kind, string reason)
    {
        var store = await CopyOfStoreAsync(SyntheticDataset.Write(SyntheticDataset.Build(3)), "store.db");
        var before = await File.ReadAllBytesAsync(store);
        var copy = Path.Combine(_folder, kind + ".db");
        switch (kind)
        {
            case "garbage":
                await File.WriteAllTextAsync(copy, "this is not a database, though it is named like one");
                break;
            case "not-a-timeline":
                await StoreFiles.ExecuteAsync(copy, "CREATE TABLE notes (text TEXT);");
                break;
            case "newer-schema":
                File.Copy(await CopyOfStoreAsync(RepositoryFiles.ReferenceDataset, "source.db"), copy);
                await StoreFiles.ExecuteAsync(copy, $"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({Migrator.LatestVersion + 1}, 'future', '2099-01-01T00:00:00.000Z');");
                break;
            case "corrupt":
                File.Copy(await CopyOfStoreAsync(RepositoryFiles.ReferenceDataset, "source.db"), copy);
                await using (var file = new FileStream(copy, FileMode.Open, FileAccess.Write))
                {
                    // Scribble over the middle of the file, past the header, where the tables' pages are.
                    file.Seek(file.Length / 2, SeekOrigin.Begin);
                    await file.WriteAsync(Enumerable.Repeat((byte)0xA5, 8192).ToArray());
                }

                break;
        }

        var run = await Command.RunAsync("restore", copy, $"--Timeline:DatabasePath={store}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Restore refused", run.Output, StringComparison.Ordinal);
        Assert.True(run.Output.Contains(reason, StringComparison.OrdinalIgnoreCase), run.Output);
        Assert.Equal(before, await File.ReadAllBytesAsync(store));
        Assert.Empty(Directory.GetFiles(_folder, "*.before-restore-*"));
        Assert.Empty(Directory.GetFiles(_folder, "*.restore-*"));
    }

    [Fact]
    public async Task A_server_does_not_start_while_a_restore_holds_the_store()
    {
        var store = await CopyOfStoreAsync(RepositoryFiles.ReferenceDataset, "store.db");
        using var restoring = StoreLock.TryExclusive(store);
        Assert.NotNull(restoring);

        // The whole app refuses to start (the test host may report that failure as a disposed host, so only
        // the refusal is asserted here) ...
        using var app = new StoreApp(store).LoggingTo(output);
        Assert.ThrowsAny<InvalidOperationException>(() => app.CreateClient());

        // ... and the startup step itself says why.
        var database = new SqliteConnections(Microsoft.Extensions.Options.Options.Create(new TimelineOptions { DatabasePath = store }));
        using var sessions = new ReadSessions(database);
        using var lifecycle = new StoreLifecycle(
            database,
            sessions,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<StoreLifecycle>.Instance);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => lifecycle.StartingAsync(CancellationToken.None));
        Assert.Contains("being restored", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A stopped store seeded from the dataset: a server seeds it, backs it up here, and goes away.</summary>
    private async Task<string> CopyOfStoreAsync(string dataset, string name)
    {
        var path = Path.Combine(_folder, name);
        using var app = TimelineApp.WithDataset(dataset).LoggingTo(output);
        using var client = app.CreateClient();
        (await client.GetAsync("/health/ready")).Dispose();
        await app.Services.GetRequiredService<StoreBackups>().BackupAsync(path, CancellationToken.None);
        return path;
    }

    private sealed class StoreApp(string databasePath) : OperationsApp(new Dictionary<string, string> { ["Timeline:DatabasePath"] = databasePath });
}

/// <summary>Reading store files directly, as an operator would with sqlite3.</summary>
public static class StoreFiles
{
    public static async Task<StoreSummary> SummaryAsync(string path)
    {
        await using var connection = await OpenAsync(path, SqliteOpenMode.ReadOnly);
        return await StoreStatistics.ReadAsync(connection, CancellationToken.None);
    }

    public static async Task<List<string>> IntegrityAsync(string path)
    {
        await using var connection = await OpenAsync(path, SqliteOpenMode.ReadOnly);
        return [.. await connection.QueryAsync<string>("PRAGMA integrity_check;")];
    }

    public static async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = await OpenAsync(path, SqliteOpenMode.ReadWriteCreate);
        await connection.ExecuteAsync(sql);
    }

    private static async Task<SqliteConnection> OpenAsync(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }
}

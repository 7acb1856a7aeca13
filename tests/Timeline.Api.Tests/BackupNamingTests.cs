using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// POST /admin/backup names each copy after the time once the backup before it has finished, so backups asked for
/// in the same tick of the clock get distinct names instead of one of them failing; a backup the store's state
/// refuses is a 409 problem, not a 500.
/// </summary>
public class BackupNamingTests(ITestOutputHelper output)
{
    /// <summary>A clock that never moves: every backup asks for the same name.</summary>
    private sealed class StoppedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 22, 9, 30, 0, TimeSpan.Zero);
    }

    private sealed class StoppedClockApp : OperationsApp
    {
        protected override void ConfigureSettings(IWebHostBuilder builder)
        {
            base.ConfigureSettings(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(new StoppedClock()));
        }
    }

    [Fact]
    public async Task Backups_asked_for_in_the_same_tick_all_succeed_under_distinct_names()
    {
        using var app = new StoppedClockApp().LoggingTo(output);
        using var admin = app.ClientFrom("192.0.2.93", app.AdminKey);

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => admin.PostAsync("/admin/backup", null)));

        var names = new List<string>();
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var path = Path.Combine(app.Folder, "backups", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString()!);
            Assert.Equal(["ok"], await StoreFiles.IntegrityAsync(path));
            names.Add(Path.GetFileName(path));
        }

        Assert.Equal(
            ["timeline-20261122-093000-0000000-2.db", "timeline-20261122-093000-0000000-3.db", "timeline-20261122-093000-0000000.db"],
            names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_backup_whose_destination_cannot_be_named_does_not_hold_up_the_next_one()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var admin = app.ClientFrom("192.0.2.95", app.AdminKey);
        (await admin.GetAsync("/version")).EnsureSuccessStatusCode();
        var backups = app.Services.GetRequiredService<StoreBackups>();

        // The destination is chosen once the one-at-a-time lock is held; a path that is no path fails there.
        await Assert.ThrowsAnyAsync<ArgumentException>(() => backups.BackupAsync("bad\0path.db", CancellationToken.None));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await admin.PostAsync("/admin/backup", null, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_backup_of_a_store_file_that_is_gone_is_a_409_problem_naming_the_reason()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var admin = app.ClientFrom("192.0.2.94", app.AdminKey);
        (await admin.GetAsync("/version")).EnsureSuccessStatusCode();
        File.Move(app.DatabasePath, app.DatabasePath + ".moved-away");

        using var response = await admin.PostAsync("/admin/backup", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("The backup was refused", problem.GetProperty("title").GetString());
        Assert.Contains("The store's file is gone", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(app.Folder, problem.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(app.Folder, "backups")) && Directory.GetFiles(Path.Combine(app.Folder, "backups")).Length > 0);
        File.Move(app.DatabasePath + ".moved-away", app.DatabasePath);
    }

    [Theory]
    [InlineData("backups")] // the directory itself is a file
    [InlineData("backups/daily")] // a folder on its way is a file
    public async Task A_backup_directory_that_is_a_file_is_a_409_problem_that_shows_no_server_path(string directory)
    {
        using var app = new BackupDirectoryApp(directory).LoggingTo(output);
        await File.WriteAllTextAsync(Path.Combine(app.Folder, "backups"), "not a folder");
        using var admin = app.ClientFrom("192.0.2.96", app.AdminKey);

        using var response = await admin.PostAsync("/admin/backup", null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Timeline:BackupDirectory", body, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Folder, body, StringComparison.Ordinal);
        Assert.Equal("not a folder", await File.ReadAllTextAsync(Path.Combine(app.Folder, "backups")));
    }

    [Fact]
    public async Task A_backup_is_answered_and_logged_by_its_name_in_the_backup_directory_never_by_server_paths()
    {
        using var app = new BackupDirectoryApp("backups").LoggingTo(output);
        using var admin = app.ClientFrom("192.0.2.97", app.AdminKey);

        using var response = await admin.PostAsync("/admin/backup", null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var name = JsonDocument.Parse(body).RootElement.GetProperty("name").GetString()!;
        Assert.True(File.Exists(Path.Combine(app.Folder, "backups", name)));
        Assert.DoesNotContain(app.Folder, body, StringComparison.Ordinal);
        var logged = app.Logs.Entries.Where(e => e.Category.Contains("StoreBackups", StringComparison.Ordinal)).ToList();
        Assert.Contains(logged, e => e.Message.Contains(name, StringComparison.Ordinal));
        Assert.All(logged, e => Assert.DoesNotContain(app.Folder, e.Message, StringComparison.Ordinal));
    }

    private sealed class BackupDirectoryApp(string directory) : OperationsApp
    {
        protected override void ConfigureSettings(IWebHostBuilder builder)
        {
            base.ConfigureSettings(builder);
            builder.UseSetting("Timeline:BackupDirectory", Path.Combine(Folder, directory));
            builder.UseSetting("Logging:LogLevel:Timeline.Store.Sqlite", "Information");
        }
    }
}

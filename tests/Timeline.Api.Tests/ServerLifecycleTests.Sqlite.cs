using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Timeline.Api.Operations;

namespace Timeline.Api.Tests;

/// <summary>
/// Stopping on SQLite: the write-ahead log is folded into the database file and the file's lock let go, so the file alone
/// holds everything. Engine-only: the SQLite file's log and lock (tests/Timeline.Api.Tests.Postgres lists it).
/// </summary>
public partial class ShutdownTests
{
    [Fact]
    public async Task Stopping_checkpoints_the_write_ahead_log_and_releases_the_store()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var client = app.CreateClient();
        var events = (await client.GetJsonAsync("/version")).GetProperty("counts").GetProperty("events").GetInt64();
        Assert.True(File.Exists(app.DatabasePath + "-wal"), "the seeded store runs with a write-ahead log");
        Assert.Null(StoreLock.TryExclusive(app.DatabasePath));
        (await client.GetAsync("/events?limit=2")).EnsureSuccessStatusCode();
        var readSessions = app.Services.GetRequiredService<Timeline.Store.Sqlite.ReadSessions>();
        Assert.NotEmpty(readSessions.Idle);

        await app.Services.GetRequiredService<IHost>().StopAsync();

        // The kept read sessions were closed with the store, before the lock was let go, not at disposal later.
        Assert.Empty(readSessions.Idle);
        Assert.False(File.Exists(app.DatabasePath + "-wal"), "the last connection closed removes the log");

        Assert.False(File.Exists(app.DatabasePath + "-wal") && new FileInfo(app.DatabasePath + "-wal").Length > 0, "the log is empty or gone");
        using var restoreCouldRun = StoreLock.TryExclusive(app.DatabasePath);
        Assert.NotNull(restoreCouldRun);

        // The database file alone holds everything: copied without its log, it still has every event.
        var alone = Path.Combine(app.Folder, "alone.db");
        File.Copy(app.DatabasePath, alone);
        Assert.Equal(events, (await StoreFiles.SummaryAsync(alone)).Counts.Events);
    }
}

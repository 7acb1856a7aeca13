using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// A store whose volume fills up, for real: the store lives on a small tmpfs. Writes, backups and imports that
/// find no room are 507 problems (nothing written, nothing lost), readiness says the store is out of space, reads go
/// on, and once the volume has room again readiness recovers and writes are taken without a restart.
/// </summary>
public class StorageFullTests(ITestOutputHelper output)
{
    [SmallVolumeFact]
    public async Task A_full_volume_refuses_changes_with_507_reports_it_in_readiness_and_recovers_when_space_returns()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var volume = SmallVolume.Mount(app.Folder, megabytes: 64);
        using var editor = app.ClientFrom("192.0.2.120", app.EditorKey);
        using var admin = app.ClientFrom("192.0.2.121", app.AdminKey);
        using var anonymous = app.ClientFrom("192.0.2.122");
        (await anonymous.GetAsync("/health/ready")).EnsureSuccessStatusCode();

        // Leave about one megabyte free, then fill it with sources of ~300 KB each.
        volume.Resize(volume.UsedBytes + (1L << 20));
        var acknowledged = new List<string>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 40 && refused is null; i++)
        {
            var response = await editor.SendJsonAsync(HttpMethod.Post, "/sources", BigSource($"filler-{i}", 300_000));
            if (response.StatusCode == HttpStatusCode.Created)
            {
                acknowledged.Add($"filler-{i}");
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            var body = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)refused.StatusCode}: {body}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("space", body, StringComparison.OrdinalIgnoreCase);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        using (var ready = await anonymous.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("out of space", await ready.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        using (var read = await anonymous.GetAsync("/events?entity=smic"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var backup = await admin.PostAsync("/admin/backup", null))
        {
            var body = await backup.Content.ReadAsStringAsync();
            Assert.True(backup.StatusCode == HttpStatusCode.InsufficientStorage, $"backup: {(int)backup.StatusCode}: {body}");
            Assert.DoesNotContain(app.Folder, body, StringComparison.Ordinal);
        }

        var dataset = JsonNode.Parse(await anonymous.GetStringAsync("/export"))!.AsObject();
        dataset["sources"]!.AsArray().Add(BigSource("imported-filler", 2_000_000));
        using (var import = await admin.SendJsonAsync(HttpMethod.Post, "/import", dataset))
        {
            var body = await import.Content.ReadAsStringAsync();
            Assert.True(import.StatusCode == HttpStatusCode.InsufficientStorage, $"import: {(int)import.StatusCode}: {body}");
        }

        // Room again: readiness recovers, and the write that was refused is taken.
        volume.Resize(64L << 20);
        using (var ready = await anonymous.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        using (var retried = await editor.SendJsonAsync(HttpMethod.Post, "/sources", BigSource("after-space-returned", 300_000)))
        {
            await retried.AssertStatusAsync(HttpStatusCode.Created);
        }

        // Nothing acknowledged was lost, and nothing refused was half-written.
        foreach (var id in acknowledged.Append("after-space-returned"))
        {
            using var source = await anonymous.GetAsync($"/sources/{id}");
            Assert.Equal(HttpStatusCode.OK, source.StatusCode);
        }

        using var missing = await anonymous.GetAsync("/sources/imported-filler");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_full_volume_elsewhere_such_as_the_backup_directorys_leaves_the_store_ready()
    {
        using var app = new OperationsApp().LoggingTo(output);
        using var client = app.CreateClient();
        (await client.GetAsync("/health/ready")).EnsureSuccessStatusCode();
        var space = app.Services.GetRequiredService<Timeline.Store.Sqlite.StoreSpace>();
        Assert.True(new DriveInfo(app.Folder).AvailableFreeSpace > Timeline.Store.Sqlite.StoreSpace.ShortOfSpace, "this test needs a roomy temporary folder");

        space.ReportFull(); // as a 507 from a backup whose own volume filled up would

        Assert.Null(space.Current());
        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private static JsonObject BigSource(string id, int characters) => new()
    {
        ["id"] = id,
        ["title"] = "Filler " + id,
        ["publisher"] = "Test",
        ["author"] = null,
        ["publishedDate"] = "2024-05",
        ["url"] = null,
        ["text"] = string.Join(' ', Enumerable.Range(0, characters / 12).Select(i => $"{id[..Math.Min(4, id.Length)]}{i:D7}")),
        ["notes"] = new JsonArray(),
    };
}

/// <summary>A test that needs a small volume of its own: a tmpfs, which only root may mount (CI runs as root).</summary>
public sealed class SmallVolumeFactAttribute : FactAttribute
{
    public SmallVolumeFactAttribute()
    {
        if (!SmallVolume.CanMount)
        {
            Skip = "Needs a small tmpfs volume: run 'dotnet test' as root on Linux where mounting is allowed (as .ci/run does), with mount and umount on the PATH.";
        }
    }
}

/// <summary>A tmpfs mounted over a folder, resizable, unmounted when disposed.</summary>
public sealed class SmallVolume : IDisposable
{
    private readonly string _folder;

    private SmallVolume(string folder) => _folder = folder;

    /// <summary>Whether a tmpfs can be mounted here: Linux, root, and a trial mount that works (a container may forbid it).</summary>
    public static bool CanMount => Probe.Value;

    private static readonly Lazy<bool> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !(File.Exists("/bin/mount") || File.Exists("/usr/bin/mount")))
        {
            return false;
        }

        var trial = Directory.CreateTempSubdirectory("timeline-mount-probe-").FullName;
        try
        {
            using var mount = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", trial]) { RedirectStandardError = true })!;
            mount.WaitForExit();
            if (mount.ExitCode != 0)
            {
                return false;
            }

            using var unmount = Process.Start(new ProcessStartInfo("umount", [trial]) { RedirectStandardError = true })!;
            unmount.WaitForExit();
            return true;
        }
        finally
        {
            Directory.Delete(trial);
        }
    });

    public static SmallVolume Mount(string folder, int megabytes)
    {
        Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", folder);
        return new SmallVolume(folder);
    }

    public long UsedBytes
    {
        get
        {
            var drive = new DriveInfo(_folder);
            return drive.TotalSize - drive.AvailableFreeSpace;
        }
    }

    public void Resize(long bytes) => Run("mount", "-o", $"remount,size={bytes}", _folder);

    public void Dispose() => Run("umount", "-l", _folder);

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {error}");
    }
}

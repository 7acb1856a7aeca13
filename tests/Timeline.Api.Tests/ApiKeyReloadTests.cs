using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Timeline.Api.Auth;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Keys live in a settings file the server watches: removing a key, or lowering its role, takes effect when the file
/// is saved, without a restart.
/// </summary>
public class ApiKeyReloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_key_removed_from_the_settings_file_stops_working_without_a_restart()
    {
        var (key, entry) = ApiKeyOptions.Create("carol", Roles.Editor);
        using var app = new KeysFileApp().LoggingTo(output);
        app.WriteKeys(entry);
        using var client = app.CreateClient(key);

        using var before = await client.DeleteAsync("/events/no-such-event");
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode); // authenticated, then the event is not there

        app.WriteKeys();

        Assert.Equal(HttpStatusCode.Unauthorized, await WaitForStatusAsync(client, HttpStatusCode.Unauthorized, c => c.DeleteAsync("/events/no-such-event")));
    }

    [Fact]
    public async Task A_key_downgraded_from_admin_to_editor_loses_the_admin_routes_without_a_restart()
    {
        var (key, admin) = ApiKeyOptions.Create("dave", Roles.Admin);
        using var app = new KeysFileApp().LoggingTo(output);
        app.WriteKeys(admin);
        using var client = app.CreateClient(key);

        using var before = await client.PostAsync("/admin/backup", null);
        Assert.Equal(TestStore.AdminBackupStatus, before.StatusCode);

        app.WriteKeys(new ApiKeyEntry { Name = admin.Name, Role = Roles.Editor, Sha256 = admin.Sha256 });

        Assert.Equal(HttpStatusCode.Forbidden, await WaitForStatusAsync(client, HttpStatusCode.Forbidden, c => c.PostAsync("/admin/backup", null)));
    }

    /// <summary>Asks until the answer is the expected one, for up to 10 seconds (the file watcher's notice takes a moment).</summary>
    private static async Task<HttpStatusCode> WaitForStatusAsync(HttpClient client, HttpStatusCode expected, Func<HttpClient, Task<HttpResponseMessage>> send)
    {
        var last = default(HttpStatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await send(client);
            last = response.StatusCode;
            if (last == expected)
            {
                break;
            }

            await Task.Delay(100);
        }

        return last;
    }

    private sealed class KeysFileApp : TimelineApp
    {
        public KeysFileApp()
        {
            KeysFile = Path.Combine(Folder, "keys.json");
            WriteKeys();
        }

        public string KeysFile { get; }

        /// <summary>Writes the settings file with these keys (after the two every test app has), as an operator would save it.</summary>
        public void WriteKeys(params ApiKeyEntry[] keys)
        {
            var entries = keys.Select((k, i) => $"\"{i + 2}\": {{ \"Name\": \"{k.Name}\", \"Role\": \"{k.Role}\", \"Sha256\": \"{k.Sha256}\" }}");
            File.WriteAllText(KeysFile, $"{{ \"Timeline\": {{ \"ApiKeys\": {{ {string.Join(", ", entries)} }} }} }}");
        }

        protected override void ConfigureSettings(IWebHostBuilder builder) =>
            builder.ConfigureAppConfiguration(configuration => configuration.AddJsonFile(KeysFile, optional: false, reloadOnChange: true));
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// The hostile-input corpus: every request an outside attack used against the API, kept as data
/// (Hostile/*.json, one file per finding or family) and replayed through the real pipeline. Each case names the
/// statuses it may get; whatever it gets, an error is an RFC 9457 problem that shows no SQL, no stack trace and no
/// .NET type, and a refused request leaves the store's data version where it was. Add a case whenever an attack
/// finds something, and its neighbours (other routes, other formats, other extremes).
/// </summary>
public class HostileCorpusTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var (file, hostile) in Load())
        {
            data.Add(file + " :: " + hostile.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_request_gets_its_documented_answer_and_never_a_500_or_a_leak(string name)
    {
        var hostile = Load().Single(c => c.File + " :: " + c.Case.Name == name).Case;
        using var client = app.CreateClient();
        var before = await DataVersionAsync(client);

        using var request = hostile.ToRequest();
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;

        Assert.True(status < 500 || hostile.Status.Contains(status), $"{name}: {status} {body}");
        Assert.True(hostile.Status.Contains(status), $"{name}: expected one of [{string.Join(", ", hostile.Status)}], got {status}: {body}");
        if (status >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
            foreach (var mention in hostile.ProblemMentions)
            {
                Assert.True(body.Contains(mention, StringComparison.OrdinalIgnoreCase), $"{name}: the problem does not mention '{mention}': {body}");
            }

            Assert.Equal(before, await DataVersionAsync(client));
        }

        foreach (var leak in Leaks)
        {
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
        }

        foreach (var forbidden in hostile.BodyExcludes)
        {
            Assert.DoesNotContain(forbidden, body, StringComparison.Ordinal);
        }
    }

    /// <summary>Text that shows the machinery: SQL errors, stack frames, .NET exception and type names.</summary>
    private static readonly string[] Leaks =
    [
        "SQLite Error", "SqliteException", "   at ", "System.Text.Json", "System.InvalidOperationException",
        "JsonException", "Exception:", "Timeline.Api.", "Microsoft.AspNetCore", "Microsoft.Data",
    ];

    private static async Task<long> DataVersionAsync(HttpClient client)
    {
        var version = await client.GetJsonAsync("/version");
        return version.GetProperty("dataVersion").GetInt64();
    }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private static IEnumerable<(string File, HostileCase Case)> Load()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Hostile");
        foreach (var path in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var cases = JsonSerializer.Deserialize<List<HostileCase>>(File.ReadAllText(path), Options)
                ?? throw new InvalidDataException(path + " holds no cases");
            foreach (var hostile in cases)
            {
                yield return (Path.GetFileNameWithoutExtension(path), hostile);
            }
        }
    }

    /// <summary>One hostile request and what it may get.</summary>
    public sealed class HostileCase
    {
        public string Name { get; set; } = string.Empty;

        public string Method { get; set; } = "GET";

        public string Path { get; set; } = "/";

        /// <summary>none, editor, admin, or any other text sent as the bearer key as it is.</summary>
        public string Key { get; set; } = "none";

        public Dictionary<string, string> Headers { get; set; } = [];

        /// <summary>The body as text (sent as UTF-8)...</summary>
        public string? Body { get; set; }

        /// <summary>...or as bytes, for bodies that are not valid UTF-8.</summary>
        public string? BodyBase64 { get; set; }

        public string ContentType { get; set; } = "application/json";

        /// <summary>The statuses the request may get.</summary>
        public int[] Status { get; set; } = [];

        /// <summary>Words the problem must contain (the field or parameter at fault).</summary>
        public string[] ProblemMentions { get; set; } = [];

        /// <summary>Text the answer must never contain (a forged host, a raw marker).</summary>
        public string[] BodyExcludes { get; set; } = [];

        [JsonIgnore]
        public string Summary => $"{Method} {Path}";

        public HttpRequestMessage ToRequest()
        {
            var request = new HttpRequestMessage(new HttpMethod(Method), Path);
            switch (Key)
            {
                case "none":
                    break;
                case "editor":
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TimelineApp.EditorKey);
                    break;
                case "admin":
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TimelineApp.AdminKey);
                    break;
                default:
                    request.Headers.TryAddWithoutValidation("Authorization", Key);
                    break;
            }

            if (Body is not null || BodyBase64 is not null)
            {
                var bytes = BodyBase64 is not null ? Convert.FromBase64String(BodyBase64) : Encoding.UTF8.GetBytes(Body!);
                request.Content = new ByteArrayContent(bytes);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            foreach (var (header, value) in Headers)
            {
                if (!request.Headers.TryAddWithoutValidation(header, value))
                {
                    request.Content ??= new ByteArrayContent([]);
                    request.Content.Headers.Remove(header);
                    request.Content.Headers.TryAddWithoutValidation(header, value);
                }
            }

            return request;
        }
    }
}

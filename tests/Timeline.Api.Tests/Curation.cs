using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Timeline.Api.Tests;

/// <summary>Helpers for the curation tests: JSON bodies, If-Match, and reading the store's history.</summary>
public static class Curation
{
    public const string SourceId = "ft-derived-huawei-smic-kirin-9000s";

    /// <summary>A valid new event citing the curated FT-derived source.</summary>
    public static JsonObject NewEvent(string id, string title = "Testing teams compare the Kirin 9000S with Qualcomm chips") => new()
    {
        ["id"] = id,
        ["date"] = "2023-09",
        ["endDate"] = null,
        ["title"] = title,
        ["summary"] = "Testers compared the chip with Qualcomm's.",
        ["category"] = "analysis",
        ["tags"] = new JsonArray("kirin-9000s"),
        ["caveats"] = new JsonArray("A test event."),
        ["entities"] = new JsonArray(new JsonObject { ["id"] = "qualcomm", ["role"] = "subject" }),
        ["citations"] = new JsonArray(new JsonObject { ["source"] = SourceId, ["quote"] = "performed as well as Qualcomm chips that are 1 or 2 years old" }),
    };

    /// <summary>The text between two offsets counted in Unicode code points (as citations count them), end exclusive.</summary>
    public static string CodePoints(string text, int start, int end)
    {
        var runes = text.EnumerateRunes().ToArray();
        return string.Concat(runes[start..end].Select(r => r.ToString()));
    }

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, JsonNode? body, string? ifMatch = null, string mediaType = "application/json")
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, mediaType);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request);
    }

    public static async Task<string> ETagAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!.ToString();
    }

    public static async Task<JsonElement> BodyAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static async Task AssertStatusAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        if ((int)expected >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    /// <summary>Every change in the feed, following cursors from the start.</summary>
    public static async Task<List<JsonElement>> AllChangesAsync(this HttpClient client, int pageSize = 1000)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        while (true)
        {
            var page = await client.GetJsonAsync($"/changes?limit={pageSize}" + (cursor is null ? "" : "&since=" + Uri.EscapeDataString(cursor)));
            var items = page.GetProperty("items").EnumerateArray().ToList();
            all.AddRange(items);
            cursor = page.GetProperty("nextCursor").GetString();
            if (items.Count < pageSize)
            {
                return all;
            }
        }
    }

    public static AuthenticationHeaderValue Bearer(string key) => new("Bearer", key);
}

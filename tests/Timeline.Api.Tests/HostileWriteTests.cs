using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// Requests a hostile or careless client sends to the writes of issues 16 and 18 (reasons, dry runs, batches, JSON Patch,
/// merges, uploads, history imports): each found answering wrongly once, each now answered by a problem naming what is wrong.
/// </summary>
public class HostileWriteTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _editor = fixture.CreateClient(TimelineApp.EditorKey);
    private readonly HttpClient _anonymous = fixture.CreateClient();

    [Fact]
    public async Task A_reason_holding_a_NUL_is_refused_like_any_control_character()
    {
        // char.IsControl found it, but FirstOrDefault answered '\0' for "none found" too, so a NUL was kept in the revision.
        using var response = await _editor.SendJsonAsync(HttpMethod.Post, "/events?reason=a%00b", Curation.NewEvent("nul-reason"));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Contains("U+0000", (await response.BodyAsync()).GetProperty("errors").GetProperty("reason")[0].GetString(), StringComparison.Ordinal);
        await _anonymous.GetProblemAsync("/events/nul-reason", HttpStatusCode.NotFound);
    }
}

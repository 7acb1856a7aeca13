using System.Net;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// What an export takes: the filters, never paging. `limit` and `cursor` (and `sort` on the Atom feed) are refused
/// with a 400 naming the parameter, as lists refuse what they do not take.
/// </summary>
public sealed class ExportParameterTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    [Theory]
    [InlineData("/events.csv?cursor=abc", "cursor")]
    [InlineData("/events.csv?limit=2", "limit")]
    [InlineData("/events.ics?cursor=abc", "cursor")]
    [InlineData("/events.ics?limit=2", "limit")]
    [InlineData("/events/timelinejs?cursor=abc", "cursor")]
    [InlineData("/events/timelinejs?limit=2", "limit")]
    [InlineData("/events/feed.atom?cursor=abc", "cursor")]
    [InlineData("/events/feed.atom?limit=2", "limit")]
    [InlineData("/events/feed.atom?sort=-date", "sort")]
    [InlineData("/export?cursor=abc", "cursor")]
    [InlineData("/export?limit=2", "limit")]
    [InlineData("/export?category=sanction", "category")]
    public async Task An_export_refuses_paging_it_does_not_take_with_a_400_naming_the_parameter(string url, string parameter)
    {
        using var client = app.CreateClient();

        var problem = await client.GetProblemAsync(url, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Theory]
    [InlineData("/events?cursor=abc", "cursor")]
    [InlineData("/events?limit=2", "limit")]
    [InlineData("/events?category=sanction&limit=200", "limit")]
    public async Task The_csv_form_of_the_list_refuses_paging_with_a_400_naming_the_parameter(string url, string parameter)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/csv");

        using var response = await client.SendAsync(request);

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        var problem = await response.BodyAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Theory]
    [InlineData("/events.csv?category=sanction&sort=-date")]
    [InlineData("/events.ics?category=sanction&sort=date")]
    [InlineData("/events/timelinejs?category=sanction&sort=-date")]
    [InlineData("/events/feed.atom?category=sanction&q=smic")]
    public async Task Exports_still_take_their_filters(string url)
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync(url);

        await response.AssertStatusAsync(HttpStatusCode.OK);
    }
}

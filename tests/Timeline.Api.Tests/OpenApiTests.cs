using System.Text.Json;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>The OpenAPI document is how most users meet the API: every endpoint and parameter is described.</summary>
public class OpenApiTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _client = fixture.CreateClient();

    [Fact]
    public async Task Every_operation_has_a_summary_a_description_and_a_success_schema()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");

        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Name: $"{op.Name.ToUpperInvariant()} {path.Name}", Op: op.Value)))
            .ToList();
        Assert.True(operations.Count >= 11, $"only {operations.Count} operations");
        foreach (var (name, op) in operations)
        {
            Assert.False(string.IsNullOrWhiteSpace(op.GetProperty("summary").GetString()), name);
            Assert.False(string.IsNullOrWhiteSpace(op.GetProperty("description").GetString()), name);
            var responses = op.GetProperty("responses");
            if (responses.TryGetProperty("204", out _))
            {
                continue;
            }

            var content = (responses.TryGetProperty("200", out var ok) ? ok : responses.GetProperty("201")).GetProperty("content");
            Assert.NotEmpty(content.EnumerateObject());
            if (content.TryGetProperty("application/json", out var json))
            {
                Assert.True(json.TryGetProperty("schema", out _), name);
            }
        }
    }

    [Fact]
    public async Task Every_parameter_has_a_description_and_the_shared_filters_have_examples()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                if (!op.Value.TryGetProperty("parameters", out var parameters))
                {
                    continue;
                }

                foreach (var parameter in parameters.EnumerateArray())
                {
                    var name = $"{path.Name} {parameter.GetProperty("name").GetString()}";
                    Assert.False(string.IsNullOrWhiteSpace(parameter.GetProperty("description").GetString()), name);
                    if (parameter.GetProperty("name").GetString() is not ("cursor" or "since"))
                    {
                        Assert.True(parameter.TryGetProperty("example", out _), $"{name} has no example");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task The_event_list_documents_partial_date_overlap_and_the_limit_bounds()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var list = document.GetProperty("paths").GetProperty("/events").GetProperty("get");

        Assert.Contains("overlap", list.GetProperty("description").GetString(), StringComparison.Ordinal);
        var parameters = list.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Contains("overlap", parameters["from"].GetProperty("description").GetString(), StringComparison.Ordinal);
        var limit = parameters["limit"].GetProperty("schema");
        Assert.Equal("integer", limit.GetProperty("type").GetString());
        Assert.Equal(1, limit.GetProperty("minimum").GetInt32());
        Assert.Equal(200, limit.GetProperty("maximum").GetInt32());
        Assert.Equal("#/components/schemas/Category", parameters["category"].GetProperty("schema").GetProperty("items").GetProperty("$ref").GetString());
        var categories = document.GetProperty("components").GetProperty("schemas").GetProperty("Category").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("entity-listing", categories);
        Assert.Equal(8, categories.Count);
    }

    [Fact]
    public async Task Bad_requests_are_documented_as_problem_details()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");

        var bad = document.GetProperty("paths").GetProperty("/events").GetProperty("get").GetProperty("responses").GetProperty("400");
        Assert.True(bad.GetProperty("content").TryGetProperty("application/problem+json", out _));
        var missing = document.GetProperty("paths").GetProperty("/events/{id}").GetProperty("get").GetProperty("responses").GetProperty("404");
        Assert.True(missing.GetProperty("content").TryGetProperty("application/problem+json", out _));
    }

    [Fact]
    public async Task The_example_event_body_is_a_real_seeded_event()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var example = document.GetProperty("components").GetProperty("schemas").GetProperty("EventDetail").GetProperty("examples")[0];

        var real = await _client.GetJsonAsync($"/events/{example.GetProperty("id").GetString()}");

        Assert.Equal(real.GetProperty("date").GetString(), example.GetProperty("date").GetString());
        Assert.Equal(
            real.GetProperty("citations")[0].GetProperty("quote").GetString(),
            example.GetProperty("citations")[0].GetProperty("quote").GetString());
        Assert.Equal(
            real.GetProperty("citations")[0].GetProperty("startOffset").GetInt32(),
            example.GetProperty("citations")[0].GetProperty("startOffset").GetInt32());
        Assert.Equal(JsonValueKind.Array, example.GetProperty("caveats").ValueKind);
    }
}

using System.Text.Json;
using Xunit.Abstractions;

namespace Timeline.Api.Tests;

/// <summary>
/// The served document (/openapi/v1.json) says what the endpoints really answer and take (issue 16): what a generated
/// client reads is what it gets.
/// </summary>
public class OpenApiContractTests(TimelineApp fixture, ITestOutputHelper output) : IClassFixture<TimelineApp>
{
    private readonly TimelineApp app = fixture.LoggingTo(output);

    private readonly HttpClient _client = fixture.CreateClient();

    private static JsonElement Operation(JsonElement document, string path, string method = "get") =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static JsonElement Ok(JsonElement document, string path) =>
        Operation(document, path).GetProperty("responses").GetProperty("200").GetProperty("content");

    [Fact]
    public async Task The_TimelineJS_export_matches_its_documented_schema()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var schema = Ok(document, "/events/timelinejs").GetProperty("application/json").GetProperty("schema");

        var export = await _client.GetJsonAsync("/events/timelinejs");

        Assert.Empty(SchemaCheck.Violations(document, schema, export, "$"));
        var slides = export.GetProperty("events").EnumerateArray().ToList();
        // The seeded timeline has each case the schema must allow: spans and single dates, years without a month, months.
        Assert.Contains(slides, s => s.TryGetProperty("end_date", out _));
        Assert.Contains(slides, s => !s.TryGetProperty("end_date", out _));
        Assert.Contains(slides, s => !s.GetProperty("start_date").TryGetProperty("month", out _));
        Assert.Contains(slides, s => s.GetProperty("start_date").TryGetProperty("month", out _));

        // TimelineJS3 fails on "end_date": null (it compares the end date's fields with the start date's), and reads a
        // date's missing parts as absent: they are left out, so the document says they may be missing, never null.
        var components = document.GetProperty("components").GetProperty("schemas");
        var slide = components.GetProperty("TimelineJsSlide");
        Assert.DoesNotContain("end_date", slide.GetProperty("required").Strings());
        Assert.Equal("#/components/schemas/TimelineJsDate", slide.GetProperty("properties").GetProperty("end_date").GetProperty("$ref").GetString());
        var date = components.GetProperty("TimelineJsDate");
        Assert.Equal(["year"], date.GetProperty("required").Strings());
        foreach (var part in new[] { "month", "day" })
        {
            Assert.False(SchemaCheck.AllowsNull(document, date.GetProperty("properties").GetProperty(part)), part);
        }
    }

    [Fact]
    public async Task The_dataset_export_is_documented_as_the_dataset_document_that_import_takes()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var content = Ok(document, "/export");
        var schema = Assert.Single(content.EnumerateObject());
        Assert.Equal("application/json", schema.Name);
        Assert.Equal("#/components/schemas/DatasetDocument", schema.Value.GetProperty("schema").GetProperty("$ref").GetString());
        var import = Operation(document, "/import", "post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.Equal("#/components/schemas/DatasetDocument", import.GetProperty("schema").GetProperty("$ref").GetString());

        var export = await _client.GetJsonAsync("/export");

        Assert.Empty(SchemaCheck.Violations(document, schema.Value.GetProperty("schema"), export, "$"));
        Assert.NotEmpty(export.GetProperty("events").EnumerateArray());
    }

    [Theory]
    [InlineData("/events.csv", "text/csv")]
    [InlineData("/events.ics", "text/calendar")]
    [InlineData("/events/feed.atom", "application/atom+xml")]
    public async Task Each_file_export_is_a_binary_string_under_its_own_media_type(string path, string mediaType)
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var content = Ok(document, path);

        var only = Assert.Single(content.EnumerateObject());
        Assert.Equal(mediaType, only.Name);
        AssertFile(only.Value.GetProperty("schema"));
        using var response = await _client.GetAsync(path);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_event_list_documents_its_JSON_page_and_its_CSV_form()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var content = Ok(document, "/events");

        Assert.Equal(["application/json", "text/csv"], content.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal("#/components/schemas/EventPage", content.GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        AssertFile(content.GetProperty("text/csv").GetProperty("schema"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await _client.SendAsync(request);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A file as NSwag and Kiota read it: a string of format binary, returned as a stream, never parsed as JSON.</summary>
    private static void AssertFile(JsonElement schema)
    {
        Assert.Equal("string", schema.GetProperty("type").GetString());
        Assert.Equal("binary", schema.GetProperty("format").GetString());
    }
}

/// <summary>
/// Checks a JSON value against an OpenAPI 3.1 schema for what a generated client relies on: $ref, oneOf/anyOf, type
/// (null only where allowed), required properties, array items, and no property the schema does not name.
/// </summary>
public static class SchemaCheck
{
    public static List<string> Violations(JsonElement document, JsonElement schema, JsonElement value, string path)
    {
        var found = new List<string>();
        Check(document, schema, value, path, found);
        return found;
    }

    public static bool AllowsNull(JsonElement document, JsonElement schema) =>
        Violations(document, schema, JsonDocument.Parse("null").RootElement, "$").Count == 0;

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!["#/components/schemas/".Length..];
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }

        return schema;
    }

    private static void Check(JsonElement document, JsonElement schema, JsonElement value, string path, List<string> found)
    {
        schema = Resolve(document, schema);
        foreach (var keyword in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(keyword, out var choices))
            {
                if (!choices.EnumerateArray().Any(choice => Violations(document, choice, value, path).Count == 0))
                {
                    found.Add($"{path}: matches no schema of its {keyword}");
                }

                return;
            }
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.Strings() : [type.GetString()!];
            var actual = value.ValueKind switch
            {
                JsonValueKind.Null => "null",
                JsonValueKind.Object => "object",
                JsonValueKind.Array => "array",
                JsonValueKind.String => "string",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                _ => value.TryGetInt64(out _) ? "integer" : "number",
            };
            if (!types.Contains(actual) && !(actual == "integer" && types.Contains("number")))
            {
                found.Add($"{path}: is {actual}, the schema allows {string.Join(" or ", types)}");
                return;
            }
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.Strings().Where(name => !value.TryGetProperty(name, out _)))
                {
                    found.Add($"{path}.{name}: required but missing");
                }
            }

            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in value.EnumerateObject())
                {
                    if (properties.TryGetProperty(property.Name, out var propertySchema))
                    {
                        Check(document, propertySchema, property.Value, $"{path}.{property.Name}", found);
                    }
                    else
                    {
                        // Allowed by JSON Schema, but a generated client drops it: the document should name it.
                        found.Add($"{path}.{property.Name}: not in the schema");
                    }
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(document, items, item, $"{path}[{index++}]", found);
            }
        }
    }
}

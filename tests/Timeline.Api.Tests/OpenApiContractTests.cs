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
}

/// <summary>
/// Checks a JSON value against an OpenAPI 3.1 schema for what a generated client relies on: $ref, oneOf/anyOf, type
/// (null only where allowed), required properties and array items.
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

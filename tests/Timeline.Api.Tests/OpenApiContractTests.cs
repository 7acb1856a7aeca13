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

    [Theory]
    [InlineData("/events.csv")]
    [InlineData("/events.ics")]
    [InlineData("/events/timelinejs")]
    [InlineData("/events/feed.atom")]
    [InlineData("/export")]
    [InlineData("/events/facets")]
    [InlineData("/search")]
    public async Task What_is_not_paged_documents_no_paging(string path)
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var operation = Operation(document, path);

        Assert.DoesNotContain("limit", Parameters(operation).Keys.Where(_ => path != "/search"));
        Assert.DoesNotContain("cursor", Parameters(operation).Keys);
        foreach (var response in operation.GetProperty("responses").EnumerateObject())
        {
            Assert.False(response.Value.TryGetProperty("headers", out var headers) && headers.TryGetProperty("Link", out _), $"{path} {response.Name} documents a Link header");
        }
    }

    [Fact]
    public async Task Search_documents_exactly_what_it_takes()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var parameters = Parameters(Operation(document, "/search"));

        Assert.Equal(["category", "entity", "from", "limit", "q", "source", "tag", "to"], parameters.Keys.Order(StringComparer.Ordinal));
        Assert.True(parameters["q"].GetProperty("required").GetBoolean());
        var limit = parameters["limit"].GetProperty("schema");
        Assert.Equal("integer", limit.GetProperty("type").GetString());
        Assert.Equal(1, limit.GetProperty("minimum").GetInt32());
        Assert.Equal(50, limit.GetProperty("maximum").GetInt32());
        Assert.Equal(10, limit.GetProperty("default").GetInt32());

        // What the document says is what the endpoint does: 10 hits by default, 50 at most, no sort, no cursor.
        var results = await _client.GetJsonAsync("/search?q=huawei");
        Assert.True(results.GetProperty("events").GetProperty("items").GetArrayLength() <= 10);
        await _client.GetJsonAsync("/search?q=huawei&limit=50");
        Assert.True((await _client.GetProblemAsync("/search?q=huawei&limit=51", System.Net.HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("limit", out _));
        Assert.True((await _client.GetProblemAsync("/search?q=huawei&sort=-date", System.Net.HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("sort", out _));
        var cursor = await _client.GetProblemAsync("/search?q=huawei&cursor=abc", System.Net.HttpStatusCode.BadRequest);
        Assert.Contains("not paged", cursor.GetProperty("errors").GetProperty("cursor")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_facets_refuse_the_paging_they_do_not_document()
    {
        foreach (var name in new[] { "limit", "cursor" })
        {
            var problem = await _client.GetProblemAsync($"/events/facets?facet=category&{name}=5", System.Net.HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(name, out _), name);
        }

        // sort is documented: it is carried into each value's link.
        var facets = await _client.GetJsonAsync("/events/facets?facet=category&sort=-date");
        Assert.Contains("sort=-date", facets.GetProperty("facets").GetProperty("category")[0].GetProperty("link").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_documented_integer_parameter_has_its_default_and_example_in_range()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var integers = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                foreach (var parameter in Parameters(op.Value).Values.Where(p => p.GetProperty("in").GetString() == "query"))
                {
                    var schema = parameter.GetProperty("schema");
                    if (schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "integer"
                        && schema.TryGetProperty("maximum", out var maximum))
                    {
                        integers++;
                        var minimum = schema.GetProperty("minimum").GetInt32();
                        var name = $"{path.Name} {parameter.GetProperty("name").GetString()}";
                        Assert.InRange(schema.GetProperty("default").GetInt32(), minimum, maximum.GetInt32());
                        Assert.InRange(parameter.GetProperty("example").GetInt32(), minimum, maximum.GetInt32());
                    }
                }
            }
        }

        Assert.True(integers >= 5, $"only {integers} bounded integer parameters");

        // Each endpoint's own bounds, as its handler enforces them (not one `limit` for all).
        foreach (var (path, name, minimum, maximum, @default) in new[]
        {
            ("/events", "limit", 1, 200, 50), ("/search", "limit", 1, 50, 10), ("/events/facets", "facetLimit", 1, 500, 50), ("/changes", "limit", 1, 1000, 100),
        })
        {
            var schema = Parameters(Operation(document, path))[name].GetProperty("schema");
            Assert.Equal((minimum, maximum, @default), (schema.GetProperty("minimum").GetInt32(), schema.GetProperty("maximum").GetInt32(), schema.GetProperty("default").GetInt32()));
        }
    }

    /// <summary>
    /// Every GET documents exactly the query parameters it takes: those the endpoint lists when it refuses an unknown one
    /// (<c>QueryParameterGuard</c>), but for GET /search's cursor, which it binds only to refuse with its own reason.
    /// </summary>
    [Fact]
    public async Task Every_GET_documents_the_query_parameters_it_takes()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var checkedPaths = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("get", out var operation))
            {
                continue;
            }

            var documented = Parameters(operation).Values.Where(p => p.GetProperty("in").GetString() == "query")
                .Select(p => p.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();
            var url = path.Name;
            foreach (var parameter in Parameters(operation).Values.Where(p => p.GetProperty("in").GetString() == "path"))
            {
                url = url.Replace("{" + parameter.GetProperty("name").GetString() + "}", parameter.GetProperty("example").ToString(), StringComparison.Ordinal);
            }

            using var response = await _client.GetAsync(url + "?not-a-parameter=1");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != System.Net.HttpStatusCode.BadRequest)
            {
                Assert.True(documented.Count == 0, $"{path.Name} takes any parameter but documents {string.Join(", ", documented)}");
                continue;
            }

            var message = JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("not-a-parameter")[0].GetString()!;
            var takes = message.Contains("which takes none", StringComparison.Ordinal)
                ? []
                : message[(message.IndexOf("it takes ", StringComparison.Ordinal) + "it takes ".Length)..].Split(", ").ToList();
            if (path.Name == "/search")
            {
                takes.Remove("cursor");
            }

            Assert.True(takes.SequenceEqual(documented, StringComparer.OrdinalIgnoreCase), $"{path.Name} takes {string.Join(", ", takes)} but documents {string.Join(", ", documented)}");
            checkedPaths++;
        }

        Assert.True(checkedPaths >= 10, $"only {checkedPaths} operations checked");
    }

    /// <summary>
    /// The write workflow is in the document (issue 16 item 3): If-Match on each change, the ETag it wants on each read of
    /// a record and each write's answer, 401 without a key and 403 with one whose role is too low, so that a generated
    /// client can complete a write.
    /// </summary>
    [Fact]
    public async Task The_write_workflow_documents_If_Match_ETag_401_and_403()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        foreach (var plural in new[] { "events", "entities", "sources" })
        {
            foreach (var (path, method, required) in new[]
            {
                ($"/{plural}/{{id}}", "put", true), ($"/{plural}/{{id}}", "patch", true), ($"/{plural}/{{id}}", "delete", true), ($"/{plural}/{{id}}/restore", "post", false),
            })
            {
                var ifMatch = Parameters(Operation(document, path, method))["If-Match"];
                Assert.Equal("header", ifMatch.GetProperty("in").GetString());
                Assert.Equal(required, ifMatch.TryGetProperty("required", out var isRequired) && isRequired.GetBoolean());
                Assert.Contains("version.dataVersion", ifMatch.GetProperty("description").GetString(), StringComparison.Ordinal);
                Assert.Matches("^\"\\d+\\.\\d+\"$", ifMatch.GetProperty("example").GetString());
            }

            Assert.DoesNotContain("If-Match", Parameters(Operation(document, $"/{plural}", "post")).Keys);
            foreach (var (path, method, status) in new[]
            {
                ($"/{plural}", "post", "201"), ($"/{plural}/{{id}}", "put", "200"), ($"/{plural}/{{id}}", "patch", "200"),
                ($"/{plural}/{{id}}", "delete", "204"), ($"/{plural}/{{id}}/restore", "post", "200"), ($"/{plural}/{{id}}", "get", "200"),
            })
            {
                var header = Operation(document, path, method).GetProperty("responses").GetProperty(status).GetProperty("headers").GetProperty("ETag");
                Assert.Contains("version.dataVersion", header.GetProperty("description").GetString(), StringComparison.Ordinal);
            }
        }

        // Every operation that needs a key documents 401; those that need an admin key also 403.
        var secured = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject().Where(op => op.Value.TryGetProperty("security", out var security) && security.GetArrayLength() > 0))
            {
                secured++;
                var responses = op.Value.GetProperty("responses");
                Assert.True(responses.TryGetProperty("401", out var unauthorized), $"{op.Name} {path.Name} documents no 401");
                Assert.True(unauthorized.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{op.Name} {path.Name} 401");
                var admin = path.Name == "/import" || path.Name.StartsWith("/admin/", StringComparison.Ordinal);
                Assert.True(!admin || responses.TryGetProperty("403", out _), $"{op.Name} {path.Name} documents no 403");
            }
        }

        Assert.True(secured >= 17, $"only {secured} operations need a key");

        // What it documents is what happens: no key is 401; an editor's key on /import is 403; without If-Match 428;
        // with the ETag a GET gave, the change goes through and answers with the next ETag.
        using var anonymous = await _client.SendJsonAsync(HttpMethod.Post, "/entities", new System.Text.Json.Nodes.JsonObject());
        await anonymous.AssertStatusAsync(System.Net.HttpStatusCode.Unauthorized);
        using var editor = app.CreateClient(TimelineApp.EditorKey);
        using var import = await editor.SendJsonAsync(HttpMethod.Post, "/import", new System.Text.Json.Nodes.JsonObject());
        await import.AssertStatusAsync(System.Net.HttpStatusCode.Forbidden);
        var entity = new System.Text.Json.Nodes.JsonObject { ["id"] = "contract-tester", ["name"] = "Contract Tester", ["kind"] = "organization", ["standalone"] = true };
        using var created = await editor.SendJsonAsync(HttpMethod.Post, "/entities", entity);
        await created.AssertStatusAsync(System.Net.HttpStatusCode.Created);
        Assert.Matches("^\"\\d+\\.\\d+\"$", created.Headers.ETag!.ToString());
        var patch = new System.Text.Json.Nodes.JsonObject { ["description"] = "Checks the contract." };
        using var unconditional = await editor.SendJsonAsync(HttpMethod.Patch, "/entities/contract-tester", patch, null, "application/merge-patch+json");
        await unconditional.AssertStatusAsync((System.Net.HttpStatusCode)428);
        var etag = await _client.ETagAsync("/entities/contract-tester");
        using var patched = await editor.SendJsonAsync(HttpMethod.Patch, "/entities/contract-tester", patch, etag, "application/merge-patch+json");
        await patched.AssertStatusAsync(System.Net.HttpStatusCode.OK);
        Assert.Matches("^\"\\d+\\.\\d+\"$", patched.Headers.ETag!.ToString());
        Assert.NotEqual(etag, patched.Headers.ETag!.ToString());
        using var deleted = await editor.SendJsonAsync(HttpMethod.Delete, "/entities/contract-tester", null, patched.Headers.ETag!.ToString());
        await deleted.AssertStatusAsync(System.Net.HttpStatusCode.NoContent);
        Assert.NotNull(deleted.Headers.ETag);
        using var restored = await editor.SendJsonAsync(HttpMethod.Post, "/entities/contract-tester/restore", null);
        await restored.AssertStatusAsync(System.Net.HttpStatusCode.OK);
        Assert.NotNull(restored.Headers.ETag);
    }

    /// <summary>Public reads say they need no key (`security: []`); everything else needs the bearer key (issue 16 item 6).</summary>
    [Fact]
    public async Task Reads_are_public_and_writes_need_the_bearer_key()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        var reads = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                var security = op.Value.GetProperty("security");
                if (op.Name == "get")
                {
                    reads++;
                    Assert.True(security.GetArrayLength() == 0, $"GET {path.Name} needs a key");
                    continue;
                }

                var requirement = Assert.Single(security.EnumerateArray());
                Assert.True(requirement.TryGetProperty("ApiKey", out _), $"{op.Name} {path.Name}");
            }
        }

        Assert.True(reads >= 20, $"only {reads} reads");
        using var read = await _client.GetAsync("/entities/kirin-9000s");
        Assert.Equal(System.Net.HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task The_server_URL_has_no_trailing_slash()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var url = Assert.Single(document.GetProperty("servers").EnumerateArray()).GetProperty("url").GetString()!;

        Assert.False(url.EndsWith('/'), url);
        // Joined to a path as a generated client does, it reaches the endpoint.
        using var response = await _client.GetAsync(new Uri(url + "/version"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/sources")]
    [InlineData("/categories")]
    [InlineData("/version")]
    [InlineData("/export")]
    [InlineData("/health/live")]
    public async Task An_unknown_parameter_is_a_documented_400(string path)
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var documented = Operation(document, path).GetProperty("responses").GetProperty("400").GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");

        using var response = await _client.GetAsync(path + "?not-a-parameter=1");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("not-a-parameter", out _));
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails", documented.GetProperty("$ref").GetString());
    }

    /// <summary>
    /// Numbers are typed as numbers, not `integer | string` with a digits pattern (which the serializer's
    /// AllowReadingFromString made the generator emit), and the API goes on writing them as JSON numbers.
    /// </summary>
    [Fact]
    public async Task Integer_fields_are_typed_integer()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var integers = new List<string>();
        var wrong = new List<string>();
        Walk(document.GetProperty("components"), "#/components");
        Walk(document.GetProperty("paths"), "#/paths");

        Assert.Empty(wrong);
        Assert.True(integers.Count >= 30, $"only {integers.Count} integer fields");
        var entity = document.GetProperty("components").GetProperty("schemas").GetProperty("EntityItem").GetProperty("properties");
        Assert.Equal("integer", entity.GetProperty("version").GetProperty("type").GetString());
        Assert.Equal("integer", entity.GetProperty("eventCount").GetProperty("type").GetString());

        // The JSON written is unchanged: numbers, not strings.
        var written = await _client.GetJsonAsync("/entities/kirin-9000s");
        Assert.Equal(JsonValueKind.Number, written.GetProperty("version").ValueKind);
        Assert.Equal(JsonValueKind.Number, written.GetProperty("eventCount").ValueKind);
        Assert.Empty(SchemaCheck.Violations(document, Ok(document, "/entities/{id}").GetProperty("application/json").GetProperty("schema"), written, "$"));

        void Walk(JsonElement node, string at)
        {
            if (node.ValueKind == JsonValueKind.Object)
            {
                if (node.TryGetProperty("format", out var format) && format.GetString() is "int32" or "int64" or "double" or "float")
                {
                    var types = node.GetProperty("type") is { ValueKind: JsonValueKind.Array } many ? many.Strings() : [node.GetProperty("type").GetString()!];
                    integers.Add(at);
                    if (types.Contains("string") || node.TryGetProperty("pattern", out _))
                    {
                        wrong.Add($"{at}: {string.Join(" | ", types)}");
                    }
                }

                foreach (var property in node.EnumerateObject())
                {
                    Walk(property.Value, $"{at}/{property.Name}");
                }
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in node.EnumerateArray())
                {
                    Walk(item, $"{at}/{index++}");
                }
            }
        }
    }

    /// <summary>
    /// The closed value sets of the query parameters (sort, category, facet, kind) are shared component schemas, each with
    /// its values and a description, referenced wherever they are taken: a generated client has one enum type for each,
    /// not one per operation (NSwag's Anonymous ... Anonymous10).
    /// </summary>
    [Fact]
    public async Task Closed_value_sets_are_shared_component_schemas()
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                foreach (var parameter in Parameters(op.Value).Values)
                {
                    var name = $"{op.Name} {path.Name} {parameter.GetProperty("name").GetString()}";
                    var schema = parameter.GetProperty("schema");
                    var item = schema.TryGetProperty("items", out var items) ? items : schema;
                    Assert.False(schema.TryGetProperty("enum", out _), $"{name} has an inline enum");
                    Assert.False(item.TryGetProperty("enum", out _), $"{name} has an inline enum");
                    if (item.TryGetProperty("$ref", out var reference))
                    {
                        var component = reference.GetString()!;
                        Assert.StartsWith("#/components/schemas/", component, StringComparison.Ordinal);
                        Assert.True(schemas.TryGetProperty(component["#/components/schemas/".Length..], out _), $"{name}: {component} does not resolve");
                        referenced.Add(component["#/components/schemas/".Length..]);
                    }
                }
            }
        }

        var vocabularies = new Dictionary<string, string[]>
        {
            ["Category"] = Timeline.Model.Vocabulary.Vocabularies.Categories.Select(t => t.Id).ToArray(),
            ["EntityKind"] = Timeline.Model.Vocabulary.Vocabularies.EntityKinds.Select(t => t.Id).ToArray(),
            ["Facet"] = ["category", "year", "entity", "tag"],
            ["EventSort"] = ["date", "-date", "relevance"],
        };
        foreach (var (component, values) in vocabularies)
        {
            Assert.Contains(component, referenced);
            var schema = schemas.GetProperty(component);
            Assert.Equal("string", schema.GetProperty("type").GetString());
            Assert.Equal(values, schema.GetProperty("enum").Strings());
            var description = schema.GetProperty("description").GetString()!;
            Assert.All(values, v => Assert.Contains($"`{v}`", description, StringComparison.Ordinal));
        }

        // Each is referenced where it is taken: the event list's sort and categories, the facets' names.
        Assert.Equal("#/components/schemas/EventSort", Parameters(Operation(document, "/events"))["sort"].GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/Category", Parameters(Operation(document, "/events"))["category"].GetProperty("schema").GetProperty("items").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/Facet", Parameters(Operation(document, "/events/facets"))["facet"].GetProperty("schema").GetProperty("items").GetProperty("$ref").GetString());

        // And what they say is what the endpoints take: each value is accepted, one outside the set refused.
        foreach (var sort in vocabularies["EventSort"].Where(s => s != "relevance"))
        {
            await _client.GetJsonAsync($"/events?sort={Uri.EscapeDataString(sort)}");
        }

        await _client.GetJsonAsync("/events?q=huawei&sort=relevance");
        foreach (var facet in vocabularies["Facet"])
        {
            await _client.GetJsonAsync($"/events/facets?facet={facet}");
        }

        await _client.GetProblemAsync("/events?sort=title", System.Net.HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// Swagger UI's "Try it out" fills every parameter with its example: the request it sends as-is, built here from the
    /// document as Swagger UI builds it (each item of an array example as its own name=value, form style, exploded), works
    /// and finds something on the seeded data. A repeated parameter's example is an array of values, never a bare string
    /// (which Swagger UI would join with what the user types).
    /// </summary>
    [Theory]
    [InlineData("/events")]
    [InlineData("/search")]
    [InlineData("/events/facets")]
    [InlineData("/events.csv")]
    [InlineData("/events.ics")]
    [InlineData("/events/feed.atom")]
    [InlineData("/events/timelinejs")]
    [InlineData("/export")]
    [InlineData("/entities")]
    [InlineData("/entities/match")]
    [InlineData("/roles")]
    [InlineData("/entity-kinds")]
    public async Task Try_it_out_with_the_documented_examples_finds_something(string path)
    {
        var document = await _client.GetJsonAsync("/openapi/v1.json");
        var query = new List<string>();
        foreach (var parameter in Parameters(Operation(document, path)).Values.Where(p => p.GetProperty("in").GetString() == "query"))
        {
            var name = parameter.GetProperty("name").GetString()!;
            var isArray = parameter.GetProperty("schema").TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "array";
            if (!parameter.TryGetProperty("example", out var example))
            {
                Assert.False(parameter.TryGetProperty("required", out var required) && required.GetBoolean(), $"{path} {name} is required but has no example");
                continue;
            }

            Assert.Equal(isArray ? JsonValueKind.Array : example.ValueKind is JsonValueKind.Number ? JsonValueKind.Number : JsonValueKind.String, example.ValueKind);
            foreach (var value in isArray ? example.EnumerateArray().ToList() : [example])
            {
                query.Add($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText())}");
            }
        }

        if (path == "/events")
        {
            // The filters that repeat are arrays, with array examples: typing a value adds an item rather than
            // running it into the example's text.
            foreach (var name in new[] { "category", "entity", "tag" })
            {
                var parameter = Parameters(Operation(document, path))[name];
                Assert.Equal("array", parameter.GetProperty("schema").GetProperty("type").GetString());
                Assert.Equal(JsonValueKind.Array, parameter.GetProperty("example").ValueKind);
            }
        }

        var url = query.Count == 0 ? path : $"{path}?{string.Join('&', query)}";
        output.WriteLine(url);
        using var response = await _client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        switch (path)
        {
            case "/events" or "/entities" or "/entities/match" or "/roles" or "/entity-kinds":
                Assert.NotEmpty(JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray());
                break;
            case "/search":
                var results = JsonDocument.Parse(body).RootElement;
                Assert.NotEmpty(results.GetProperty("events").GetProperty("items").EnumerateArray());
                break;
            case "/events/facets":
                var facets = JsonDocument.Parse(body).RootElement.GetProperty("facets");
                Assert.NotEmpty(facets.EnumerateObject());
                Assert.All(facets.EnumerateObject(), f => Assert.NotEmpty(f.Value.EnumerateArray()));
                break;
            case "/events.csv":
                Assert.True(body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 2, body);
                break;
            case "/events.ics":
                Assert.Contains("BEGIN:VEVENT", body, StringComparison.Ordinal);
                break;
            case "/events/feed.atom":
                Assert.Contains("<entry", body, StringComparison.Ordinal);
                break;
            case "/events/timelinejs":
            case "/export":
                Assert.NotEmpty(JsonDocument.Parse(body).RootElement.GetProperty("events").EnumerateArray());
                break;
        }
    }

    private static Dictionary<string, JsonElement> Parameters(JsonElement operation) =>
        operation.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!)
            : [];

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

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Timeline.Api.Curation;

namespace Timeline.Api.OpenApi;

/// <summary>
/// The request bodies a write takes beyond its JSON document, each with examples Swagger UI can send: POST /sources
/// takes the text itself as text/plain (metadata as query parameters) or a multipart/form-data file part; PATCH takes a
/// JSON Merge Patch or a JSON Patch, chosen by Content-Type.
/// </summary>
public static class WriteBodyDocs
{
    /// <summary>The example text of a text/plain upload, and the metadata query parameters that go with it (sent together by "Try it out").</summary>
    private const string ExampleText = "On 18 December 2020 the Bureau of Industry and Security added Semiconductor Manufacturing International Corporation (SMIC) to the Entity List.\r\nExports to SMIC of items subject to the EAR now need a licence.\r\n";

    /// <summary>Examples of every metadata query parameter, which "Try it out" sends with the example text: together a valid source.</summary>
    private static readonly Dictionary<string, JsonNode> QueryExamples = new(StringComparer.Ordinal)
    {
        ["id"] = "example-smic-entity-list-note",
        ["title"] = "SMIC added to the Entity List (a note)",
        ["publisher"] = "Example Law LLP",
        ["author"] = "Trade practice group",
        ["publishedDate"] = "2020-12",
        ["url"] = "https://example.org/alerts/smic-entity-list",
        ["notes"] = new JsonArray("Saved from the firm's site as plain text."),
        ["citation"] = "85 FR 83416",
        ["documentNumber"] = "2020-28031",
        ["effectiveDate"] = "2020-12-18",
        ["agencies"] = new JsonArray("Industry and Security Bureau"),
        ["documentType"] = "Rule",
        ["standalone"] = "true",
        ["formerIds"] = new JsonArray("example-smic-entity-list-draft"),
    };

    /// <summary>Examples of each kind's JSON Patch and Merge Patch, by the tag of the operation.</summary>
    private static readonly Dictionary<string, (JsonNode Add, JsonNode Remove, JsonNode Merge)> PatchExamples = new(StringComparer.Ordinal)
    {
        ["Events"] = (
            new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/caveats/-", ["value"] = "The source gives the month (December 2020) but no day." }),
            new JsonArray(
                new JsonObject { ["op"] = "test", ["path"] = "/tags/1", ["value"] = "smic" },
                new JsonObject { ["op"] = "remove", ["path"] = "/tags/1" }),
            new JsonObject { ["title"] = "SMIC joins Huawei on the US sanctions list" }),
        ["Entities"] = (
            new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/aliases/-", ["value"] = "Kirin 9000s" }),
            new JsonArray(
                new JsonObject { ["op"] = "test", ["path"] = "/aliases/0", ["value"] = "Charlotte" },
                new JsonObject { ["op"] = "remove", ["path"] = "/aliases/0" }),
            new JsonObject { ["description"] = "The system on a chip in Huawei's Mate 60 Pro." }),
        ["Sources"] = (
            new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/notes/-", ["value"] = "Checked against the publisher's page." }),
            new JsonArray(new JsonObject { ["op"] = "remove", ["path"] = "/notes/0" }),
            new JsonObject { ["publisher"] = "Financial Times" }),
    };

    public static Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody is not OpenApiRequestBody body || body.Content is null)
        {
            return Task.CompletedTask;
        }

        if (operation.Responses?.TryGetValue("415", out var unsupported) == true && unsupported is OpenApiResponse refusal)
        {
            // The 415 names the accepted types in its problem (detail, accepted) and in a header (RFC 9110 15.5.16, RFC 5789 2.2).
            var header = context.Description.HttpMethod == "PATCH" ? "Accept-Patch" : "Accept";
            refusal.Headers ??= new Dictionary<string, IOpenApiHeader>();
            refusal.Headers[header] = new OpenApiHeader
            {
                Description = "The media types the operation takes, comma-separated; the problem lists them too, in `accepted`.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        // Routing is told to let every type through (BodyMediaTypes.AcceptsBody): the handler refuses what it does not take, naming what it does.
        body.Content.Remove(BodyMediaTypes.AnyMediaType);
        var tag = operation.Tags?.FirstOrDefault()?.Name ?? string.Empty;
        if (operation.OperationId == "CreateSource")
        {
            DocumentSourceUpload(operation, body);
        }
        else if (operation.OperationId is "PatchEvent" or "PatchEntity" or "PatchSource" && PatchExamples.TryGetValue(tag, out var examples))
        {
            DocumentPatch(body, examples);
        }

        return Task.CompletedTask;
    }

    private static void DocumentSourceUpload(OpenApiOperation operation, OpenApiRequestBody body)
    {
        body.Description = "The source: its JSON document (text inline in `text`), or its text itself as text/plain with the metadata as query parameters, or a multipart/form-data form with the text as a file part named `text` and the metadata as fields. The text is stored byte for byte as sent (UTF-8 only; CRLF and a byte-order mark are kept).";
        var json = body.Content!.TryGetValue(BodyMediaTypes.Json, out var jsonType) ? jsonType : null;

        // text/plain first: Swagger UI offers the first type, and sends the metadata examples of the query parameters with it.
        var content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
        {
            [BodyMediaTypes.Text] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The source's full text, UTF-8, stored byte for byte as sent." },
                Example = ExampleText,
            },
            [BodyMediaTypes.Multipart] = new OpenApiMediaType
            {
                Schema = FormSchema(),
                Encoding = new Dictionary<string, OpenApiEncoding>(StringComparer.Ordinal)
                {
                    ["text"] = new OpenApiEncoding { ContentType = "text/plain; charset=utf-8" },
                },
            },
        };
        if (json is not null)
        {
            content[BodyMediaTypes.Json] = json;
        }

        body.Content = content;
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.In == ParameterLocation.Query && parameter.Name is { } name && QueryExamples.TryGetValue(name, out var example))
            {
                parameter.Example = example.DeepClone();
            }
        }
    }

    /// <summary>
    /// The form: the text as a file part, and the metadata as further fields named as the text/plain upload's query
    /// parameters. Those fields are described, not listed as properties: a generated client (NSwag) turns each form
    /// property into a method parameter, which would then share its name with the query parameter of the same name.
    /// </summary>
    private static OpenApiSchema FormSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "The text as a file part named `text`; the metadata as further form fields named as the query parameters of a text/plain upload "
            + "(id and title required; publisher, author, publishedDate, url, notes, citation, documentNumber, effectiveDate, agencies, documentType, "
            + "standalone, formerIds; an empty field is left out; notes, agencies and formerIds repeat). For example: "
            + "curl -F text=@alert.txt -F id=law-firm-alert-smic -F 'title=SMIC added to the Entity List'.",
        Required = new HashSet<string>(StringComparer.Ordinal) { "text" },
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["text"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The source's full text, a file part, UTF-8, stored byte for byte." },
        },
        AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A metadata field of the source (see above)." },
    };

    private static void DocumentPatch(OpenApiRequestBody body, (JsonNode Add, JsonNode Remove, JsonNode Merge) examples)
    {
        body.Description = "application/merge-patch+json (RFC 7396: fields given replace, null removes, arrays replace whole) or application/json-patch+json (RFC 6902: operations at JSON Pointers, so one item of an array can be added or removed alone).";
        body.Content ??= new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal);
        if (body.Content.TryGetValue(BodyMediaTypes.MergePatch, out var merge))
        {
            merge.Example = examples.Merge.DeepClone();
        }

        var operationSchema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "One RFC 6902 operation. path and from are JSON Pointers (RFC 6901): /caveats/0 is the first caveat, /caveats/- the end of the array (add appends there); ~1 is a / and ~0 a ~ inside a name.",
            Required = new HashSet<string>(StringComparer.Ordinal) { "op", "path" },
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["op"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = JsonPatch.Ops.Select(o => (JsonNode)o).ToList(),
                    Description = "add (insert into an array, or set a field), remove, replace, move (from → path), copy (from → path), test (the value at path must equal value, else nothing is applied: a 409).",
                },
                ["path"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Where the operation applies." },
                ["from"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "move and copy: where the value comes from." },
                ["value"] = new OpenApiSchema { Description = "add, replace and test: the value (any JSON, null included)." },
            },
        };
        body.Content[BodyMediaTypes.JsonPatch] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = operationSchema, Description = "An RFC 6902 JSON Patch: operations applied in order, all or none." },
            Examples = new Dictionary<string, IOpenApiExample>(StringComparer.Ordinal)
            {
                ["add"] = new OpenApiExample { Summary = "Add one item to an array", Value = examples.Add.DeepClone() },
                ["remove"] = new OpenApiExample { Summary = "Remove one item, testing first that it is the one meant", Value = examples.Remove.DeepClone() },
            },
        };
    }
}

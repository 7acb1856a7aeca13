using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Timeline.Api.Tests;

/// <summary>
/// The served OpenAPI document as a check of responses: for a request's method and path, the operation the document
/// declares (its path template matched), and whether a response's status, content type and JSON body are what that
/// operation documents. Every client a test app creates checks every response it receives (<see cref="ResponseContractHandler"/>).
/// </summary>
public sealed partial class ResponseContract
{
    /// <summary>
    /// Paths the document does not describe on purpose, each with its reason. Everything else a test requests is
    /// either an operation of the document or a path the app does not have (then only a 404 or 405 problem is accepted).
    /// </summary>
    public static readonly IReadOnlyList<(string Prefix, string Why)> Undocumented =
    [
        ("/swagger", "Swagger UI's page and assets (Swashbuckle's middleware): for people, not part of the API."),
        ("/openapi/", "the document itself."),
        ("/timeline/", "the timeline page's assets (TimelinePageApi, ExcludeFromDescription): the page is documented at /timeline."),
        ("/test/", "the test hooks of OperationsApp (OperationsFixtures.cs), which are not the app's."),
    ];

    /// <summary>The one exact path left out: GET / redirects to /swagger (ExcludeFromDescription in OpenApiSetup).</summary>
    private const string Root = "/";

    /// <summary>JSON bodies larger than this are not validated (the test still gets them whole).</summary>
    public const long MaxValidatedBody = 16 * 1024 * 1024;

    private static readonly Uri ComponentsUri = new("https://timeline.test/openapi/components.json");

    private readonly List<Operation> _operations = [];
    private readonly Dictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly BuildOptions _build = new() { SchemaRegistry = new SchemaRegistry() };
    private readonly JsonSchema? _problem;
    private int _built;

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    private ResponseContract(JsonObject document)
    {
        var version = document["openapi"]?.GetValue<string>() ?? string.Empty;
        if (!version.StartsWith("3.1", StringComparison.Ordinal))
        {
            // The schemas are read as JSON Schema 2020-12, which only OpenAPI 3.1 promises.
            throw new InvalidOperationException($"The served document is OpenAPI '{version}', not 3.1: its schemas are not JSON Schema 2020-12.");
        }

        // The components become one schema document whose $defs are the component schemas; every
        // "#/components/schemas/X" reference (there and in the operations) points into it.
        var components = document["components"]?["schemas"]?.DeepClone() as JsonObject ?? [];
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = ComponentsUri.ToString(),
            ["$defs"] = Rewrite(components),
        };
        JsonSchema.Build(JsonSerializer.SerializeToElement(root), _build, ComponentsUri);

        foreach (var (path, item) in document["paths"]?.AsObject() ?? [])
        {
            foreach (var (method, operation) in item?.AsObject() ?? [])
            {
                if (operation?["responses"] is not JsonObject responses)
                {
                    continue;
                }

                var declared = new Dictionary<string, Dictionary<string, JsonNode?>>(StringComparer.OrdinalIgnoreCase);
                foreach (var (status, response) in responses)
                {
                    var content = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
                    foreach (var (mediaType, media) in response?["content"]?.AsObject() ?? [])
                    {
                        content[mediaType] = media?["schema"] is { } schema ? Rewrite(schema.DeepClone()) : null;
                    }

                    declared[status] = content;
                }

                _operations.Add(new Operation(method.ToUpperInvariant(), path, Template(path), path.Count(c => c == '{'), declared));
            }
        }

        _problem = components.ContainsKey("ProblemDetails") ? Schema("problem", new JsonObject { ["$ref"] = ComponentsUri + "#/$defs/ProblemDetails" }) : null;
    }

    /// <summary>The contract of a served document (its JSON text).</summary>
    public static ResponseContract Parse(string json) =>
        new(JsonNode.Parse(json) as JsonObject ?? throw new InvalidOperationException("The OpenAPI document is not a JSON object."));

    /// <summary>The contract of the document the app serves (fetched once per test run: see <see cref="ServedDocument"/>).</summary>
    public static ResponseContract Served => ServedDocument.Contract;

    private sealed record Operation(string Method, string Path, Regex Template, int Parameters, Dictionary<string, Dictionary<string, JsonNode?>> Responses);

    /// <summary>
    /// What is wrong with a response, or null when the document declares it: the operation, the status, the content
    /// type, and for a JSON body every place it differs from its schema. <paramref name="body"/> is null when the body
    /// was not read (not JSON, or too large).
    /// </summary>
    public string? Check(string method, string pathAndQuery, HttpStatusCode status, string? contentType, byte[]? body)
    {
        var path = pathAndQuery.Split('?', 2)[0];

        // OPTIONS is a CORS preflight, answered by the CORS middleware before routing (Operations/): OpenAPI describes the
        // operations, not their preflights (the CORS tests check those answers themselves).
        if (path == Root || method == "OPTIONS" || Undocumented.Any(u => path.StartsWith(u.Prefix, StringComparison.Ordinal)))
        {
            return null;
        }

        // HEAD runs as GET (HeadRequests): the same operation, without a body.
        var head = method == "HEAD";
        var operationMethod = head ? "GET" : method;
        var code = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mediaType = contentType?.Split(';', 2)[0].Trim();
        var request = $"{method} {pathAndQuery}";

        var onPath = _operations.Where(o => o.Template.IsMatch(path)).ToList();
        var operation = onPath.Where(o => o.Method == operationMethod).OrderBy(o => o.Parameters).FirstOrDefault();
        if (operation is null)
        {
            // A path or method the app does not have: routing's refusal, a problem (404 for an unknown path, 405 for a
            // known path's unknown method), is all it may answer.
            var expected = onPath.Count == 0 ? HttpStatusCode.NotFound : HttpStatusCode.MethodNotAllowed;
            var what = onPath.Count == 0
                ? "no operation of the document has this path"
                : $"the document has no {operationMethod} on this path (only {string.Join(", ", onPath.Select(o => o.Method).Distinct())})";
            if (status != expected)
            {
                return $"{request} answered {code} {mediaType ?? "(no content type)"}: {what}, so only a {(int)expected} problem may answer it."
                    + " Declare the endpoint in the OpenAPI document (a Map... call that is not ExcludeFromDescription), or list the path in ResponseContract.Undocumented with its reason.";
            }

            if (head || _problem is null)
            {
                return null;
            }

            if (mediaType != "application/problem+json")
            {
                return $"{request} answered {code} {mediaType ?? "(no content type)"}: {what}; the refusal must be an application/problem+json problem.";
            }

            return body is null ? null : Validate(_problem, body) is { } problemErrors
                ? $"{request} answered {code} {mediaType}: {what}; the refusal's body is not a ProblemDetails:{problemErrors}"
                : null;
        }

        var name = $"{operation.Method} {operation.Path}";
        var documented = string.Join(", ", operation.Responses.Keys.Order(StringComparer.Ordinal));
        if (!operation.Responses.TryGetValue(code, out var content)
            && !operation.Responses.TryGetValue(code[0] + "XX", out content)
            && !operation.Responses.TryGetValue("default", out content))
        {
            return $"{name} ({request}) answered {code} {mediaType ?? "(no content type)"}, a status it does not document (it documents {documented})."
                + " Declare it on the endpoint (Produces/ProducesProblem, a Results<...> return type, or group metadata for a status every endpoint can answer).";
        }

        if (mediaType is null)
        {
            // No body (204, 304, a HEAD, a redirect without one): fine where the status declares no content, or for a HEAD.
            return content.Count == 0 || head || body is { Length: 0 } && status is HttpStatusCode.NoContent or HttpStatusCode.NotModified
                ? null
                : $"{name} ({request}) answered {code} with no content type, but the document declares {string.Join(", ", content.Keys)} for {code}.";
        }

        var match = content.Keys.FirstOrDefault(k => MediaTypeMatches(k, mediaType));
        if (match is null)
        {
            return $"{name} ({request}) answered {code} {mediaType}, a content type the document does not declare for {code}"
                + (content.Count == 0 ? " (it declares no content: add the body's content type and schema)." : $" (it declares {string.Join(", ", content.Keys)}).");
        }

        if (body is null || head || !IsJson(mediaType) || content[match] is not { } schemaNode)
        {
            return null;
        }

        var schema = Schema($"{name} {code} {match}", schemaNode);
        return Validate(schema, body) is { } errors
            ? $"{name} ({request}) answered {code} {mediaType} with a body that does not match the documented schema:{errors}"
            : null;
    }

    /// <summary>A JSON media type, whose body is validated: application/json and every +json type.</summary>
    public static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static bool MediaTypeMatches(string declared, string actual) =>
        declared.Equals(actual, StringComparison.OrdinalIgnoreCase)
        || declared == "*/*"
        || (declared.EndsWith("/*", StringComparison.Ordinal) && actual.StartsWith(declared[..^1], StringComparison.OrdinalIgnoreCase));

    private JsonSchema Schema(string key, JsonNode schemaNode)
    {
        lock (_schemas)
        {
            if (!_schemas.TryGetValue(key, out var schema))
            {
                var uri = new Uri($"https://timeline.test/openapi/response/{Interlocked.Increment(ref _built)}.json");
                var element = JsonSerializer.SerializeToElement(schemaNode);
                schema = JsonSchema.Build(element, _build, uri);
                _schemas[key] = schema;
            }

            return schema;
        }
    }

    /// <summary>Every error of the body against the schema, each with its JSON path and the schema's path; null when valid.</summary>
    private static string? Validate(JsonSchema schema, byte[] body)
    {
        JsonElement instance;
        try
        {
            using var parsed = JsonDocument.Parse(body);
            instance = parsed.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return $"{Environment.NewLine}  the body is not JSON: {ex.Message}";
        }

        var results = schema.Evaluate(instance, Evaluation);
        if (results.IsValid)
        {
            return null;
        }

        var lines = new List<string>();
        foreach (var detail in (results.Details ?? []).Prepend(results))
        {
            foreach (var (keyword, error) in detail.Errors ?? new Dictionary<string, string>())
            {
                lines.Add($"  at {JsonPath(detail.InstanceLocation.ToString())}: {error} (schema {detail.EvaluationPath}, {keyword})");
            }
        }

        if (lines.Count == 0)
        {
            lines.Add("  the body does not match (the validator gave no detail)");
        }

        const int Shown = 12;
        var text = new StringBuilder();
        foreach (var line in lines.Distinct().Take(Shown))
        {
            text.Append(Environment.NewLine).Append(line);
        }

        if (lines.Count > Shown)
        {
            text.Append(Environment.NewLine).Append($"  ... and {lines.Count - Shown} more");
        }

        return text.ToString();
    }

    /// <summary>A JSON Pointer as a JSON path: /events/0/title as $.events[0].title.</summary>
    private static string JsonPath(string pointer)
    {
        var path = new StringBuilder("$");
        foreach (var segment in pointer.Split('/').Skip(1))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            path.Append(name.All(char.IsAsciiDigit) && name.Length > 0 ? $"[{name}]" : $".{name}");
        }

        return path.ToString();
    }

    /// <summary>Points every "#/components/schemas/X" reference at the components' schema document.</summary>
    private static JsonNode Rewrite(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (key == "$ref" && value?.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { } reference
                        && reference.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    {
                        obj[key] = ComponentsUri + "#/$defs/" + reference["#/components/schemas/".Length..];
                    }
                    else if (value is not null)
                    {
                        Rewrite(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        Rewrite(item);
                    }
                }

                break;
        }

        return node;
    }

    /// <summary>A path template as a pattern: each {parameter} is one path segment.</summary>
    private static Regex Template(string path) =>
        new("^" + string.Concat(TemplateParts().Split(path).Select((part, i) => i % 2 == 1 ? "[^/]+" : Regex.Escape(part))) + "/?$", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex TemplateParts();
}

/// <summary>
/// The served document, fetched once per test run from an app of its own with the default test settings: the
/// document is built from the endpoints' metadata, which no setting changes, and asking each test app for it would cost
/// half a second of CPU per app and add a request to the logs, rate limits and counters the tests of those watch.
/// </summary>
internal static class ServedDocument
{
    private static readonly Lazy<ResponseContract> Lazy = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public static ResponseContract Contract => Lazy.Value;

    private static ResponseContract Load()
    {
        var app = new TimelineApp();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => app.Dispose();
        using var client = app.Server.CreateClient();
        var json = client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)).GetAwaiter().GetResult();
        return ResponseContract.Parse(json);
    }
}

/// <summary>A response the OpenAPI document does not declare: the operation, status, content type and what differs.</summary>
public sealed class UndocumentedResponseException(string message) : Exception(message);

/// <summary>
/// Checks every response against the served OpenAPI document (<see cref="ResponseContract"/>), and fails the request
/// (so the test that sent it) with <see cref="UndocumentedResponseException"/> when the document does not declare it.
/// JSON bodies are read whole (tests read them whole anyway) and validated against their schema; other bodies (CSV,
/// iCalendar, Atom, HTML, NDJSON, plain text) are left unread, so streaming tests stream: their status and content
/// type are checked.
/// </summary>
public sealed class ResponseContractHandler(Func<ResponseContract> contract) : DelegatingHandler
{
    /// <summary>
    /// Set TIMELINE_RESPONSE_CHECK_LOG to a file path to have every mismatch appended there and not thrown: the list of
    /// everything a whole run finds, in one pass.
    /// </summary>
    private static readonly string? LogOnly = Environment.GetEnvironmentVariable("TIMELINE_RESPONSE_CHECK_LOG");

    /// <summary>
    /// Set TIMELINE_RESPONSE_CHECK_STATS to a file path to have the run's count of responses checked, JSON bodies
    /// validated and the time spent checking (reading bodies excluded) appended there when the test process exits.
    /// </summary>
    private static readonly string? StatsFile = Environment.GetEnvironmentVariable("TIMELINE_RESPONSE_CHECK_STATS");

    private static long _checked;
    private static long _validated;
    private static long _ticks;

    static ResponseContractHandler()
    {
        if (StatsFile is { Length: > 0 } file)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => File.AppendAllText(file,
                $"{_checked} responses checked, {_validated} JSON bodies validated, {TimeSpan.FromTicks(_ticks).TotalMilliseconds:F0} ms checking (document fetch and schema builds included){Environment.NewLine}");
        }
    }

    /// <summary>A checking handler over a real socket, for a client of an app served by Kestrel (new HttpClient(...)).</summary>
    public static ResponseContractHandler OverSockets() => new(() => ResponseContract.Served) { InnerHandler = new SocketsHttpHandler() };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var contentType = response.Content.Headers.ContentType?.ToString();
        byte[]? body = null;
        if (ResponseContract.IsJson(response.Content.Headers.ContentType?.MediaType) && request.Method != HttpMethod.Head
            && response.Content.Headers.ContentLength is not > ResponseContract.MaxValidatedBody)
        {
            // Buffered: the test reads the same bytes from the content afterwards.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (body.Length > ResponseContract.MaxValidatedBody)
            {
                body = null;
            }
        }
        else if (contentType is null && response.Content.Headers.ContentLength is null or 0)
        {
            body = [];
        }

        var uri = request.RequestUri!;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var problem = contract().Check(request.Method.Method, uri.PathAndQuery, response.StatusCode, contentType, body);
        Interlocked.Add(ref _ticks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
        Interlocked.Increment(ref _checked);
        if (body is { Length: > 0 })
        {
            Interlocked.Increment(ref _validated);
        }

        if (problem is null)
        {
            return response;
        }

        if (LogOnly is { Length: > 0 } log)
        {
            lock (typeof(ResponseContractHandler))
            {
                File.AppendAllText(log, problem + Environment.NewLine);
            }

            return response;
        }

        response.Dispose();
        throw new UndocumentedResponseException("The response is not what the OpenAPI document declares: " + problem);
    }
}

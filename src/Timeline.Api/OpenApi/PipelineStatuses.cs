using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Timeline.Api.Caching;
using Timeline.Api.Operations;

namespace Timeline.Api.OpenApi;

/// <summary>
/// Documents the answers the pipeline gives around an operation's handler, which no handler's signature shows, on every
/// operation they can reach (as OperationsOpenApi does for 429, 504 and 507): 304 on the conditional reads
/// (Caching/ConditionalGets), 414 for a query string over the limit and, on writes, 403 for a cross-origin write and 413
/// for a body over the limit (Operations/RequestGuards), and 415 where a body of another media type is refused
/// (Curation/RecordEndpoints, POST /import). The tests check every response against the document
/// (tests/Timeline.Api.Tests/ResponseContract.cs): a status answered here and not declared fails them.
/// </summary>
public static class PipelineStatuses
{
    public static OpenApiOptions AddPipelineStatuses(this OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        var method = context.Description.HttpMethod ?? HttpMethods.Get;
        var path = "/" + (context.Description.RelativePath ?? string.Empty).TrimStart('/');
        operation.Responses ??= [];

        if (HttpMethods.IsGet(method) && ConditionalGets.Covers(path))
        {
            operation.Responses.TryAdd("304", new OpenApiResponse
            {
                Description = "Not modified: the If-None-Match sent names the current ETag (or If-Modified-Since is not older than Last-Modified), so the copy the client holds is current. No body.",
                Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["ETag"] = new OpenApiHeader { Description = "The current ETag, as sent.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            });
        }

        operation.Responses.TryAdd("414", Problem(context, "The query string is longer than the server accepts (Timeline:Limits:MaxQueryStringLength)."));

        if (EdgeGuards.IsWrite(method))
        {
            operation.Responses.TryAdd("403", Problem(context, "Refused: the API key does not have the role this operation needs, or the write came from another origin (an Origin header other than this API's own; reads are open to every origin)."));
            operation.Responses.TryAdd("413", Problem(context, "The request body is larger than this endpoint accepts (Timeline:Limits:MaxRequestBodyBytes, or the endpoint's own limit)."));
        }

        if (operation.RequestBody is not null)
        {
            operation.Responses.TryAdd("415", Problem(context, "The body is not of the media type this operation reads (its request body's content type)."));
        }

        return Task.CompletedTask;
    });

    private static OpenApiResponse Problem(OpenApiOperationTransformerContext context, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
        },
    };
}

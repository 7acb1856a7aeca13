using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Timeline.Api.Operations;

/// <summary>
/// Documents the answers the operations layer can give on any operation, which no handler's signature shows:
/// 429 (rate limited, with Retry-After) where the rate limits apply, 507 (out of storage space) on every write, 503 (the
/// store busy or its database unreachable, with Retry-After) wherever the store is read or written, and 504 (request
/// timeout) wherever the request timeout applies.
/// </summary>
public static class OperationsOpenApi
{
    /// <summary>The operations that never touch the store, so never answer its 503.</summary>
    private static readonly HashSet<string> StoreFree = new(["/health/live", "/metrics"], StringComparer.Ordinal);

    public static IServiceCollection AddTimelineOperationsOpenApi(this IServiceCollection services)
    {
        services.Configure<OpenApiOptions>("v1", options => options.AddOperationTransformer((operation, context, _) =>
        {
            var path = "/" + (context.Description.RelativePath ?? string.Empty).TrimStart('/');
            operation.Responses ??= [];
            if (!RateLimits.IsExempt(path))
            {
                operation.Responses.TryAdd("429", WithRetryAfter(
                    Problem(context, "Too many requests from this client (Timeline:RateLimits); wait the Retry-After seconds."),
                    "Seconds until this client's rate-limit window starts again."));
            }

            if (context.Description.HttpMethod is { } method && EdgeGuards.IsWrite(method))
            {
                operation.Responses.TryAdd("507", WithRetryAfter(
                    Problem(context, "The server has no storage space left for this change; nothing was written. Try again after Retry-After seconds, once space is freed."),
                    "Seconds to wait before trying again."));
            }

            if (!StoreFree.Contains(path))
            {
                operation.Responses.TryAdd("503", WithRetryAfter(
                    Problem(context, "The store is busy (locked by other work past the command timeout) or its database cannot be reached; nothing was done. Try again after Retry-After seconds."),
                    "Seconds to wait before trying again."));
            }

            if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<DisableRequestTimeoutAttribute>().Any())
            {
                operation.Responses.TryAdd("504", Problem(context, "The request ran longer than Timeline:Limits:RequestTimeoutSeconds and was stopped."));
            }

            return Task.CompletedTask;
        }));
        return services;
    }

    private static OpenApiResponse WithRetryAfter(OpenApiResponse response, string description)
    {
        response.Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Retry-After"] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
        };
        return response;
    }

    private static OpenApiResponse Problem(OpenApiOperationTransformerContext context, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
        },
    };
}

using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Timeline.Api.Exports;

/// <summary>
/// Marks the whole-store exports (endpoint metadata) and documents, on each, what the export slots add to its answers:
/// a 503 with Retry-After when no slot frees in time.
/// </summary>
public static class ExportSlots
{
    /// <summary>The sentence every export's description ends with.</summary>
    public const string Description =
        "An export streams once it has one of the export slots (Timeline:Limits:ConcurrentExports), one per client at a time: a client's second export waits for its first to end, and a request that has no slot within Timeline:Limits:ExportQueueSeconds gets a 503 with Retry-After. The request timeout applies until the first bytes are sent; after that the export lasts as long as the client keeps reading (a client that stops reading for Timeline:Limits:ExportWriteTimeoutSeconds, or reads slower than Timeline:Limits:ExportMinBytesPerSecond, is disconnected).";

    /// <summary>Marks an endpoint as a whole-store export: documented with the 503 of the export slots.</summary>
    public static RouteHandlerBuilder AsExport(this RouteHandlerBuilder builder) => builder.WithMetadata(new ExportEndpoint());

    public static IServiceCollection AddExportOpenApi(this IServiceCollection services)
    {
        services.Configure<OpenApiOptions>("v1", options => options.AddOperationTransformer((operation, context, _) =>
        {
            if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<ExportEndpoint>().Any())
            {
                return Task.CompletedTask;
            }

            operation.Responses ??= [];
            operation.Responses.TryAdd("503", new OpenApiResponse
            {
                Description = "Every export slot stayed taken for Timeline:Limits:ExportQueueSeconds; try again after Retry-After.",
                Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["Retry-After"] = new OpenApiHeader
                    {
                        Description = "Seconds to wait before trying again.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                    },
                },
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
                },
            });
            return Task.CompletedTask;
        }));
        return services;
    }
}

/// <summary>Endpoint metadata: this endpoint streams the whole store (or a slice of it) and takes an export slot.</summary>
public sealed class ExportEndpoint;

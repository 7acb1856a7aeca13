using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Timeline.Api.Events;
using Timeline.Model.Store;

namespace Timeline.Api.OpenApi;

/// <summary>
/// GET /events/facets answers `facets` as a map from facet name to values, and the names are a closed set (category,
/// year, entity, tag). The generator describes a dictionary as `additionalProperties` only, which Kiota cannot type
/// (it hands the values back as untyped JSON); here each name is a property of its own, optional (only the facets asked
/// for are answered), and no other name may appear. The JSON is the same. A document transformer, as it runs once the
/// component schemas are final and can refer to FacetValue.
/// </summary>
internal sealed class FacetCountsSchema : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas is { } schemas
            && schemas.TryGetValue(nameof(FacetCounts), out var counts) && counts is OpenApiSchema { Properties: { } properties }
            && properties.TryGetValue("facets", out var facets))
        {
            properties["facets"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = facets.Description + " Only the facets asked for are present.",
                Properties = FacetNames.All.ToDictionary(
                    name => name,
                    IOpenApiSchema (_) => new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(nameof(FacetValue), document) },
                    StringComparer.Ordinal),
                AdditionalPropertiesAllowed = false,
            };
        }

        return Task.CompletedTask;
    }
}

using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Timeline.Api.OpenApi;

/// <summary>
/// A description for each tag the endpoints are grouped by (Swagger UI shows it beside the group's name; OpenAPI linters
/// ask for it). A tag not listed here keeps no description: the linter warns, nothing fails.
/// </summary>
internal sealed class TagDescriptions : IOpenApiDocumentTransformer
{
    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["Timeline page"] = "The timeline as a web page, for people rather than programs.",
        ["Events"] = "Events of the timeline: list, filter, facet and export them (CSV, iCalendar, Atom, TimelineJS); read one with its citations; write them with an editor key.",
        ["Changes"] = "The change feed: every write in order, for followers that keep a copy.",
        ["Operations"] = "Running the service: version, metrics and backups.",
        ["Entities"] = "Companies, governments, people, products and the other entities events involve.",
        ["Sources"] = "The source documents events quote, with their full text and the events citing them.",
        ["Categories"] = "The categories of events, with how many events each has.",
        ["Search"] = "Full-text search over events, entities and sources at once.",
        ["Health"] = "Liveness and readiness probes.",
        ["Dataset"] = "The whole dataset as one document (data/timeline.json's format): export and import.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            if (string.IsNullOrEmpty(tag.Description) && tag.Name is { } name && Descriptions.TryGetValue(name, out var description))
            {
                tag.Description = description;
            }
        }

        return Task.CompletedTask;
    }
}

namespace Timeline.Api.OpenApi;

/// <summary>
/// Endpoint metadata: the 200 response can also be this non-JSON media type (an export format), which
/// the OpenAPI document lists beside the JSON schema that the handler's return type gives, as a file: a string of
/// format binary, so that generated clients return a stream rather than parse it as JSON.
/// </summary>
public sealed record AlsoProduces(string ContentType, string Description);

public static class AlsoProducesExtensions
{
    public static RouteHandlerBuilder AlsoProduces(this RouteHandlerBuilder builder, string contentType, string description) =>
        builder.WithMetadata(new AlsoProduces(contentType, description));
}

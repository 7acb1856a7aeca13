namespace Timeline.Api.OpenApi;

/// <summary>
/// Endpoint metadata: a header the endpoint's successful (2xx) answers may carry, which the OpenAPI document lists
/// under each success response.
/// </summary>
public sealed record ResponseHeader(string Name, string Description);

public static class ResponseHeaderExtensions
{
    public static RouteHandlerBuilder ProducesHeader(this RouteHandlerBuilder builder, string name, string description) =>
        builder.WithMetadata(new ResponseHeader(name, description));
}

namespace Timeline.Api.Operations;

/// <summary>
/// Who a request comes from, for limits kept per client: the name of its API key when it sends a valid one,
/// otherwise its address (the peer's, or the one a trusted proxy forwarded). The same identity the rate limits use.
/// </summary>
public static class ClientIdentity
{
    public static string Of(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true
            ? "key:" + context.User.Identity.Name
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}

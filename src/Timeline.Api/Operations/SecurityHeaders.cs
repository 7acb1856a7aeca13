namespace Timeline.Api.Operations;

/// <summary>
/// Headers on every response, errors included: no MIME sniffing, no referrer, no framing, and a Content Security
/// Policy. API responses (JSON, CSV, iCalendar, Atom) never need to run or load anything, so theirs allows
/// nothing. Swagger UI gets what its files need and no more: its index.html loads its scripts and styles from
/// files (no inline script), the UI sets inline styles and uses data: images, and it fetches the OpenAPI
/// document and "Try it out" requests from this origin. The timeline page (/timeline) gets its own scripts, styles
/// and API requests from this origin, and nothing inline.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public const string SwaggerUiPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public Task InvokeAsync(HttpContext context)
    {
        var swagger = context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase);
        var page = context.Request.Path.StartsWithSegments("/timeline", StringComparison.OrdinalIgnoreCase);
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = swagger ? SwaggerUiPolicy : page ? TimelinePage.TimelinePageApi.PagePolicy : ApiPolicy;
            return Task.CompletedTask;
        });
        return next(context);
    }
}

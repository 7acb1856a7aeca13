using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Timeline.Api.Operations;

/// <summary>
/// Refusals made before routing, each a problem: a Host this server does not answer for (400: outside AllowedHosts
/// when that is set, or empty when no Timeline:PublicBaseUrl says what links should point at; health probes and
/// /metrics are answered whatever their Host), a query string longer
/// than Timeline:Limits:MaxQueryStringLength (414), and a write from another origin (403). Reads are open to every origin (CORS); writes are not, so a page
/// elsewhere can never make a visitor's browser change the timeline, even where CORS preflight is skipped (a plain
/// form POST carries an Origin header and no preflight).
/// </summary>
public sealed class EdgeGuards(RequestDelegate next, IOptions<OperationsOptions> options, IConfiguration configuration)
{
    private (string? Raw, StringSegment[]? Hosts) _allowed;

    /// <summary>
    /// AllowedHosts (semicolon-separated, wildcards such as *.example.org), or null for any host ("*" or unset). Read on
    /// every request (parsed again only when the setting changed), so a saved appsettings.json applies without a restart.
    /// </summary>
    private StringSegment[]? AllowedHosts()
    {
        var raw = configuration["AllowedHosts"];
        var allowed = _allowed;
        if (!string.Equals(allowed.Raw, raw, StringComparison.Ordinal))
        {
            allowed = (raw, raw is { Length: > 0 }
                && raw.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } list
                && !list.Contains("*")
                    ? list.Select(h => new StringSegment(h)).ToArray()
                    : null);
            _allowed = allowed;
        }

        return allowed.Hosts;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;

        // Probes and scrapers (Docker's healthcheck asks 127.0.0.1, load balancers' checks often send no Host) are
        // answered whatever their Host: no absolute URL is made for them.
        var probe = RateLimits.IsExempt(request.Path);
        if (!probe && AllowedHosts() is { } allowedHosts && !HostString.MatchesAny(new StringSegment(request.Host.Host), allowedHosts))
        {
            await Problem.WriteAsync(
                context,
                StatusCodes.Status400BadRequest,
                "Host not served",
                $"This server answers only for the hosts it is configured for (AllowedHosts); the request named '{LogText.Neutralise(request.Host.Value)}'.");
            return;
        }

        if (!probe && !request.Host.HasValue && options.Value.ParsedPublicBaseUrl() is null)
        {
            await Problem.WriteAsync(
                context,
                StatusCodes.Status400BadRequest,
                "Host header required",
                "The request has no Host header, so the server cannot say where its links point; send the host you asked for.");
            return;
        }

        var maxQuery = options.Value.Limits.MaxQueryStringLength;
        if (request.QueryString.HasValue && request.QueryString.Value!.Length > maxQuery)
        {
            await Problem.WriteAsync(
                context,
                StatusCodes.Status414RequestUriTooLong,
                "Query string too long",
                $"The query string is {request.QueryString.Value.Length} characters long; at most {maxQuery} are accepted.");
            return;
        }

        if (IsWrite(request.Method) && request.Headers.Origin is [{ Length: > 0 } origin, ..] && !IsSameOrigin(request, origin))
        {
            await Problem.WriteAsync(
                context,
                StatusCodes.Status403Forbidden,
                "Cross-origin write refused",
                $"Writes are accepted only from this API's own origin ({request.Scheme}://{request.Host}), not from {origin}. Reads are open to every origin.");
            return;
        }

        await next(context);
    }

    public static bool IsWrite(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    private static bool IsSameOrigin(HttpRequest request, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}", request.Host.Value, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Refusals made after routing (so an endpoint's own limits count): a body whose declared length is over the
/// limit is a 413 problem before any of it is read. Kestrel enforces the same limit on bodies that do not declare
/// their length, and the exception handler turns that into a 413 problem too.
/// </summary>
public sealed class BodyLimitGuard(RequestDelegate next, IOptions<OperationsOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } metadata
            ? metadata.MaxRequestBodySize
            : options.Value.Limits.MaxRequestBodyBytes;
        if (limit is { } max && context.Request.ContentLength > max)
        {
            await Problem.WriteAsync(
                context,
                StatusCodes.Status413PayloadTooLarge,
                "Request body too large",
                $"The request body is {context.Request.ContentLength} bytes; this endpoint accepts at most {max}.");
            return;
        }

        await next(context);
    }
}

/// <summary>
/// Runs inside the request timeout: a store statement interrupted because the request was cancelled (the engine stops
/// them through <see cref="Timeline.Model.Store.IAmbientCancellation"/>) surfaces as a cancellation, so the timeout answers 504 and a client that went
/// away is logged as such, never as a 500.
/// </summary>
public sealed class InterruptedQueries(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested
            && context.RequestServices.GetRequiredService<IStoreHealth>().Classify(ex) == StoreFailure.Interrupted)
        {
            throw new OperationCanceledException("The request was cancelled while its query ran.", ex, context.RequestAborted);
        }
    }
}

/// <summary>Endpoint metadata that raises (or, with null, lifts) the request body limit for one endpoint, such as an import.</summary>
public sealed class RequestBodyLimit(long? maxBytes) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize { get; } = maxBytes;
}

public static class RequestBodyLimitExtensions
{
    /// <summary>Lets this endpoint take bodies up to <paramref name="maxBytes"/> instead of Timeline:Limits:MaxRequestBodyBytes.</summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long maxBytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(maxBytes));
}

/// <summary>Writes a problem from middleware that answers before the problem-details machinery would see the response.</summary>
internal static class Problem
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}

/// <summary>
/// The absolute URLs in answers (export links, feed addresses): made from Timeline:PublicBaseUrl when it is set, so a
/// forged Host header never reaches a body; otherwise from the request's scheme and Host, which EdgeGuards has
/// checked against AllowedHosts.
/// </summary>
public static class PublicUrls
{
    /// <summary>The base URL, without a trailing slash: https://timeline.example.org or http://127.0.0.1:5080.</summary>
    public static string Base(HttpRequest request) =>
        request.HttpContext.RequestServices.GetRequiredService<IOptions<OperationsOptions>>().Value.ParsedPublicBaseUrl()
        ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;
using Timeline.Api.Problems;

namespace Timeline.Api.Caching;

/// <summary>
/// ETags and Last-Modified for every read. A response is fully decided by the store's data version, the
/// URL and the Accept header, so the ETag is derived from exactly those: it changes whenever the data
/// behind any response may have changed, and a client that sends it back in If-None-Match gets 304 with
/// no body, without the query being run. Responses vary on Accept.
/// </summary>
public sealed class ConditionalGets(RequestDelegate next, IDataVersion state, ResponseCache cache)
{
    private static readonly string[] Excluded = ["/health", "/swagger", "/openapi", "/metrics", "/version", "/timeline"];

    /// <summary>Whether reads of this path get ETags and 304s (the OpenAPI document declares the 304 where they do).</summary>
    public static bool Covers(PathString path) =>
        !(Excluded.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)) || path == "/");

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) || !Covers(request.Path))
        {
            await next(context);
            return;
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<RecordETag>() is not null)
        {
            await RecordAsync(context);
            return;
        }

        var version = await state.GetAsync(context.RequestAborted);
        var etag = ETagFor(version.DataVersion, request);
        var lastModified = DateTimeOffset.Parse(version.UpdatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        lastModified = lastModified.AddTicks(-(lastModified.Ticks % TimeSpan.TicksPerSecond));

        var response = context.Response;
        response.Headers.Vary = HeaderNames.Accept;
        if (IsNotModified(request, etag, lastModified))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.Headers.ETag = etag;
            response.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
            return;
        }

        if (cache.TryGet(etag, out var cached))
        {
            // The same URL at the same data version: the response is already known, byte for byte.
            response.Headers.ETag = etag;
            response.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
            await WriteAsync(context, cached!);
            return;
        }

        response.OnStarting(() =>
        {
            if (response.StatusCode == StatusCodes.Status200OK)
            {
                response.Headers.ETag = etag;
                response.Headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
            }

            return Task.CompletedTask;
        });

        await RunAndKeepAsync(context, etag, ownETag: false);
    }

    /// <summary>
    /// A single record (GET /events/{id}, ...) carries its own ETag ("{version}.{dataVersion}") and answers
    /// conditional requests itself; its 200 responses are still kept whole, under the data version, URL and Accept,
    /// and served again with the ETag they were sent with. A conditional request always goes to the endpoint.
    /// (HEAD arrives here as GET: see HeadRequests.)
    /// </summary>
    private async Task RecordAsync(HttpContext context)
    {
        var request = context.Request;
        if (!cache.Enabled || request.Headers.IfNoneMatch.Count > 0 || request.Headers.IfModifiedSince.Count > 0)
        {
            await next(context);
            return;
        }

        var key = ETagFor((await state.GetAsync(context.RequestAborted)).DataVersion, request);
        if (cache.TryGet(key, out var cached) && cached!.ETag is not null)
        {
            context.Response.Headers.ETag = cached.ETag;
            context.Response.Headers.Vary = HeaderNames.Accept;
            await WriteAsync(context, cached);
            return;
        }

        await RunAndKeepAsync(context, key, ownETag: true);
    }

    /// <summary>Answers with a kept response: status, body and the headers that describe it (the caller sets the validators).</summary>
    private static Task WriteAsync(HttpContext context, CachedResponse cached)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = cached.ContentType;
        if (cached.ContentDisposition is not null)
        {
            response.Headers.ContentDisposition = cached.ContentDisposition;
        }

        if (cached.Link is not null)
        {
            response.Headers.Link = cached.Link;
        }

        response.ContentLength = cached.Body.Length;
        return response.Body.WriteAsync(cached.Body, context.RequestAborted).AsTask();
    }

    /// <summary>
    /// Runs the endpoint; when the cache admits the key, copies the body as it is written and keeps a complete 200
    /// (with the record's own ETag when <paramref name="ownETag"/>). A HEAD (run as a GET) keeps nothing: exports skip
    /// writing a body nobody reads, and an empty 200 kept under the URL would be every later GET's answer.
    /// </summary>
    private async Task RunAndKeepAsync(HttpContext context, string key, bool ownETag)
    {
        if (HeadRequests.IsHead(context) || !cache.Admit(key))
        {
            await next(context);
            return;
        }

        var response = context.Response;
        var body = response.Body;
        var capture = new CapturingStream(body, ResponseCache.MaxBodyBytes);
        response.Body = capture;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = body;
        }

        if (response.StatusCode != StatusCodes.Status200OK || capture.Overflowed || context.RequestAborted.IsCancellationRequested
            || (ownETag && response.Headers.ETag.Count != 1))
        {
            return;
        }

        cache.Set(key, new CachedResponse(
            capture.Captured,
            response.ContentType,
            response.Headers.ContentDisposition.Count > 0 ? response.Headers.ContentDisposition.ToString() : null,
            response.Headers.Link.Count > 0 ? response.Headers.Link.ToString() : null,
            ownETag ? response.Headers.ETag.ToString() : null));
    }

    /// <summary>The strong ETag of the response to this request at this data version.</summary>
    public static string ETagFor(long dataVersion, HttpRequest request)
    {
        // Exports and feeds embed absolute URLs, so the scheme and host are part of what decides the body.
        var key = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}\n{request.Headers.Accept}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 8));
        return $"\"{dataVersion.ToString(CultureInfo.InvariantCulture)}-{hash}\"";
    }

    private static bool IsNotModified(HttpRequest request, string etag, DateTimeOffset lastModified)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            // If-None-Match uses the weak comparison: W/"x" matches "x".
            if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
            {
                return false;
            }

            return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Equals(etag, StringComparison.Ordinal));
        }

        return request.Headers.IfModifiedSince.Count > 0
            && DateTimeOffset.TryParseExact(request.Headers.IfModifiedSince.ToString(), "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
            && lastModified <= since;
    }
}

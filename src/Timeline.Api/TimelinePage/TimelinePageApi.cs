using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;
using Timeline.Api.OpenApi;

namespace Timeline.Api.TimelinePage;

/// <summary>
/// The timeline page for people, served by the API itself at /timeline: one HTML file, one stylesheet and one script,
/// embedded in the build (no build step, no CDN), using only the public JSON API. Each asset answers with a strong
/// ETag of its bytes (If-None-Match gets 304) and must be revalidated, so a new build is picked up at once.
/// </summary>
public static class TimelinePageApi
{
    /// <summary>What the page may do: its own scripts, styles and API requests, nothing inline, nothing from elsewhere.</summary>
    public const string PagePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static readonly Dictionary<string, Asset> Assets = Load();

    public static IEndpointRouteBuilder MapTimelinePage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/timeline", (HttpContext context) => Serve(context, "index.html"))
            .WithTags("Timeline page")
            .WithName("TimelinePage")
            .WithSummary("The timeline as a web page, for people")
            .WithDescription(
                """
                An HTML page over this API: every event in timeline order, grouped by year, with its date at its precision,
                category, caveats and entities; filters (category, entity, tag, dates), search with highlighted snippets and
                facet counts; and a source viewer that opens a citation's source with the quoted words highlighted where they
                stand. The view lives in the query string (`q`, `category`, `entity`, `tag`, `from`, `to`, `source`, and
                `open`, `start`, `end` for an open source and its quoted passage), so a copied link reproduces it. Open it in a browser:
                [/timeline](/timeline).
                """)
            .AlsoProduces("text/html", "The page (HTML); it loads /timeline/timeline.css and /timeline/timeline.js, then asks this API for the view.")
            .Produces(StatusCodes.Status304NotModified);

        routes.MapGet("/timeline/{asset}", (HttpContext context, string asset) => Serve(context, asset))
            .ExcludeFromDescription();
        return routes;
    }

    private static IResult Serve(HttpContext context, string name)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"The timeline page has no file '{name}'.");
        }

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        var ifNoneMatch = context.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Equals(asset.ETag, StringComparison.Ordinal)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Bytes, asset.ContentType);
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static Dictionary<string, Asset> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var (name, contentType) in new[] { ("index.html", "text/html; charset=utf-8"), ("timeline.css", "text/css; charset=utf-8"), ("timeline.js", "text/javascript; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream("TimelinePage/" + name)
                ?? throw new InvalidOperationException($"The timeline page's {name} is not embedded in the build.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            assets[name] = new Asset(bytes, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"");
        }

        return assets;
    }
}

using Timeline.Model.Store;

namespace Timeline.Api.Redirects;

/// <summary>
/// Renamed records keep answering at their old ids: a GET (or HEAD) of /events/{id}, /entities/{id} or /sources/{id}, or
/// of one of their sub-resources (/entities/{id}/events, /events/{id}/revisions, ...), whose id is unknown (404) or a
/// record retired by the rename (410), answers 301 Moved Permanently with a Location naming the record's current id
/// (the same path and query otherwise), when a record lists that id among its <c>formerIds</c>. Only answers the
/// handler would have refused are looked up, so the read path of live ids costs nothing more.
/// </summary>
public static class FormerIdRedirects
{
    /// <summary>The endpoint filter; added to the API's route group in Program.cs.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            return result;
        }

        if (StatusOf(result) is not (StatusCodes.Status404NotFound or StatusCodes.Status410Gone)
            || http.GetRouteValue("id") is not string id
            || (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is not { } pattern
            || Resource(pattern) is not { } resource)
        {
            return result;
        }

        var formerIds = http.RequestServices.GetRequiredService<IFormerIds>();
        var current = await formerIds.CurrentIdAsync(resource.Name, id, http.RequestAborted);
        if (current is null)
        {
            return result;
        }

        // The path with its id segment (the one after the collection) replaced, the rest and the query kept.
        var path = http.Request.Path.Value ?? string.Empty;
        var prefix = "/" + resource.Plural + "/";
        var rest = path.Length > prefix.Length ? path[prefix.Length..] : string.Empty;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var tail = slash < 0 ? string.Empty : rest[slash..];
        var location = $"{http.Request.PathBase}{prefix}{Uri.EscapeDataString(current)}{tail}{http.Request.QueryString}";
        return new MovedPermanently(location, resource.Name, id, current);
    }

    private static (string Name, string Plural)? Resource(string pattern) =>
        pattern.TrimStart('/') switch
        {
            var p when p.StartsWith("events/{id}", StringComparison.Ordinal) => ("event", "events"),
            var p when p.StartsWith("entities/{id}", StringComparison.Ordinal) => ("entity", "entities"),
            var p when p.StartsWith("sources/{id}", StringComparison.Ordinal) => ("source", "sources"),
            _ => null,
        };

    private static int? StatusOf(object? result)
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        return result is IStatusCodeHttpResult { StatusCode: { } status } ? status : null;
    }

    /// <summary>301 with the Location of the current id, and a small problem-style body saying so.</summary>
    private sealed class MovedPermanently(string location, string resource, string formerId, string currentId) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            httpContext.Response.Headers.Location = location;
            return httpContext.Response.WriteAsJsonAsync(
                new FormerIdMoved(
                    "Moved Permanently",
                    301,
                    $"'{formerId}' is a former id of the {resource} '{currentId}'; it is now at {location}.",
                    currentId,
                    location),
                options: null,
                contentType: "application/problem+json");
        }
    }
}

/// <summary>The body of a 301 from a former id: the problem-details shape, with the current id and where it is.</summary>
/// <param name="Title">Moved Permanently.</param>
/// <param name="Status">301.</param>
/// <param name="Detail">Which record the former id now names.</param>
/// <param name="CurrentId">The record's current id.</param>
/// <param name="Location">Where the record is now (as the Location header).</param>
public sealed record FormerIdMoved(string Title, int Status, string Detail, string CurrentId, string Location);

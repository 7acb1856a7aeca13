using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;

namespace Timeline.Api.Paging;

/// <summary>RFC 8288 Link headers for keyset pages.</summary>
public static class PageLinks
{
    /// <summary>Adds <c>Link: &lt;path?query&amp;cursor=...&gt;; rel="next"</c>, keeping every other parameter as the client sent it.</summary>
    public static void AddNext(HttpContext context, string? nextCursor)
    {
        if (nextCursor is null)
        {
            return;
        }

        var query = new QueryBuilder();
        foreach (var (key, values) in context.Request.Query)
        {
            if (string.Equals(key, "cursor", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var value in values)
            {
                query.Add(key, value ?? string.Empty);
            }
        }

        query.Add("cursor", nextCursor);
        var target = $"{context.Request.PathBase}{context.Request.Path}{query}";
        context.Response.Headers.Append("Link", new StringValues($"<{target}>; rel=\"next\""));
    }
}

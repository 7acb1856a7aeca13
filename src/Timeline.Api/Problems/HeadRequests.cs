namespace Timeline.Api.Problems;

/// <summary>
/// HEAD is answered wherever GET is (RFC 9110): the request runs as a GET, its headers are sent, and its
/// body is dropped.
/// </summary>
public sealed class HeadRequests(RequestDelegate next)
{
    private static readonly object Marker = new();

    /// <summary>Whether the request came as a HEAD (it runs as a GET): answers that cost a lot to make, such as whole-store exports, send their headers only.</summary>
    public static bool IsHead(HttpContext context) =>
        HttpMethods.IsHead(context.Request.Method) || context.Items.ContainsKey(Marker);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }

        context.Request.Method = HttpMethods.Get;
        context.Items[Marker] = true;
        var body = context.Response.Body;
        context.Response.Body = Stream.Null;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
            context.Request.Method = HttpMethods.Head;
        }
    }
}

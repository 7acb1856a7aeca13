namespace Timeline.Api.Exports;

/// <summary>A response body written straight to the response stream, so an export never sits whole in memory.</summary>
public sealed class StreamedResult(string contentType, string? fileName, Func<Stream, CancellationToken, Task> write) : IResult
{
    public string ContentType { get; } = contentType;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        if (fileName is not null)
        {
            httpContext.Response.Headers.ContentDisposition = $"inline; filename=\"{fileName}\"";
        }

        if (HttpMethods.IsHead(httpContext.Request.Method))
        {
            return;
        }

        var gate = httpContext.RequestServices.GetRequiredService<ExportGate>();
        try
        {
            await gate.RunAsync(() => write(httpContext.Response.Body, httpContext.RequestAborted), httpContext.RequestAborted);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client left while the export waited for its turn or streamed: nobody is there to answer.
        }
    }
}

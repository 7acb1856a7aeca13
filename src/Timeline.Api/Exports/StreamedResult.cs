using System.Globalization;
using Microsoft.Extensions.Options;
using Timeline.Api.Operations;

namespace Timeline.Api.Exports;

/// <summary>
/// A whole-store answer written straight to the response as it is read, so it never sits whole in memory. It streams
/// only once it has an export slot (<see cref="ExportGate"/>): without one in time it is a 503 problem with
/// Retry-After. Its body is an <see cref="ExportBodyStream"/>, so a client that stops reading or reads too slowly is dropped.
/// A bounded answer (<paramref name="bounded"/>: the Atom feed's 50 newest changes) costs what a list does and takes no
/// slot, so clients holding every slot with whole-store exports never hold up a feed reader.
/// </summary>
public sealed class StreamedResult(string contentType, string? fileName, Func<Stream, CancellationToken, Task> write, bool bounded = false) : IResult
{
    public string ContentType { get; } = contentType;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        if (Problems.HeadRequests.IsHead(httpContext))
        {
            // Headers only: a HEAD takes no export slot and reads nothing from the store.
            WriteHeaders(httpContext);
            return;
        }

        var services = httpContext.RequestServices;
        var gate = services.GetRequiredService<ExportGate>();
        var limits = services.GetRequiredService<IOptions<OperationsOptions>>().Value.Limits;
        var cancellationToken = httpContext.RequestAborted;

        // Waiting for a slot is bounded; a client that leaves (or a request timeout) ends the wait with a cancellation,
        // which the request timeout answers with a 504 and the problem handler logs as a client that went away.
        using var slot = bounded ? null : await gate.EnterAsync(ClientIdentity.Of(httpContext), cancellationToken);
        if (slot is null && !bounded)
        {
            var retryAfter = Math.Max(1, (int)Math.Ceiling(gate.QueueTimeout.TotalSeconds));
            httpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            await Problem.WriteAsync(
                httpContext,
                StatusCodes.Status503ServiceUnavailable,
                "Every export slot is taken",
                $"At most {limits.ConcurrentExports} exports stream at once, one per client, and none became free within {gate.QueueTimeout.TotalSeconds:0} seconds; try again in {retryAfter} seconds.");
            return;
        }

        WriteHeaders(httpContext);
        var body = new ExportBodyStream(httpContext.Response.Body, httpContext, TimeSpan.FromSeconds(limits.ExportWriteTimeoutSeconds), limits.ExportMinBytesPerSecond);
        try
        {
            await write(body, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && httpContext.Response.HasStarted)
        {
            // The client left while the export streamed: nobody is there to answer.
        }
        catch (ExportClientTooSlowException tooSlow)
        {
            // The answer has begun (a status cannot change any more): the connection is dropped, so the client sees a cut body.
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Timeline.Api.Exports")
                .LogWarning("Export {Path} dropped after {Bytes} bytes: {Reason}", httpContext.Request.Path.Value, body.BytesWritten, tooSlow.Message);
            httpContext.Abort();
        }
    }

    private void WriteHeaders(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        if (fileName is not null)
        {
            httpContext.Response.Headers.ContentDisposition = $"inline; filename=\"{fileName}\"";
        }
    }
}

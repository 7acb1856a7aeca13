using Microsoft.AspNetCore.Diagnostics;
using Timeline.Api.Operations;

namespace Timeline.Api.Problems;

/// <summary>One error shape for everything: RFC 9457 problem details, never a stack trace or SQL text.</summary>
public static class ProblemsSetup
{
    public static IServiceCollection AddTimelineProblems(this IServiceCollection services)
    {
        // Registered before AddProblemDetails' own writer, so every problem is JSON whatever the Accept header.
        services.AddSingleton<IProblemDetailsWriter, JsonProblemWriter>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
        });
        services.AddExceptionHandler<SafeExceptionHandler>();
        return services;
    }

    public static WebApplication UseTimelineProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context.HttpContext });
        });
        return app;
    }
}

/// <summary>Turns any exception into a problem that says what the client can know and nothing more; the details go to the log.</summary>
public sealed class SafeExceptionHandler(IProblemDetailsService problems, ILogger<SafeExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        int status;
        string title;
        string detail;
        switch (exception)
        {
            case BadHttpRequestException bad:
                status = bad.StatusCode;
                (title, detail) = status == StatusCodes.Status413PayloadTooLarge
                    ? ("Request body too large", "The request body is larger than this endpoint accepts.")
                    : ("Bad request", "The request could not be read.");
                logger.LogInformation("Bad request {Path}: {Message}", LogText.Neutralise(httpContext.Request.Path.Value), LogText.Neutralise(bad.Message));
                break;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                status = 499;
                title = "Client closed request";
                detail = "The client went away.";
                break;
            case var full when Failure(httpContext, full) == StoreFailure.OutOfSpace:
                // The store's volume (or the backup's) is full: nothing was written (the transaction rolled back),
                // and the same request will succeed once there is room. Readiness reports it meanwhile.
                status = StatusCodes.Status507InsufficientStorage;
                title = "Out of storage space";
                detail = "The server has no space left to store this change, so nothing was written. Reads go on; try again once the operator has freed space.";
                httpContext.Response.Headers.RetryAfter = "60";
                httpContext.RequestServices.GetRequiredService<IStoreHealth>().ReportOutOfSpace();
                logger.LogError("Out of storage space on {Method} {Path}: {Error}", LogText.Neutralise(httpContext.Request.Method), LogText.Neutralise(httpContext.Request.Path.Value), exception.Message);
                break;
            case var busy when Failure(httpContext, busy) == StoreFailure.Busy:
                status = StatusCodes.Status503ServiceUnavailable;
                title = "Store busy";
                detail = "The store is busy; try again shortly.";
                httpContext.Response.Headers.RetryAfter = "1";
                logger.LogWarning(exception, "Store busy on {Path}", LogText.Neutralise(httpContext.Request.Path.Value));
                break;
            case var unreachable when Failure(httpContext, unreachable) == StoreFailure.Unavailable:
                // The database could not be reached (a replica's PostgreSQL down, restarting or refusing connections):
                // the request did nothing, and a proxy can send the next one to another replica.
                status = StatusCodes.Status503ServiceUnavailable;
                title = "Store unavailable";
                detail = "The store's database cannot be reached at the moment, so nothing was read or written; try again shortly.";
                httpContext.Response.Headers.RetryAfter = "5";
                logger.LogError(exception, "Store unavailable on {Method} {Path}", LogText.Neutralise(httpContext.Request.Method), LogText.Neutralise(httpContext.Request.Path.Value));
                break;
            default:
                status = StatusCodes.Status500InternalServerError;
                title = "Internal error";
                detail = "The server failed to answer this request. It has been logged with the traceId below.";
                logger.LogError(exception, "Unhandled exception on {Method} {Path}", LogText.Neutralise(httpContext.Request.Method), LogText.Neutralise(httpContext.Request.Path.Value));
                break;
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>What the store makes of the exception.</summary>
    private static StoreFailure Failure(HttpContext context, Exception exception) =>
        context.RequestServices.GetService<IStoreHealth>()?.Classify(exception) ?? StoreFailure.None;
}

/// <summary>Writes every problem as application/problem+json, even for clients that did not ask for JSON.</summary>
public sealed class JsonProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrase(problem.Status.Value);
        problem.Type ??= problem.Status.Value switch
        {
            StatusCodes.Status404NotFound => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
            StatusCodes.Status405MethodNotAllowed => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
            StatusCodes.Status500InternalServerError => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
            _ => "about:blank",
        };
        problem.Instance ??= http.Request.Path;
        problem.Extensions.TryAdd("traceId", http.TraceIdentifier);
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), options: null, contentType: "application/problem+json", http.RequestAborted));
    }

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}

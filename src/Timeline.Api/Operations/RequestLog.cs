using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Timeline.Api.Operations;

/// <summary>
/// One structured log line per request, written when it ends: method, route template (the endpoint's pattern,
/// such as /events/{id}, so lines group by route and carry no ids or query text), path, status, duration in
/// milliseconds, the client's address (after trusted forwarded headers) and the API key's name when one was
/// used. Values the client chose (method, path) are neutralised (<see cref="LogText"/>), so no request can forge a
/// log line or reach the console with escape codes. Category "Timeline.Api.Requests", level Information: Logging:LogLevel:Timeline.Api.Requests sets it.
/// </summary>
public sealed class RequestLog(RequestDelegate next, ILoggerFactory loggers)
{
    public const string Category = "Timeline.Api.Requests";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            await next(context);
            return;
        }

        // The exception handler clears the endpoint before it writes its problem; remember the route it had.
        var endpoint = new RememberedEndpoint(context.Features.Get<IEndpointFeature>());
        context.Features.Set<IEndpointFeature>(endpoint);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (endpoint.Matched as RouteEndpoint)?.RoutePattern.RawText;
            _logger.LogInformation(
                "HTTP {Method} {Route} {Path} responded {Status} in {DurationMs} ms for {Client} {Key}",
                LogText.Neutralise(context.Request.Method),
                route is null ? "(no route)" : "/" + route.TrimStart('/'),
                LogText.Neutralise(context.Request.Path.Value),
                context.Response.StatusCode,
                Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3),
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                context.User.Identity?.IsAuthenticated == true ? LogText.Neutralise(context.User.Identity.Name) : "-");
        }
    }

    /// <summary>The endpoint feature, remembering the last endpoint routing chose even after it is cleared.</summary>
    private sealed class RememberedEndpoint(IEndpointFeature? inner) : IEndpointFeature
    {
        private Endpoint? _endpoint = inner?.Endpoint;

        public Endpoint? Matched { get; private set; } = inner?.Endpoint;

        public Endpoint? Endpoint
        {
            get => _endpoint;
            set
            {
                _endpoint = value;
                if (inner is not null)
                {
                    inner.Endpoint = value;
                }

                if (value is not null)
                {
                    Matched = value;
                }
            }
        }
    }
}

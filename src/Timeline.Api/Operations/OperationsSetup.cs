using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Timeline.Store.Sqlite;

namespace Timeline.Api.Operations;

/// <summary>
/// Running the API in production: limits, rate limits, timeouts, forwarded headers, CORS, security headers,
/// request logs, metrics, graceful shutdown, backups. Program.cs calls the four methods here.
/// </summary>
public static class OperationsSetup
{
    /// <summary>The services and server settings.</summary>
    public static WebApplicationBuilder AddTimelineOperations(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OperationsOptions>()
            .Bind(builder.Configuration.GetSection(TimelineOptions.Section))
            .Configure<IConfiguration>((options, configuration) =>
            {
                // One comma-separated value (Timeline__KnownProxies=10.0.0.2,10.0.0.3) as well as a list (__0, __1).
                var section = configuration.GetSection(TimelineOptions.Section);
                options.KnownProxies.AddRange(section[nameof(OperationsOptions.KnownProxies)] is { Length: > 0 } proxies ? [proxies] : []);
                options.KnownNetworks.AddRange(section[nameof(OperationsOptions.KnownNetworks)] is { Length: > 0 } networks ? [networks] : []);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<OperationsOptions>, OperationsOptionsValidator>();

        // Logs: one JSON object per line on the console, unless Logging:Console:FormatterName chooses another
        // formatter (simple, systemd); levels from Logging:LogLevel as ever.
        if (string.IsNullOrEmpty(builder.Configuration["Logging:Console:FormatterName"]))
        {
            services.Configure<ConsoleLoggerOptions>(console => console.FormatterName = ConsoleFormatterNames.Json);
        }

        services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            if (json.TimestampFormat is null)
            {
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.UseUtcTimestamp = true;
            }
        });

        // Kestrel's limits, and a stop that lets in-flight requests finish.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<OperationsOptions>>((kestrel, options) =>
        {
            var limits = options.Value.Limits;
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalBytes;
            kestrel.Limits.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
            kestrel.Limits.MaxRequestLineSize = limits.MaxRequestLineBytes;
        });
        services.AddOptions<HostOptions>().Configure<IOptions<OperationsOptions>>((host, options) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(options.Value.ShutdownTimeoutSeconds));

        // X-Forwarded-For and -Proto, believed only from the configured proxies. ASP.NET Core reads empty
        // KnownProxies and KnownIPNetworks as "believe every peer", so with none configured the middleware is told
        // to process no header at all: the client is the connection's peer and the scheme the connection's own.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<OperationsOptions>>((forwarded, options) =>
        {
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in options.Value.ParsedProxies())
            {
                forwarded.KnownProxies.Add(proxy);
            }

            foreach (var network in options.Value.ParsedNetworks())
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            forwarded.ForwardedHeaders = forwarded.KnownProxies.Count + forwarded.KnownIPNetworks.Count > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
        });

        // AllowedHosts is enforced by EdgeGuards, with a problem like every other refusal; ASP.NET Core's own host
        // filter (which answers with an HTML page, before the app's error handling) is left with nothing to refuse.
        services.PostConfigure<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>(hosts => hosts.AllowedHosts = ["*"]);

        // Reads from any origin; writes from none (EdgeGuards refuses them, and preflight never allows them).
        services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .AllowAnyOrigin()
            .WithMethods(HttpMethods.Get, HttpMethods.Head)
            .AllowAnyHeader()
            .WithExposedHeaders("ETag", "Last-Modified", "Link", "Retry-After", "Location")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));

        services.AddTimelineRateLimits();
        services.AddTimelineOperationsOpenApi();

        // Every request has a time limit; a query still running when it passes is interrupted (ConnectionHooks).
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<OperationsOptions>>((timeouts, options) =>
        {
            var seconds = options.Value.Limits.RequestTimeoutSeconds;
            if (seconds > 0)
            {
                timeouts.DefaultPolicy = new RequestTimeoutPolicy
                {
                    Timeout = TimeSpan.FromSeconds(seconds),
                    TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
                    WriteTimeoutResponse = async context =>
                    {
                        // RequestAborted is still the timed-out token here: the problem is written without it.
                        var timedOut = context.RequestAborted;
                        context.RequestAborted = CancellationToken.None;
                        try
                        {
                            await Problem.WriteAsync(
                                context,
                                StatusCodes.Status504GatewayTimeout,
                                "Request timed out",
                                $"The request took longer than the {seconds} seconds the server allows, and was stopped.");
                        }
                        finally
                        {
                            context.RequestAborted = timedOut;
                        }
                    },
                };
            }
        });

        // Metrics and traces (OpenTelemetry: /metrics, and OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set), and the current
        // request's cancellation for the store (which stops the statements of requests gone away).
        builder.AddTimelineTelemetry();
        services.AddHttpContextAccessor();
        services.AddSingleton<Timeline.Model.Store.IAmbientCancellation, RequestCancellation>();
        return builder;
    }

    /// <summary>First in the pipeline: forwarded headers, the request log, security headers, CORS, and the edge refusals.</summary>
    public static WebApplication UseTimelineEdge(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<RequestLog>();
        app.UseMiddleware<SecurityHeaders>();
        app.UseCors();
        app.UseMiddleware<EdgeGuards>();
        return app;
    }

    /// <summary>
    /// Between authentication (so a valid key is its own client) and authorization (so a write refused for its key,
    /// 401 or 403, counts against the client's write allowance): body limits, rate limits and the request timeout.
    /// </summary>
    public static WebApplication UseTimelineGuards(this WebApplication app)
    {
        app.UseMiddleware<BodyLimitGuard>();
        app.UseRateLimiter();
        app.UseRequestTimeouts();
        app.UseMiddleware<InterruptedQueries>();
        return app;
    }
}

/// <summary>Names every problem with the operations settings at startup, rather than failing on first use.</summary>
public sealed class OperationsOptionsValidator : IValidateOptions<OperationsOptions>
{
    public ValidateOptionsResult Validate(string? name, OperationsOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

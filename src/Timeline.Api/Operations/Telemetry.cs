using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Timeline.Api.Operations;

/// <summary>
/// Metrics and traces on OpenTelemetry, the .NET standard: the meters of ASP.NET Core (requests, rate limiting,
/// exceptions, authentication, authorization), of Kestrel (connections), of the runtime (GC, memory, thread pool), of the
/// API (<see cref="OperationsMetrics.MeterName"/>) and of the store (<see cref="StoreTelemetry.MeterName"/>), read by the
/// Prometheus exporter at GET /metrics; and, when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (environment or
/// configuration), the same metrics, the traces of requests and of the store's statements
/// (<see cref="StoreTelemetry.ActivitySourceName"/>), and the logs, sent by OTLP. Without it nothing is traced and nothing
/// leaves the process.
/// </summary>
public static class Telemetry
{
    /// <summary>The variable that switches OTLP export on (its signal-specific siblings then override it per signal).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Meters that each host makes through its own <see cref="IMeterFactory"/>.</summary>
    private static readonly string[] ApplicationMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        OperationsMetrics.MeterName,
        StoreTelemetry.MeterName,
    ];

    public static WebApplicationBuilder AddTimelineTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<OperationsMetrics>();
        builder.Services.AddSingleton<StoreGauges>();
        builder.Services.AddSingleton<PrometheusScrape>();

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        var telemetry = builder.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(ApplicationMeters).AddRuntimeInstrumentation();
            ((IDeferredMeterProviderBuilder)metrics).Configure((services, provider) =>
            {
                // Meters are process-wide: a meter provider listens to every meter of a name, whoever made it. The
                // application's meters come from its own meter factory, so another host's in the same process (as in
                // the tests) are told apart by theirs, and dropped.
                var own = services.GetRequiredService<IMeterFactory>();
                provider.AddView(instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own)
                    ? MetricStreamConfiguration.Drop
                    : null);

                // The store's gauges exist once they are made.
                services.GetRequiredService<StoreGauges>();
            });
            metrics.AddPrometheusExporter(prometheus =>
            {
                // Every scrape collects anew: a scraper comes every few seconds at most, and a cached answer would
                // show a request made just before the scrape as not made yet.
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;

                // The resource (service name, instance, SDK) is for OTLP's consumers; the scrape keeps what it had.
                prometheus.TargetInfoEnabled = false;
            });
        });

        if (otlp)
        {
            // ASP.NET Core's activity source is process-wide too: only this host's requests are traced (a host's request
            // services answer with its own TelemetryHost), and neither probes nor scrapes. A statement is traced when its
            // request is (the default sampler follows the parent).
            builder.Services.AddSingleton<TelemetryHost>();
            builder.Services.AddOptions<AspNetCoreTraceInstrumentationOptions>().Configure<TelemetryHost>((requests, host) =>
                requests.Filter = context => ReferenceEquals(context.RequestServices.GetService<TelemetryHost>(), host) && !RateLimits.IsExempt(context.Request.Path));
            telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddSource(StoreTelemetry.ActivitySourceName));
            telemetry.UseOtlpExporter();
        }

        return builder;
    }
}

/// <summary>This host, told apart from other hosts in the same process by its own instance.</summary>
public sealed class TelemetryHost;

/// <summary>GET /metrics: the OpenTelemetry Prometheus exporter's answer, from this application's meter provider.</summary>
public sealed class PrometheusScrape
{
    private readonly RequestDelegate _exporter;

    public PrometheusScrape(IServiceProvider services)
    {
        // The exporter is a middleware (internal to its package) meant for a branch of its own; here it is the whole of a
        // small pipeline, so that /metrics stays an ordinary endpoint: GET only, documented, behind the same guards.
        var pipeline = new ApplicationBuilder(services);
        pipeline.UseOpenTelemetryPrometheusScrapingEndpoint(
            services.GetRequiredService<MeterProvider>(),
            predicate: _ => true,
            path: null,
            configureBranchedPipeline: null,
            optionsName: null);
        _exporter = pipeline.Build();
    }

    /// <summary>Writes the scrape: the text format (0.0.4), or OpenMetrics when the scraper's Accept asks for it.</summary>
    public Task WriteAsync(HttpContext context) => _exporter(context);
}

using Timeline.Api;
using Timeline.Api.Auth;
using Timeline.Api.Caching;
using Timeline.Api.Categories;
using Timeline.Api.Curation;
using Timeline.Model.Dataset;
using Timeline.Api.Entities;
using Timeline.Api.Events;
using Timeline.Api.Health;
using Timeline.Api.OpenApi;
using Timeline.Api.Operations;
using Timeline.Api.Problems;
using Timeline.Api.Redirects;
using Timeline.Api.Search;
using Timeline.Api.Sources;
using Timeline.Api.TimelinePage;
using Timeline.Api.Vocabulary;

// Command words and their operands (import FILE, ...) are not configuration; everything else is.
// The content root is where the app is built (appsettings.json beside the binaries), whatever the working
// directory: `dotnet run` starts in the repository root so that the data/ paths resolve there.
var configurationArgs = Cli.ConfigurationArguments(args);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = configurationArgs,
    ContentRootPath = configurationArgs.Any(a => a.Contains("contentRoot", StringComparison.OrdinalIgnoreCase))
        || Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is not null
        ? null
        : AppContext.BaseDirectory,
});

// The store (SQLite, migrated and seeded at startup) and the features that query it.
builder.Services.AddTimelineStore(builder.Configuration);
builder.Services.AddTimelineFeatures();

// Reads are anonymous; writes need an API key (Authorization: Bearer), configured as SHA-256 hashes.
builder.Services.AddTimelineAuth(builder.Configuration);

// One error shape: RFC 9457 problem details.
builder.Services.AddTimelineProblems();

// The OpenAPI document and Swagger UI.
builder.Services.AddTimelineOpenApi();

// Operations: limits, rate limits, timeouts, proxies, CORS, logs, metrics, graceful shutdown, backups.
builder.AddTimelineOperations();

var app = builder.Build();

// Command-line commands (reseed, validate) run instead of the server.
if (await Cli.TryRunAsync(app, args) is { } exitCode)
{
    return exitCode;
}

// Forwarded headers from known proxies, one log line per request, security headers, CORS, edge refusals.
app.UseTimelineEdge();

// HEAD runs as GET (before routing picks an endpoint); errors are problem details.
app.UseMiddleware<HeadRequests>();
app.UseTimelineProblems();
app.UseTimelineOpenApi();
app.UseRouting();
app.UseAuthentication();

// Body size, rate limits (per API key or address) and the request timeout: after authentication, so a valid key is
// its own client, and before authorization, so refused writes (a bad key's 401, a missing role's 403) use up the
// client's write allowance like any other write.
app.UseTimelineGuards();
app.UseAuthorization();

// Every read answers with an ETag and Last-Modified, and If-None-Match gets 304.
app.UseMiddleware<ConditionalGets>();

// The routes, one group per feature; every endpoint refuses query parameters it does not declare.
// The 400 that refusal is, documented on each of them (an endpoint's own 400, where it has one, says more).
var api = app.MapGroup(string.Empty).AddEndpointFilterFactory(QueryParameterGuard.Create)
    .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));

// A GET of a renamed record's former id (or of its sub-resources) answers 301 to its current id.
api.AddEndpointFilter(FormerIdRedirects.Filter);
api.MapEvents();
api.MapEntities();
api.MapSources();
api.MapCategories();
api.MapRolesAndKinds();
api.MapSearch();
api.MapHealth();
api.MapCuration();
api.MapEventMerge();
api.MapHistory();
api.MapImportExport();
api.MapOperations();

// The timeline page for people (HTML over the same API); its view lives in its query string, so it is not guarded.
app.MapTimelinePage();

// A dataset that fails validation stops startup here, its problems logged, with nothing written.
var hostedByTests = Cli.HostedByTests(app);
try
{
    await app.RunAsync();
    return 0;
}
catch (DatasetValidationException ex) when (!hostedByTests)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;

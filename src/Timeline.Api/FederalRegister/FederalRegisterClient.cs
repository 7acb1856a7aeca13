using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Timeline.Api.FederalRegister;

/// <summary>What to ask the Federal Register's documents search for (its <c>conditions[...]</c> parameters).</summary>
/// <param name="Agencies">Agency slugs (conditions[agencies][]), such as industry-and-security-bureau.</param>
/// <param name="Term">Full-text search terms (conditions[term]), or null.</param>
/// <param name="Since">Published on or after this day, YYYY-MM-DD (conditions[publication_date][gte]), or null.</param>
/// <param name="Until">Published on or before this day, YYYY-MM-DD (conditions[publication_date][lte]), or null.</param>
/// <param name="Types">Document types (conditions[type][]): RULE, PRORULE, NOTICE, PRESDOCU.</param>
/// <param name="PerPage">Documents per page (per_page), 1 to 1000.</param>
public sealed record FederalRegisterQuery(
    IReadOnlyList<string> Agencies, string? Term, string? Since, string? Until, IReadOnlyList<string> Types, int PerPage)
{
    /// <summary>The API the command asks unless told otherwise.</summary>
    public const string DefaultApi = "https://www.federalregister.gov/api/v1/";

    /// <summary>The document fields requested (fields[]): what a source keeps, and where its raw text is.</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        "document_number", "citation", "title", "type", "abstract", "action", "dates", "publication_date",
        "effective_on", "agencies", "html_url", "raw_text_url",
    ];

    /// <summary>The first page's URL: documents.json under <paramref name="api"/>, oldest first.</summary>
    public string FirstPageUrl(string api)
    {
        var query = new StringBuilder();
        void Add(string name, string value) =>
            query.Append(query.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));

        foreach (var agency in Agencies)
        {
            Add("conditions[agencies][]", agency);
        }

        if (!string.IsNullOrWhiteSpace(Term))
        {
            Add("conditions[term]", Term);
        }

        if (Since is not null)
        {
            Add("conditions[publication_date][gte]", Since);
        }

        if (Until is not null)
        {
            Add("conditions[publication_date][lte]", Until);
        }

        foreach (var type in Types)
        {
            Add("conditions[type][]", type);
        }

        Add("per_page", PerPage.ToString(CultureInfo.InvariantCulture));
        Add("order", "oldest");
        foreach (var field in Fields)
        {
            Add("fields[]", field);
        }

        return api.TrimEnd('/') + "/documents.json" + query;
    }
}

/// <summary>
/// The Federal Register API over HTTP: one request at a time, with a User-Agent, and retries on 408, 429 and 5xx
/// answers and network failures (Microsoft.Extensions.Http.Resilience: exponential back-off with jitter, honouring
/// Retry-After), each retry announced on the output.
/// </summary>
public sealed class FederalRegisterClient(HttpClient http)
{
    /// <summary>
    /// An HttpClient for the API with its resilience pipeline: up to <paramref name="retries"/> retries, the first after
    /// <paramref name="firstDelay"/>, each attempt limited to 60 s. <paramref name="primary"/> replaces the network
    /// handler (the tests' stub).
    /// </summary>
    public static (FederalRegisterClient Client, IDisposable Lifetime) Create(TextWriter output, HttpMessageHandler? primary = null, TimeSpan? firstDelay = null, int retries = 5)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddHttpClient("federal-register", client =>
        {
            client.Timeout = TimeSpan.FromMinutes(5);
            client.DefaultRequestHeaders.UserAgent.ParseAdd("timeline-federal-register-import/1.0");
            client.DefaultRequestHeaders.Accept.ParseAdd("application/json, text/plain;q=0.9, */*;q=0.5");
        });
        if (primary is not null)
        {
            builder.ConfigurePrimaryHttpMessageHandler(() => primary);
        }

        builder.AddResilienceHandler("federal-register", pipeline =>
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = firstDelay ?? TimeSpan.FromSeconds(2),
                ShouldRetryAfterHeader = true,
                OnRetry = args =>
                {
                    var why = args.Outcome.Result is { } response
                        ? $"{(int)response.StatusCode} {response.ReasonPhrase}"
                        : args.Outcome.Exception?.GetType().Name ?? "failure";
                    output.WriteLine($"  {why}; retrying in {args.RetryDelay.TotalSeconds:F1} s (retry {args.AttemptNumber + 1} of {retries})");
                    return ValueTask.CompletedTask;
                },
            });
            pipeline.AddTimeout(TimeSpan.FromSeconds(60));
        });

        var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("federal-register");
        return (new FederalRegisterClient(client), provider);
    }

    /// <summary>The bytes at <paramref name="url"/>, or null when it answers 404 or 410; other failures throw once retries are spent.</summary>
    public async Task<byte[]?> GetBytesAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new FederalRegisterException($"{url}: answered {(int)response.StatusCode} {response.ReasonPhrase} (after retries).");
        }

        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }
}

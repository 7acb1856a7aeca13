using System.Net;

namespace Timeline.Api.Operations;

/// <summary>
/// The operational settings, read from the same "Timeline" section as <see cref="TimelineOptions"/>
/// (environment: Timeline__KnownProxies__0, Timeline__RateLimits__ReadsPerWindow, Timeline__Limits__MaxRequestBodyBytes, ...).
/// </summary>
public sealed class OperationsOptions
{
    /// <summary>
    /// Addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed. Empty (the
    /// default): forwarded headers are ignored and the client is the connection's peer. Entries may also be
    /// given as one comma-separated value.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, such as 172.18.0.0/16) whose proxies are believed, as <see cref="KnownProxies"/>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>
    /// The address clients reach the API at (https://timeline.example.org, or with a path: https://example.org/timeline),
    /// from which every absolute URL in an answer is made (the links of the CSV, iCalendar, Atom and TimelineJS exports).
    /// Unset: the request's own scheme and Host header, which any client can set, so set it wherever the API is public.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary><see cref="PublicBaseUrl"/> without a trailing slash, or null when unset.</summary>
    public string? ParsedPublicBaseUrl() =>
        PublicBaseUrl is { Length: > 0 } configured ? configured.Trim().TrimEnd('/') : null;

    /// <summary>How long a stopping server lets in-flight requests finish before it closes them, in seconds.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    public RateLimitOptions RateLimits { get; set; } = new();

    public RequestLimitOptions Limits { get; set; } = new();

    /// <summary>The proxies, parsed; entries may be comma-separated.</summary>
    public IReadOnlyList<IPAddress> ParsedProxies() =>
        Split(KnownProxies).Select(IPAddress.Parse).ToList();

    /// <summary>The proxy networks, parsed.</summary>
    public IReadOnlyList<IPNetwork> ParsedNetworks() =>
        Split(KnownNetworks).Select(n => IPNetwork.Parse(n)).ToList();

    /// <summary>Every problem with the settings, for the start-up check.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var proxy in Split(KnownProxies).Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return $"Timeline:KnownProxies: '{proxy}' is not an IP address.";
        }

        foreach (var network in Split(KnownNetworks).Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return $"Timeline:KnownNetworks: '{network}' is not a network in CIDR notation (such as 10.0.0.0/8).";
        }

        if (PublicBaseUrl is { Length: > 0 } publicBase
            && (!Uri.TryCreate(publicBase.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0))
        {
            yield return $"Timeline:PublicBaseUrl: '{publicBase}' is not an absolute http or https URL without query, fragment or user name (such as https://timeline.example.org).";
        }

        if (ShutdownTimeoutSeconds < 0)
        {
            yield return "Timeline:ShutdownTimeoutSeconds must be 0 or more.";
        }

        if (RateLimits.ReadsPerWindow < 0 || RateLimits.WritesPerWindow < 0)
        {
            yield return "Timeline:RateLimits: ReadsPerWindow and WritesPerWindow must be 0 (no limit) or more.";
        }

        if (RateLimits.WindowSeconds < 1)
        {
            yield return "Timeline:RateLimits:WindowSeconds must be at least 1.";
        }

        if (Limits.MaxRequestBodyBytes < 1 || Limits.MaxQueryStringLength < 1 || Limits.MaxRequestHeadersTotalBytes < 1
            || Limits.MaxRequestHeaderCount < 1 || Limits.MaxRequestLineBytes < 1)
        {
            yield return "Timeline:Limits: every size limit must be at least 1.";
        }

        if (Limits.RequestTimeoutSeconds < 0)
        {
            yield return "Timeline:Limits:RequestTimeoutSeconds must be 0 (no timeout) or more.";
        }

        if (Limits.ConcurrentExports < 0)
        {
            yield return "Timeline:Limits:ConcurrentExports must be 0 (no limit) or more.";
        }

        if (Limits.ExportQueueSeconds < 0 || Limits.ExportWriteTimeoutSeconds < 1 || Limits.ExportMinBytesPerSecond < 0)
        {
            yield return "Timeline:Limits: ExportQueueSeconds must be 0 or more, ExportWriteTimeoutSeconds at least 1, ExportMinBytesPerSecond 0 (no minimum) or more.";
        }
    }

    private static IEnumerable<string> Split(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>
/// Requests per client per fixed window (Timeline:RateLimits). A client is its API key when it sends a valid
/// one, otherwise its address. Reads are GET, HEAD and OPTIONS; every other method is a write. 0 turns a limit off.
/// Health probes and /metrics are never limited.
/// </summary>
public sealed class RateLimitOptions
{
    public int ReadsPerWindow { get; set; } = 600;

    public int WritesPerWindow { get; set; } = 60;

    public int WindowSeconds { get; set; } = 60;
}

/// <summary>Sizes and times a request may take (Timeline:Limits).</summary>
public sealed class RequestLimitOptions
{
    /// <summary>The largest request body, unless an endpoint raises it (as an import does).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The longest query string, in characters (with the leading '?'), as sent (percent-encoded). Kept under
    /// <see cref="MaxRequestLineBytes"/> so that a long query is answered with a problem, not Kestrel's bare 414;
    /// and over the 500-character limit of q even when every character is percent-encoded CJK (9 bytes each).
    /// </summary>
    public int MaxQueryStringLength { get; set; } = 6144;

    /// <summary>Kestrel: the total size of the request's headers.</summary>
    public int MaxRequestHeadersTotalBytes { get; set; } = 16 * 1024;

    /// <summary>Kestrel: how many headers a request may have.</summary>
    public int MaxRequestHeaderCount { get; set; } = 50;

    /// <summary>Kestrel: the longest request line (method, path, query and version).</summary>
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>How long a request may run, database queries included, before it is cancelled with a 504. 0: no limit.</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>How many whole-store exports stream at once, each client's one at a time; more wait their turn (bounded memory under a burst of exports). 0: no limit.</summary>
    public int ConcurrentExports { get; set; } = 2;

    /// <summary>How long an export may wait for its client's turn and a free slot before it is refused with a 503 and Retry-After.</summary>
    public int ExportQueueSeconds { get; set; } = 10;

    /// <summary>How long one write of an export to its client may take; a client that stops reading for longer is dropped.</summary>
    public int ExportWriteTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// The slowest a client may read an export, in bytes per second, measured over the last ExportWriteTimeoutSeconds the
    /// export spent waiting for the client (not while the server reads the store, nor writes the socket took at once). 0: no minimum.
    /// </summary>
    public int ExportMinBytesPerSecond { get; set; } = 32 * 1024;
}

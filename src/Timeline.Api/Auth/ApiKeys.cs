using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Timeline.Api.Auth;

/// <summary>A configured API key: who holds it, what it may do, and the SHA-256 of the key (never the key itself).</summary>
public sealed class ApiKeyEntry
{
    public string Name { get; set; } = string.Empty;

    /// <summary>editor (may change the timeline) or admin (may also import, back up and restore).</summary>
    public string Role { get; set; } = string.Empty;

    /// <summary>Lowercase hex SHA-256 of the key's UTF-8 bytes.</summary>
    public string Sha256 { get; set; } = string.Empty;
}

/// <summary>The roles and policies of the API.</summary>
public static class Roles
{
    public const string Editor = "editor";
    public const string Admin = "admin";
    public const string Scheme = "ApiKey";

    /// <summary>Policy: an editor or an admin key.</summary>
    public const string CanEdit = "can-edit";

    /// <summary>Policy: an admin key.</summary>
    public const string CanAdminister = "can-administer";
}

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against the configured key hashes
/// (Timeline:ApiKeys). The presented key is hashed and compared with every configured hash in constant
/// time, so neither the keys nor timing reveal which one is close.
/// </summary>
public sealed class ApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<ApiKeyOptions> keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header must be: Bearer <key>."));
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim()));
        ApiKeyEntry? match = null;
        foreach (var entry in keys.CurrentValue.Keys)
        {
            var expected = ApiKeyOptions.ParseHash(entry.Sha256);
            // Every entry is compared, match or not, so the time taken does not depend on which key matched.
            if (expected is not null && CryptographicOperations.FixedTimeEquals(presented, expected) && match is null)
            {
                match = entry;
            }
        }

        if (match is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, match.Name), new Claim(ClaimTypes.Role, match.Role)],
            Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"timeline\"";
        return WriteProblem(StatusCodes.Status401Unauthorized, "Authentication required", "Send an API key as 'Authorization: Bearer <key>'. Reads need none; writes do.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, "Not allowed", $"The key '{Context.User.Identity?.Name}' does not have the role this operation needs.");

    private async Task WriteProblem(int status, string title, string detail)
    {
        Response.StatusCode = status;
        var problems = Context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}

/// <summary>The configured keys (Timeline:ApiKeys).</summary>
public sealed class ApiKeyOptions
{
    public List<ApiKeyEntry> Keys { get; set; } = [];

    public static byte[]? ParseHash(string hex)
    {
        if (hex.Length != 64)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A new random key (256 bits, base64url) and its configuration entry.</summary>
    public static (string Key, ApiKeyEntry Entry) Create(string name, string role)
    {
        var key = "tl_" + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (key, new ApiKeyEntry
        {
            Name = name,
            Role = role,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))),
        });
    }
}

public static class ApiKeySetup
{
    public static IServiceCollection AddTimelineAuth(this IServiceCollection services, IConfiguration configuration)
    {
        // Read again whenever the configuration reloads (appsettings.json is watched): a key removed from the file,
        // or given another role, stops working as soon as the file is saved, without a restart.
        var section = configuration.GetSection("Timeline:ApiKeys");
        services.Configure<ApiKeyOptions>(o => o.Keys = section.Get<List<ApiKeyEntry>>() ?? []);
        services.AddSingleton<IOptionsChangeTokenSource<ApiKeyOptions>>(new ConfigurationChangeTokenSource<ApiKeyOptions>(section));
        services.AddAuthentication(Roles.Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(Roles.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.CanEdit, p => p.RequireAuthenticatedUser().RequireRole(Roles.Editor, Roles.Admin))
            .AddPolicy(Roles.CanAdminister, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        return services;
    }
}

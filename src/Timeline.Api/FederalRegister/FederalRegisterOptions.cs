using System.Globalization;

namespace Timeline.Api.FederalRegister;

/// <summary>The federal-register command's options: a saved folder, or the API query and how to run it.</summary>
public sealed record FederalRegisterOptions(string? From, FederalRegisterQuery Query, string Api, int? MaxPages, string? Save)
{
    /// <summary>The agency asked by default: the Bureau of Industry and Security (export controls, the Entity List).</summary>
    public const string DefaultAgency = "industry-and-security-bureau";

    /// <summary>Reads the command's arguments (after the command word); null with <paramref name="problem"/> when they are wrong.</summary>
    public static FederalRegisterOptions? Parse(IReadOnlyList<string> args, out string? problem)
    {
        var agencies = new List<string>();
        var types = new List<string>();
        string? from = null, term = null, since = null, until = null, save = null, api = null;
        int? maxPages = null;
        var perPage = 100;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                continue; // configuration such as Timeline:DatabasePath=... stands among the options
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[2..equals] : arg[2..];
            string? value = equals > 0 ? arg[(equals + 1)..] : i + 1 < args.Count ? args[++i] : null;
            if (value is null)
            {
                problem = $"--{name} needs a value";
                return null;
            }

            switch (name)
            {
                case "from": from = value; break;
                case "agency": agencies.Add(value); break;
                case "term": term = value; break;
                case "since" when IsDay(value): since = value; break;
                case "until" when IsDay(value): until = value; break;
                case "since" or "until":
                    problem = $"--{name} '{value}' is not a day YYYY-MM-DD";
                    return null;
                case "type": types.Add(value.ToUpperInvariant()); break;
                case "per-page" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1000: perPage = n; break;
                case "per-page":
                    problem = $"--per-page '{value}' is not a number from 1 to 1000";
                    return null;
                case "max-pages" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m >= 1: maxPages = m; break;
                case "max-pages":
                    problem = $"--max-pages '{value}' is not a positive number";
                    return null;
                case "save": save = value; break;
                case "api" when Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https": api = value; break;
                case "api":
                    problem = $"--api '{value}' is not an absolute http or https URL";
                    return null;
                default:
                    continue; // a configuration option (--Timeline:DatabasePath ...), not the command's
            }
        }

        problem = null;
        return new FederalRegisterOptions(
            from,
            new FederalRegisterQuery(agencies.Count == 0 ? [DefaultAgency] : agencies, term, since, until, types.Count == 0 ? ["RULE"] : types, perPage),
            api ?? FederalRegisterQuery.DefaultApi,
            maxPages,
            save);
    }

    private static bool IsDay(string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}

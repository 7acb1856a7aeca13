using System.Globalization;

namespace Timeline.Api.Operations;

/// <summary>The operations commands of the command line (see <see cref="Cli.Usage"/>): backup, restore and healthcheck.</summary>
public static class OperationsCli
{
    public static async Task<int> RunAsync(string command, WebApplication app, string[] args)
    {
        var operands = Operands(args, command);
        return command switch
        {
            "backup" => await BackupAsync(app, operands),
            "restore" => await RestoreAsync(app, operands),
            "healthcheck" => await HealthcheckAsync(app, operands),
            _ => 2,
        };
    }

    /// <summary>The arguments after the command that are not configuration (--key=value, or --key value).</summary>
    public static List<string> Operands(string[] args, string command) =>
        Split(args.SkipWhile(a => a != command).Skip(1).ToList()).Operands;

    /// <summary>The configuration arguments (--key=value, --key value, or key=value), wherever they stand.</summary>
    public static string[] Options(string[] args) => [.. Split(args).Options];

    private static (List<string> Options, List<string> Operands) Split(IReadOnlyList<string> args)
    {
        var options = new List<string>();
        var operands = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith('-'))
            {
                // key=value without dashes is configuration too (Timeline:DatabasePath=/data/x.db); a path is not.
                var equals = args[i].IndexOf('=', StringComparison.Ordinal);
                (equals > 0 && args[i].AsSpan(0, equals).IndexOfAny('/', '\\') < 0 ? options : operands).Add(args[i]);
                continue;
            }

            options.Add(args[i]);
            if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Count)
            {
                options.Add(args[++i]); // --key value: the value belongs to the option
            }
        }

        return (options, operands);
    }

    private static async Task<int> BackupAsync(WebApplication app, List<string> operands)
    {
        if (operands.Count != 1)
        {
            await Console.Error.WriteLineAsync("Usage: backup FILE");
            return 2;
        }

        try
        {
            var result = await app.Services.GetRequiredService<IStoreBackups>().BackupAsync(operands[0], CancellationToken.None);
            Console.WriteLine(
                $"Backed up to {result.FullPath}: {result.Bytes} bytes, SHA-256 {result.Sha256}, schema version {result.Store.SchemaVersion}, "
                + $"data version {result.Store.DataVersion}: {result.Store.Counts.Sources} sources, {result.Store.Counts.Entities} entities, {result.Store.Counts.Events} events.");
            return 0;
        }
        catch (StoreOperationException ex)
        {
            await Console.Error.WriteLineAsync("Backup refused: " + ex.Message);
            return 1;
        }
    }

    private static async Task<int> RestoreAsync(WebApplication app, List<string> operands)
    {
        if (operands.Count != 1)
        {
            await Console.Error.WriteLineAsync("Usage: restore FILE");
            return 2;
        }

        try
        {
            var result = await app.Services.GetRequiredService<IStoreBackups>().RestoreAsync(operands[0], CancellationToken.None);
            Console.WriteLine($"Restored {result.DatabasePath} from {Path.GetFullPath(operands[0])} (schema version {result.SchemaVersion}).");
            Console.WriteLine(result.PreviousStore is null ? "There was no store before." : $"The store it replaced is kept at {result.PreviousStore}.");
            return 0;
        }
        catch (StoreOperationException ex)
        {
            await Console.Error.WriteLineAsync("Restore refused: " + ex.Message);
            return 1;
        }
    }

    private static async Task<int> HealthcheckAsync(WebApplication app, List<string> operands)
    {
        var ports = (app.Configuration["HTTP_PORTS"] ?? string.Empty).Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var port = ports.Length > 0 && int.TryParse(ports[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first) ? first : 8080;
        var url = operands.FirstOrDefault() ?? $"http://127.0.0.1:{port}/health/ready";
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(new Uri(url));
            Console.WriteLine($"{url}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await Console.Error.WriteLineAsync($"{url}: {ex.Message}");
            return 1;
        }
    }
}

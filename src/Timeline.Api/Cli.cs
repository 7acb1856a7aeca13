using Timeline.Api.Dataset;
using Timeline.Api.Storage;

namespace Timeline.Api;

/// <summary>
/// Commands run instead of the server: <c>reseed</c> replaces the store's data with the dataset, and
/// <c>validate</c> checks the dataset without touching the store.
/// </summary>
public static class Cli
{
    public const string Usage =
        """
        Usage: dotnet run --project src/Timeline.Api [-- COMMAND]
          (no command)  serve the API; an empty store is seeded from Timeline:SeedPath
          reseed        replace every event, entity and source in the store with the dataset, in one transaction, and exit
          validate      check the dataset (quotes, dates, ids, vocabularies) without touching the store, and exit
          help, --help  print this text
        """;

    private static readonly HashSet<string> Commands = new(StringComparer.Ordinal) { "reseed", "validate", "help", "--help" };

    /// <summary>
    /// Whether the app runs inside the integration tests' in-memory server, which must see a failed
    /// startup as an exception rather than as an exit code.
    /// </summary>
    public static bool HostedByTests(WebApplication app) =>
        app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.GetType().Name == "TestServer";

    /// <summary>Runs the command named by the first argument, if any; returns its exit code, or null to serve.</summary>
    public static async Task<int?> TryRunAsync(WebApplication app, string[] args)
    {
        // A command may stand anywhere among the arguments; the rest (--urls ..., --Timeline:X=...) is configuration.
        var command = args.FirstOrDefault(a => Commands.Contains(a));
        if (command is null)
        {
            return null;
        }

        var settings = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TimelineOptions>>().Value;
        try
        {
            switch (command)
            {
                case "reseed":
                    var dataset = await app.Services.GetRequiredService<StoreInitializer>().ReseedAsync(CancellationToken.None);
                    Console.WriteLine($"Reseeded {settings.ResolvedDatabasePath} from {settings.ResolvedSeedPath}: {dataset.Sources.Count} sources, {dataset.Entities.Count} entities, {dataset.Events.Count} events.");
                    return 0;
                case "validate":
                    var valid = await DatasetReader.ReadAndValidateAsync(settings.ResolvedSeedPath, CancellationToken.None);
                    Console.WriteLine($"{settings.ResolvedSeedPath} is valid: {valid.Sources.Count} sources, {valid.Entities.Count} entities, {valid.Events.Count} events, {valid.Events.Sum(e => e.Citations.Count)} verbatim citations.");
                    return 0;
                default:
                    Console.WriteLine(Usage);
                    return 0;
            }
        }
        catch (DatasetValidationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }
    }
}

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
          new-key NAME ROLE
                        print a new random API key for NAME with ROLE (editor or admin), and the entry to add to
                        Timeline:ApiKeys; only the key's SHA-256 goes into configuration
          backup FILE   write a consistent copy of the store to FILE (a new file), also while a server is serving it, and exit
          restore FILE  replace the store with the copy in FILE after checking it (integrity, schema version); refused
                        while a server uses the store; the replaced store is kept beside it as *.before-restore-*.db
          healthcheck [URL]
                        exit 0 when the readiness probe answers 200, else 1 (the Docker HEALTHCHECK); URL defaults to
                        http://127.0.0.1:PORT/health/ready, PORT the first of ASPNETCORE_HTTP_PORTS, or 8080
          help, --help  print this text
        """;

    private static readonly HashSet<string> Commands = new(StringComparer.Ordinal) { "reseed", "validate", "new-key", "backup", "restore", "healthcheck", "help", "--help" };

    private static int NewKey(string[] args)
    {
        var rest = args.SkipWhile(a => a != "new-key").Skip(1).Where(a => !a.StartsWith('-')).ToList();
        if (rest.Count != 2 || rest[1] is not (Auth.Roles.Editor or Auth.Roles.Admin) || string.IsNullOrWhiteSpace(rest[0]))
        {
            Console.Error.WriteLine("Usage: new-key NAME ROLE, where ROLE is editor or admin.");
            return 2;
        }

        var (key, entry) = Auth.ApiKeyOptions.Create(rest[0], rest[1]);
        Console.WriteLine($"API key for {entry.Name} ({entry.Role}); give it to them, it is shown only once:");
        Console.WriteLine();
        Console.WriteLine($"  {key}");
        Console.WriteLine();
        Console.WriteLine("Add this entry to the Timeline:ApiKeys list in configuration (appsettings.json):");
        Console.WriteLine();
        Console.WriteLine($"  {{ \"Name\": \"{entry.Name}\", \"Role\": \"{entry.Role}\", \"Sha256\": \"{entry.Sha256}\" }}");
        Console.WriteLine();
        Console.WriteLine("or as environment variables (N is the entry's index):");
        Console.WriteLine($"  Timeline__ApiKeys__N__Name={entry.Name} Timeline__ApiKeys__N__Role={entry.Role} Timeline__ApiKeys__N__Sha256={entry.Sha256}");
        return 0;
    }

    /// <summary>
    /// Whether the app runs inside the integration tests' in-memory server, which must see a failed
    /// startup as an exception rather than as an exit code.
    /// </summary>
    public static bool HostedByTests(WebApplication app) =>
        app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.GetType().Name == "TestServer";

    /// <summary>
    /// The arguments that are configuration (--key=value, --key value): with a command, its operands are left out,
    /// so that a path such as /data/backup.db is never read as a "/key value" switch that swallows what follows.
    /// </summary>
    public static string[] ConfigurationArguments(string[] args) =>
        args.Any(Commands.Contains) ? Operations.OperationsCli.Options(args) : args;

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
                case "new-key":
                    return NewKey(args);
                case "backup" or "restore" or "healthcheck":
                    return await Operations.OperationsCli.RunAsync(command, app, args);
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

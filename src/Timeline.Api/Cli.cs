using Timeline.Model.Dataset;

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
          import FILE   validate FILE (the dataset format; textFile paths relative to it) against itself and the store,
                        then create, update or leave unchanged each record in one transaction; nothing changes on any problem
          federal-register [--agency SLUG]... [--term TEXT] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--type TYPE]...
                           [--per-page N] [--max-pages N] [--save DIR] [--api URL]
                        import Federal Register documents as sources: query the API (default: --agency
                        industry-and-security-bureau --type RULE --per-page 100), follow next_page_url (a line per page),
                        retry politely (408, 429, 5xx, Retry-After), fetch each raw_text_url, and store each document
                        as source fr-NUMBER (citation, documentNumber, effectiveDate, agencies, documentType, url kept;
                        text exactly as received) in one transaction; documents already stored are not fetched again.
                        --save DIR also writes what was fetched in the offline layout
          federal-register --from DIR
                        the same from saved files: every DIR/*.json is a search page ({"results": [...]}) or a document
                        ({"document_number": ...}); the raw text of document N is DIR/N.txt. A second run creates nothing
          generate --events N [--seed S] --out FILE
                        write a deterministic synthetic dataset of N events in the import format (for benchmarks)
          new-key NAME ROLE
                        print a new random API key for NAME with ROLE (editor or admin), and the entry to add to
                        Timeline:ApiKeys; only the key's SHA-256 goes into configuration
          copy-store --from ENGINE:LOCATION --to ENGINE:LOCATION
                        copy a whole store with its history between engines (ENGINE sqlite with a file, or postgres with
                        a connection string): every record and tombstone with its version, every revision with its
                        position in the change feed, actor, time and reason, former ids, links and the data version;
                        the target must be empty and is filled in one transaction, e.g.
                        copy-store --from sqlite:data/timeline.db --to "postgres:Host=db;Database=timeline;Username=timeline"
          backup FILE   write a consistent copy of the store to FILE (a new file), also while a server is serving it, and exit
          restore FILE  replace the store with the copy in FILE after checking it (integrity, schema version); refused
                        while a server uses the store; the replaced store is kept beside it as *.before-restore-*.db
          healthcheck [URL]
                        exit 0 when the readiness probe answers 200, else 1 (the Docker HEALTHCHECK); URL defaults to
                        http://127.0.0.1:PORT/health/ready, PORT the first of ASPNETCORE_HTTP_PORTS, or 8080
          help, --help  print this text
        """;

    private static readonly HashSet<string> Commands = new(StringComparer.Ordinal) { "reseed", "validate", "import", "federal-register", "generate", "copy-store", "new-key", "backup", "restore", "healthcheck", "help", "--help" };

    private static async Task<int> ImportAsync(WebApplication app, string[] args)
    {
        var file = args.SkipWhile(a => a != "import").Skip(1).FirstOrDefault(a => !a.StartsWith('-'));
        if (file is null)
        {
            await Console.Error.WriteLineAsync("Usage: import FILE");
            return 2;
        }

        var store = app.Services.GetRequiredService<IDatasetStore>();
        await store.MigrateAsync(CancellationToken.None);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Console.WriteLine($"Reading {Path.GetFullPath(file)} ...");
        var document = await DatasetReader.ReadAsync(Path.GetFullPath(file), CancellationToken.None);
        Console.WriteLine($"  read {document.Events?.Count ?? 0:N0} events in {watch.Elapsed.TotalSeconds:F1} s; validating and writing in one transaction ...");
        var (report, errors) = await store.ImportAsync(
            document,
            "import",
            CancellationToken.None,
            new ImportProgress(
                (done, total) => Console.WriteLine($"  {done:N0} / {total:N0} events written ({watch.Elapsed.TotalSeconds:F1} s)"),
                step => Console.WriteLine($"  {step} ({watch.Elapsed.TotalSeconds:F1} s)")));
        if (report is null)
        {
            throw new DatasetValidationException(Path.GetFullPath(file), errors);
        }

        Console.WriteLine($"Imported {Path.GetFullPath(file)} into {store.Location}:");
        Console.WriteLine($"  sources:  {report.Sources.Created} created, {report.Sources.Updated} updated, {report.Sources.Unchanged} unchanged");
        Console.WriteLine($"  entities: {report.Entities.Created} created, {report.Entities.Updated} updated, {report.Entities.Unchanged} unchanged");
        Console.WriteLine($"  events:   {report.Events.Created} created, {report.Events.Updated} updated, {report.Events.Unchanged} unchanged");
        var events = report.Events.Created + report.Events.Updated + report.Events.Unchanged;
        Console.WriteLine($"Done in {watch.Elapsed.TotalSeconds:F1} s: {events / Math.Max(watch.Elapsed.TotalSeconds, 0.001):N0} events/s.");
        return 0;
    }

    private static async Task<int> FederalRegisterAsync(WebApplication app, string[] args)
    {
        var options = FederalRegister.FederalRegisterOptions.Parse(args.SkipWhile(a => a != "federal-register").Skip(1).ToList(), out var problem);
        if (options is null)
        {
            await Console.Error.WriteLineAsync($"federal-register: {problem}");
            await Console.Error.WriteLineAsync("Usage: federal-register [--agency SLUG]... [--term TEXT] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--type TYPE]... [--per-page N] [--max-pages N] [--save DIR] [--api URL] | federal-register --from DIR");
            return 2;
        }

        var store = app.Services.GetRequiredService<IDatasetStore>();
        await store.MigrateAsync(CancellationToken.None);
        try
        {
            FederalRegister.FederalRegisterResult result;
            if (options.From is { } folder)
            {
                Console.WriteLine($"Reading Federal Register files in {Path.GetFullPath(folder)} ...");
                result = await FederalRegister.FederalRegisterImport.FromFolderAsync(folder, store, Console.Out, CancellationToken.None);
            }
            else
            {
                var url = options.Query.FirstPageUrl(options.Api);
                Console.WriteLine($"Querying {url} ...");
                var (client, lifetime) = FederalRegister.FederalRegisterClient.Create(Console.Out);
                using (lifetime)
                {
                    result = await FederalRegister.FederalRegisterImport.OnlineAsync(
                        options.Query, options.Api, options.MaxPages, options.Save, client, store, app.Services.GetRequiredService<ISourceReader>(), Console.Out, CancellationToken.None);
                }
            }

            foreach (var line in FederalRegister.FederalRegisterImport.Describe(result, store.Location))
            {
                Console.WriteLine(line);
            }

            return 0;
        }
        catch (FederalRegister.FederalRegisterException ex)
        {
            await Console.Error.WriteLineAsync($"federal-register: {ex.Message}");
            return 1;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"federal-register: the API could not be reached after retries ({ex.Message}); nothing was written.");
            return 1;
        }
    }

    private static int Generate(string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        if (!int.TryParse(Option("--events"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var events) || events < 1
            || Option("--out") is not { } output)
        {
            Console.Error.WriteLine("Usage: generate --events N [--seed S] --out FILE");
            return 2;
        }

        var seed = int.TryParse(Option("--seed"), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 1;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using (var file = File.Create(output))
        {
            DatasetGenerator.Write(events, seed, file);
        }

        Console.WriteLine($"Wrote {events:N0} events (seed {seed}) to {Path.GetFullPath(output)} ({new FileInfo(output).Length / 1048576.0:F1} MiB) in {watch.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }

    private static int NewKey(string[] args)
    {
        var rest = args.SkipWhile(a => a != "new-key").Skip(1).Where(a => !a.StartsWith('-')).ToList();
        if (rest.Count != 2 || rest[1] is not (Auth.Roles.Editor or Auth.Roles.Admin) || !rest[0].All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_' or '@'))
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
                    var dataset = await app.Services.GetRequiredService<IDatasetStore>().ReseedAsync(CancellationToken.None);
                    Console.WriteLine($"Reseeded {settings.ResolvedDatabasePath} from {settings.ResolvedSeedPath}: {dataset.Sources.Count} sources, {dataset.Entities.Count} entities, {dataset.Events.Count} events.");
                    return 0;
                case "validate":
                    var valid = await DatasetReader.ReadAndValidateAsync(settings.ResolvedSeedPath, CancellationToken.None);
                    Console.WriteLine($"{settings.ResolvedSeedPath} is valid: {valid.Sources.Count} sources, {valid.Entities.Count} entities, {valid.Events.Count} events, {valid.Events.Sum(e => e.Citations.Count)} verbatim citations.");
                    IReadOnlyList<DatasetWarning> warnings = [.. DatasetChecks.Check(valid), .. DatasetChecks.Duplicates(valid)];
                    Console.WriteLine(warnings.Count == 0
                        ? "No warnings: every entity and source is used or standalone, every quoted phrase is a quote, every later date is explained."
                        : $"{warnings.Count} warning{(warnings.Count == 1 ? "" : "s")} (the dataset loads; a curator should look):");
                    foreach (var warning in warnings)
                    {
                        Console.WriteLine($"  warning: {warning}");
                    }

                    return 0;
                case "new-key":
                    return NewKey(args);
                case "import":
                    return await ImportAsync(app, args);
                case "generate":
                    return Generate(args);
                case "copy-store":
                    return await StoreCopyCommand.RunAsync(args);
                case "federal-register":
                    return await FederalRegisterAsync(app, args);
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

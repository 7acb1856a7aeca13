using System.Data.Common;
using System.Net;
using System.Text.RegularExpressions;
using Timeline.Api.Curation;
using Timeline.Api.Operations;
using YamlDotNet.RepresentationModel;

namespace Timeline.Api.Tests;

/// <summary>
/// The PostgreSQL deployment (docker-compose.postgres.yml, deploy/postgres/), checked for its structure, since no Docker
/// engine runs here: the official images, pinned; the database on a named volume with a pg_isready health check; two or more
/// API replicas on postgres that start once the database is healthy and share one cursor secret; no secret in a file git
/// keeps; nginx in front as the only published port and the only proxy the replicas believe, configured to reach them.
/// </summary>
public partial class DeploymentTests
{
    private const string PostgresComposeFile = "docker-compose.postgres.yml";
    private const string PostgresEnvFile = "deploy/postgres/timeline.env";
    private const string PostgresEnvExample = "deploy/postgres/timeline.env.example";
    private static readonly Lazy<YamlMappingNode> PostgresCompose = new(() => ReadYaml(Path.Combine(RepositoryFiles.Root, PostgresComposeFile)));

    private static YamlMappingNode PostgresServices => (YamlMappingNode)PostgresCompose.Value["services"];

    private static YamlMappingNode PostgresService(string name) => (YamlMappingNode)PostgresServices[name];

    [Fact]
    public void The_PostgreSQL_deployment_is_a_compose_file_of_its_own_beside_the_SQLite_one()
    {
        Assert.Equal(["api", "postgres", "proxy"], PostgresServices.Children.Keys.Select(Scalar).Order(StringComparer.Ordinal));
        Assert.Equal("timeline-postgres", Scalar(PostgresCompose.Value["name"]));

        // The SQLite deployment is still the default one, and says where the other is.
        var sqlite = ComposeFile.Value;
        Assert.Equal(["api"], ((YamlMappingNode)sqlite.Root["services"]).Children.Keys.Select(Scalar));
        Assert.False(sqlite.Environment.ContainsKey("Timeline__Store"), "the SQLite deployment runs on the default engine");
        Assert.Contains(PostgresComposeFile, File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docker-compose.yml")), StringComparison.Ordinal);

        // Both build the same image from the same Dockerfile.
        var build = (YamlMappingNode)PostgresService("api")["build"];
        Assert.Equal(Scalar(((YamlMappingNode)sqlite.Api["build"])["context"]), Scalar(build["context"]));
        Assert.Equal(Scalar(((YamlMappingNode)sqlite.Api["build"])["dockerfile"]), Scalar(build["dockerfile"]));
        Assert.Equal(Scalar(sqlite.Api["image"]), Scalar(PostgresService("api")["image"]));
    }

    [Fact]
    public void The_database_is_the_official_postgres_image_pinned_on_a_named_volume_with_a_pg_isready_health_check()
    {
        var postgres = PostgresService("postgres");
        var environment = EnvironmentOf(postgres);

        Assert.Matches(@"^postgres:\d+\.\d+(-[a-z0-9]+)?$", Scalar(postgres["image"]));
        var mount = Assert.Single(((YamlSequenceNode)postgres["volumes"]).Children.Select(Scalar));
        Assert.Equal("/var/lib/postgresql/data", mount.Split(':')[1]);
        Assert.True(((YamlMappingNode)PostgresCompose.Value["volumes"]).Children.ContainsKey(new YamlScalarNode(mount.Split(':')[0])), $"volume {mount.Split(':')[0]} is not declared");

        var test = HealthCheck(postgres);
        Assert.Equal(["CMD", "pg_isready", $"--username={environment["POSTGRES_USER"]}", $"--dbname={environment["POSTGRES_DB"]}"], test);
        Assert.Equal("unless-stopped", Scalar(postgres["restart"]));
    }

    [Fact]
    public void At_least_two_api_replicas_run_on_postgres_once_the_database_is_healthy_and_share_one_cursor_secret()
    {
        var api = PostgresService("api");
        var environment = EnvironmentOf(api);

        Assert.True(int.Parse(Scalar(((YamlMappingNode)api["deploy"])["replicas"]), System.Globalization.CultureInfo.InvariantCulture) >= 2, "fewer than two replicas");
        Assert.False(api.Children.ContainsKey(new YamlScalarNode("container_name")), "a fixed container name allows one replica only");
        Assert.Equal(TimelineOptions.StorePostgres, environment["Timeline__Store"]);
        Assert.True(new TimelineOptions { Store = environment["Timeline__Store"] }.UsesPostgres);
        Assert.Equal("service_healthy", Scalar(((YamlMappingNode)((YamlMappingNode)api["depends_on"])["postgres"])["condition"]));
        Assert.Equal(["CMD", "dotnet", "Timeline.Api.dll", "healthcheck"], HealthCheck(api));
        Assert.Equal(environment["ASPNETCORE_HTTP_PORTS"], Image.Value.Final.Environment["ASPNETCORE_HTTP_PORTS"]);
        Assert.True(int.Parse(Scalar(api["stop_grace_period"]).TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture)
            > int.Parse(environment["Timeline__ShutdownTimeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture));

        // The connection string and the cursor secret come from the env file, the same one for every replica: the
        // example names the database service, its database and user, and the secret.
        Assert.Equal([PostgresEnvFile], EnvFiles(api));
        var example = EnvFileVariables(PostgresEnvExample);
        var connection = new DbConnectionStringBuilder { ConnectionString = example["ConnectionStrings__Timeline"] };
        var postgres = EnvironmentOf(PostgresService("postgres"));
        Assert.Equal("postgres", connection["Host"]);
        Assert.Equal(postgres["POSTGRES_DB"], connection["Database"]);
        Assert.Equal(postgres["POSTGRES_USER"], connection["Username"]);
        Assert.Equal(example["POSTGRES_PASSWORD"], connection["Password"]);
        Assert.True(example.ContainsKey("Timeline__CursorSecret"));
        Assert.Equal([PostgresEnvFile], EnvFiles(PostgresService("postgres")));
    }

    [Fact]
    public void No_secret_is_written_in_a_compose_file_and_the_real_env_file_is_kept_out_of_git_and_images()
    {
        var secretName = new Regex("PASSWORD|SECRET|Sha256|ConnectionStrings|ApiKeys", RegexOptions.IgnoreCase);
        var environments = PostgresServices.Children.Values.Cast<YamlMappingNode>()
            .Where(s => s.Children.ContainsKey(new YamlScalarNode("environment")))
            .SelectMany(s => EnvironmentOf(s))
            .Concat(ComposeFile.Value.Environment);
        foreach (var (name, value) in environments)
        {
            Assert.False(secretName.IsMatch(name) && !name.EndsWith("_FILE", StringComparison.Ordinal), $"{name} is written in a compose file: it belongs in the env file");
            Assert.DoesNotContain("password=", value, StringComparison.OrdinalIgnoreCase);
        }

        // The example holds placeholders only; the real file is ignored by git and by the Docker build context.
        var example = EnvFileVariables(PostgresEnvExample);
        Assert.Equal(["ConnectionStrings__Timeline", "POSTGRES_PASSWORD", "Timeline__CursorSecret"], example.Keys.Order(StringComparer.Ordinal));
        Assert.All(new[] { example["POSTGRES_PASSWORD"], example["Timeline__CursorSecret"] }, value => Assert.Equal("CHANGE-ME", value));
        Assert.Contains(PostgresEnvFile, File.ReadAllLines(Path.Combine(RepositoryFiles.Root, ".gitignore")));
        Assert.DoesNotContain(PostgresEnvExample, File.ReadAllLines(Path.Combine(RepositoryFiles.Root, ".gitignore")));
        Assert.True(DockerIgnore.Read(Path.Combine(RepositoryFiles.Root, ".dockerignore"))(PostgresEnvFile), $"{PostgresEnvFile} would be sent to the Docker build");
    }

    [Fact]
    public void Every_variable_of_the_PostgreSQL_deployment_names_a_setting_the_app_reads()
    {
        var settings = ConfigurationKeys.All();
        var api = EnvironmentOf(PostgresService("api"));
        var fromEnvFile = EnvFileVariables(PostgresEnvExample).Keys.Where(k => !k.StartsWith("POSTGRES_", StringComparison.Ordinal) && !k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
        var commented = CommentedVariable().Matches(File.ReadAllText(Path.Combine(RepositoryFiles.Root, PostgresComposeFile))).Select(m => m.Groups["name"].Value);

        Assert.Contains("Timeline__Postgres__ReadsFromStandby", commented);
        foreach (var variable in api.Keys.Concat(fromEnvFile).Concat(commented))
        {
            if (variable.StartsWith("ASPNETCORE_", StringComparison.Ordinal))
            {
                Assert.Contains(variable, ConfigurationKeys.AspNetCoreVariables);
                continue;
            }

            Assert.True(ConfigurationKeys.Resolve(variable.Replace("__", ":", StringComparison.Ordinal), settings) is not null, $"{variable} names no setting of the app");
        }
    }

    [Fact]
    public void The_proxy_is_the_only_published_port_and_the_only_proxy_the_replicas_believe()
    {
        var proxy = PostgresService("proxy");
        var api = PostgresService("api");
        var environment = EnvironmentOf(api);

        Assert.Matches(@"^(nginx:\d+\.\d+\.\d+|caddy:\d+\.\d+\.\d+)(-alpine)?$", Scalar(proxy["image"]));
        Assert.Equal(["proxy"], PostgresServices.Children.Where(s => ((YamlMappingNode)s.Value).Children.ContainsKey(new YamlScalarNode("ports"))).Select(s => Scalar(s.Key)));
        Assert.Equal("service_healthy", Scalar(((YamlMappingNode)((YamlMappingNode)proxy["depends_on"])["api"])["condition"]));
        Assert.NotEmpty(HealthCheck(proxy));

        // The proxy has a fixed address on a network with a fixed subnet; the replicas believe that address and no other.
        var (network, attachment) = Assert.Single(((YamlMappingNode)proxy["networks"]).Children);
        var address = IPAddress.Parse(Scalar(((YamlMappingNode)attachment)["ipv4_address"]));
        var subnet = Scalar(((YamlMappingNode)Assert.Single(((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)PostgresCompose.Value["networks"])[network])["ipam"])["config"]).Children))["subnet"]);
        Assert.True(IPNetwork.Parse(subnet).Contains(address), $"{address} is not in {subnet}");
        Assert.Contains(Scalar(network), ((YamlSequenceNode)api["networks"]).Children.Select(Scalar));
        Assert.Equal(address.ToString(), environment["Timeline__KnownProxies"]);
        Assert.False(environment.ContainsKey("Timeline__KnownNetworks"), "a trusted network would let every container on it forge X-Forwarded-For");
        var options = new OperationsOptions { KnownProxies = [environment["Timeline__KnownProxies"]] };
        Assert.Empty(options.Problems());
        Assert.Equal([address], options.ParsedProxies());

        // The database is on a network of its own that neither the proxy nor the outside reaches.
        var postgresNetworks = ((YamlSequenceNode)PostgresService("postgres")["networks"]).Children.Select(Scalar).ToList();
        Assert.DoesNotContain(Scalar(network), postgresNetworks);
        var database = Assert.Single(postgresNetworks);
        Assert.Equal("true", Scalar(((YamlMappingNode)((YamlMappingNode)PostgresCompose.Value["networks"])[database])["internal"]));
        Assert.Contains(database, ((YamlSequenceNode)api["networks"]).Children.Select(Scalar));
    }

    [Fact]
    public void The_proxy_config_is_mounted_and_forwards_to_every_replica_of_the_api_service_with_headers_of_its_own()
    {
        var proxy = PostgresService("proxy");
        var mount = Assert.Single(((YamlSequenceNode)proxy["volumes"]).Children.Select(Scalar)).Split(':');
        Assert.Equal(["/etc/nginx/conf.d/default.conf", "ro"], mount[1..]);
        var config = Nginx.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, mount[0])));

        // Listens where the published port points, and passes every request to an upstream of the api service's port.
        var published = Scalar(Assert.Single(((YamlSequenceNode)proxy["ports"]).Children)).Split(':');
        var server = Assert.Single(config.All("server"));
        Assert.Equal(published[^1], Assert.Single(server.All("listen")).Arguments[0]);
        var upstream = Assert.Single(config.All("upstream"));
        var target = Assert.Single(upstream.All("server")).Arguments;
        Assert.Equal($"api:{EnvironmentOf(PostgresService("api"))["ASPNETCORE_HTTP_PORTS"]}", target[0]);
        Assert.Contains("resolve", target); // replicas are looked up again as they come and go, through Docker's DNS
        Assert.Equal("127.0.0.11", Assert.Single(config.All("resolver")).Arguments[0]);
        var location = Assert.Single(server.All("location"), l => l.Arguments.SequenceEqual(["/"]));
        Assert.Equal($"http://{upstream.Arguments[0]}", Assert.Single(location.All("proxy_pass")).Arguments[0]);

        // The forwarded headers the replicas believe are set by the proxy, never passed on from the client.
        var headers = location.All("proxy_set_header").ToDictionary(h => h.Arguments[0], h => h.Arguments[1], StringComparer.OrdinalIgnoreCase);
        Assert.Equal("$remote_addr", headers["X-Forwarded-For"]);
        Assert.Equal("$scheme", headers["X-Forwarded-Proto"]);

        // A body as large as the API takes reaches the API, which answers one too large for its endpoint itself.
        var maxBody = Assert.Single(server.All("client_max_body_size")).Arguments[0];
        Assert.EndsWith("m", maxBody, StringComparison.Ordinal);
        Assert.True(long.Parse(maxBody[..^1], System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024 >= ImportExportApi.MaxImportBytes);

        // The proxy's own refusals (its global rate limit, no replica answering) are problems like the API's.
        Assert.Equal("429", Assert.Single(config.All("limit_req_status")).Arguments[0]);
        foreach (var page in server.All("error_page"))
        {
            var named = Assert.Single(server.All("location"), l => l.Arguments.SequenceEqual([page.Arguments[^1]]));
            Assert.Equal("application/problem+json", Assert.Single(named.All("default_type")).Arguments[0]);
            var body = System.Text.Json.JsonDocument.Parse(Assert.Single(named.All("return")).Arguments[1]).RootElement;
            var status = body.GetProperty("status").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Assert.Single(named.All("return")).Arguments[0], status);

            // Without "=NNN", nginx would send the body under the status of the error it replaces (a 502 saying 503).
            Assert.Equal($"={status}", page.Arguments[^2]);
        }

        Assert.Contains(server.All("error_page"), p => p.Arguments.Contains("429"));
    }

    [Fact]
    public void The_nginx_reader_reads_blocks_quotes_and_comments()
    {
        var config = Nginx.Parse("""
            # a comment { ; }
            upstream u { server api:8080 resolve; }
            server {
                listen 8080;
                location @x { return 429 '{"a":"b;}"}'; }
            }
            """);

        Assert.Equal(["api:8080", "resolve"], Assert.Single(Assert.Single(config.All("upstream")).All("server")).Arguments);
        var location = Assert.Single(Assert.Single(config.All("server")).All("location"));
        Assert.Equal(["429", """{"a":"b;}"}"""], Assert.Single(location.All("return")).Arguments);
    }

    [Fact]
    public void The_build_stage_copies_every_project_the_api_references_before_restoring_it()
    {
        var build = Image.Value.Stages[0];
        var restore = build.Lines.FindIndex(l => l.Instruction == "RUN" && l.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, "the build stage restores before it copies the sources");
        var copiedBeforeRestore = build.Lines.Take(restore).Where(l => l.Instruction == "COPY")
            .SelectMany(l => l.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1)).ToHashSet(StringComparer.Ordinal);
        var copiedAfter = build.Lines.Skip(restore).Where(l => l.Instruction == "COPY")
            .SelectMany(l => l.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1)).ToList();

        var projects = ReferencedProjects("src/Timeline.Api/Timeline.Api.csproj");
        Assert.Contains("src/Timeline.Store.Postgres/Timeline.Store.Postgres.csproj", projects);
        foreach (var project in projects)
        {
            Assert.Contains(project, copiedBeforeRestore);
            Assert.Contains(copiedAfter, source => project.StartsWith(source, StringComparison.Ordinal));
        }
    }

    /// <summary>A project and every project it references, directly or not, as paths relative to the repository.</summary>
    private static SortedSet<string> ReferencedProjects(string project)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!found.Add(next))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(Path.Combine(RepositoryFiles.Root, next))!;
            foreach (var reference in System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryFiles.Root, next)).Descendants("ProjectReference"))
            {
                var path = Path.GetFullPath(Path.Combine(folder, reference.Attribute("Include")!.Value.Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(RepositoryFiles.Root, path).Replace('\\', '/'));
            }
        }

        return found;
    }

    private static YamlMappingNode ReadYaml(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static Dictionary<string, string> EnvironmentOf(YamlMappingNode service) =>
        ((YamlMappingNode)service["environment"]).Children.ToDictionary(kv => Scalar(kv.Key), kv => Scalar(kv.Value), StringComparer.Ordinal);

    private static List<string> HealthCheck(YamlMappingNode service) =>
        [.. ((YamlSequenceNode)((YamlMappingNode)service["healthcheck"])["test"]).Children.Select(Scalar)];

    private static List<string> EnvFiles(YamlMappingNode service) =>
        [.. ((YamlSequenceNode)service["env_file"]).Children.Select(Scalar)];

    /// <summary>The NAME=value lines of an env file (comments and blank lines skipped).</summary>
    private static Dictionary<string, string> EnvFileVariables(string relative) =>
        File.ReadAllLines(Path.Combine(RepositoryFiles.Root, relative))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}

/// <summary>An nginx configuration as directives with their arguments and blocks: enough to read this repository's.</summary>
public sealed record Nginx(string Name, IReadOnlyList<string> Arguments, IReadOnlyList<Nginx> Children)
{
    /// <summary>The directives of this block named <paramref name="name"/>.</summary>
    public IEnumerable<Nginx> All(string name) => Children.Where(c => c.Name == name);

    public static Nginx Parse(string text)
    {
        var tokens = Tokens(text).GetEnumerator();
        return new Nginx(string.Empty, [], Block(tokens, top: true));
    }

    private static List<Nginx> Block(IEnumerator<(string Text, bool Quoted)> tokens, bool top)
    {
        var directives = new List<Nginx>();
        var words = new List<string>();
        while (tokens.MoveNext())
        {
            var (token, quoted) = tokens.Current;
            if (!quoted && token == ";")
            {
                directives.Add(new Nginx(words[0], [.. words.Skip(1)], []));
                words = [];
            }
            else if (!quoted && token == "{")
            {
                directives.Add(new Nginx(words[0], [.. words.Skip(1)], Block(tokens, top: false)));
                words = [];
            }
            else if (!quoted && token == "}")
            {
                Assert.False(top, "a } closes no block");
                Assert.Empty(words);
                return directives;
            }
            else
            {
                words.Add(token);
            }
        }

        Assert.True(top, "a block is not closed");
        Assert.Empty(words);
        return directives;
    }

    private static IEnumerable<(string Text, bool Quoted)> Tokens(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is ';' or '{' or '}')
            {
                yield return (c.ToString(), false);
                i++;
            }
            else if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, i + 1);
                Assert.True(end > i, "an unclosed quote");
                yield return (text[(i + 1)..end], true);
                i = end + 1;
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not (';' or '{' or '}'))
                {
                    i++;
                }

                yield return (text[start..i], false);
            }
        }
    }
}

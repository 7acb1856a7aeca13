using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Timeline.Api.Auth;
using Timeline.Api.Operations;
using Timeline.Store.Sqlite;
using YamlDotNet.RepresentationModel;

namespace Timeline.Api.Tests;

/// <summary>
/// The Dockerfile and docker-compose.yml, checked against the project itself (no Docker engine runs here): every
/// environment variable names a setting the app reads, every path the image needs is copied into it, and the
/// stages, port, volume and health check agree with each other and with the code.
/// </summary>
public partial class DeploymentTests
{
    private static readonly string[] RootUsers = ["root", "0", "0:0"];
    private static readonly Lazy<Compose> ComposeFile = new(() => Compose.Read(Path.Combine(RepositoryFiles.Root, "docker-compose.yml")));
    private static readonly Lazy<Dockerfile> Image = new(() => Dockerfile.Read(Path.Combine(RepositoryFiles.Root, "Dockerfile")));

    [Fact]
    public void Compose_runs_the_api_service_built_from_this_Dockerfile()
    {
        var api = ComposeFile.Value.Api;
        var build = (YamlMappingNode)api["build"];

        Assert.Equal(".", Scalar(build["context"]));
        Assert.True(File.Exists(Path.Combine(RepositoryFiles.Root, Scalar(build["dockerfile"]))));
        Assert.Equal("unless-stopped", Scalar(api["restart"]));
    }

    [Fact]
    public void Compose_publishes_port_8080_where_the_image_listens()
    {
        var ports = ((YamlSequenceNode)ComposeFile.Value.Api["ports"]).Children.Select(Scalar).ToList();

        Assert.Contains("8080:8080", ports);
        Assert.Contains("8080", Image.Value.Final.Instructions("EXPOSE"));
        Assert.Equal("8080", ComposeFile.Value.Environment["ASPNETCORE_HTTP_PORTS"]);
        Assert.Equal("8080", Image.Value.Final.Environment["ASPNETCORE_HTTP_PORTS"]);
    }

    [Fact]
    public void The_store_lives_on_a_named_volume_mounted_where_the_image_declares_it()
    {
        var volumes = ((YamlSequenceNode)ComposeFile.Value.Api["volumes"]).Children.Select(Scalar).ToList();
        var mount = Assert.Single(volumes);
        var (name, target) = (mount.Split(':')[0], mount.Split(':')[1]);

        Assert.True(((YamlMappingNode)ComposeFile.Value.Root["volumes"]).Children.ContainsKey(new YamlScalarNode(name)), $"volume {name} is not declared");
        Assert.Contains(target, Image.Value.Final.Instructions("VOLUME"));
        Assert.StartsWith(target + "/", ComposeFile.Value.Environment["Timeline__DatabasePath"], StringComparison.Ordinal);
        Assert.StartsWith(target + "/", Image.Value.Final.Environment["Timeline__DatabasePath"], StringComparison.Ordinal);
        Assert.StartsWith(target + "/", ComposeFile.Value.Environment["Timeline__BackupDirectory"], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_environment_variable_names_a_setting_the_app_reads_with_a_value_of_its_type()
    {
        var settings = ConfigurationKeys.All();
        var variables = ComposeFile.Value.Environment.Concat(Image.Value.Final.Environment).ToList();
        Assert.Contains(variables, v => v.Key.StartsWith("Timeline__", StringComparison.Ordinal));

        foreach (var (variable, value) in variables)
        {
            if (variable.StartsWith("ASPNETCORE_", StringComparison.Ordinal))
            {
                Assert.Contains(variable, ConfigurationKeys.AspNetCoreVariables);
                continue;
            }

            var type = ConfigurationKeys.Resolve(variable.Replace("__", ":", StringComparison.Ordinal), settings);
            Assert.True(type is not null, $"{variable} names no setting of the app");
            if (type == typeof(int))
            {
                Assert.True(int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _), $"{variable}={value} is not an integer");
            }
        }
    }

    [Fact]
    public void The_commented_examples_in_compose_name_real_settings_too()
    {
        var examples = CommentedVariable().Matches(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docker-compose.yml")))
            .Select(m => m.Groups["name"].Value).ToList();

        Assert.Contains("Timeline__KnownProxies", examples);
        Assert.Contains("Timeline__ApiKeys__0__Sha256", examples);
        Assert.All(examples, name => Assert.True(
            ConfigurationKeys.Resolve(name.Replace("__", ":", StringComparison.Ordinal), ConfigurationKeys.All()) is not null, $"{name} names no setting"));
    }

    [Fact]
    public void The_setting_names_are_derived_from_every_key_appsettings_json_uses()
    {
        using var appsettings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "src", "Timeline.Api", "appsettings.json")));
        var settings = ConfigurationKeys.All();

        foreach (var property in appsettings.RootElement.GetProperty(TimelineOptions.Section).EnumerateObject())
        {
            Assert.NotNull(ConfigurationKeys.Resolve($"{TimelineOptions.Section}:{property.Name}", settings));
        }

        Assert.NotNull(ConfigurationKeys.Resolve("Timeline:RateLimits:ReadsPerWindow", settings));
        Assert.Null(ConfigurationKeys.Resolve("Timeline:RateLimits:ReadsPerMinute", settings));
        Assert.Null(ConfigurationKeys.Resolve("Timeline:DatabasePth", settings));
    }

    [Fact]
    public void The_README_configuration_table_documents_every_setting_with_a_default()
    {
        var rows = ConfigurationTableRows();

        var documented = ConfigurationKeys.All().Keys
            .Select(key => key.Contains(":*", StringComparison.Ordinal) ? key[..key.IndexOf(":*", StringComparison.Ordinal)] : key)
            .Distinct(StringComparer.Ordinal);
        foreach (var key in documented)
        {
            var row = rows.FirstOrDefault(r => r.StartsWith($"| `{key}` |", StringComparison.Ordinal));
            Assert.True(row is not null, $"{key} is not in the README's configuration table");
            Assert.False(string.IsNullOrWhiteSpace(row.Split('|')[2]), $"{key} has no default in the README");
        }
    }

    [Fact]
    public void Every_Timeline_setting_in_the_README_configuration_table_is_one_the_app_reads()
    {
        var settings = ConfigurationKeys.All();
        var keys = ConfigurationTableRows()
            .Select(row => row.Split('|')[1].Trim().Trim('`'))
            .Where(key => key.StartsWith($"{TimelineOptions.Section}:", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.True(
            ConfigurationKeys.Resolve(key, settings) is not null || settings.Keys.Any(k => k.StartsWith($"{key}:*:", StringComparison.OrdinalIgnoreCase)), // a list of entries
            $"the README documents {key}, which the app does not read"));
    }

    /// <summary>
    /// Every relative link and image in the README and the documents under docs/ (and the benchmark's README) names a
    /// file of the repository, and every #anchor a heading of the document it points into, as GitHub renders them.
    /// </summary>
    [Fact]
    public void Every_relative_link_in_the_README_and_docs_resolves()
    {
        var documents = new[] { Path.Combine(RepositoryFiles.Root, "README.md"), Path.Combine(RepositoryFiles.Root, "tests", "Benchmarks", "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(RepositoryFiles.Root, "docs"), "*.md", SearchOption.AllDirectories))
            .ToList();
        var checkedLinks = 0;

        foreach (var document in documents)
        {
            var name = Path.GetRelativePath(RepositoryFiles.Root, document);
            foreach (var target in MarkdownLinks(File.ReadAllText(document)))
            {
                if (UrlScheme().IsMatch(target))
                {
                    continue;
                }

                var hash = target.IndexOf('#', StringComparison.Ordinal);
                var (path, anchor) = hash < 0 ? (target, null) : (target[..hash], target[(hash + 1)..]);
                var linked = path.Length == 0 ? document : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document)!, Uri.UnescapeDataString(path)));
                Assert.True(File.Exists(linked) || Directory.Exists(linked), $"{name} links to {target}: no such file");
                if (anchor is not null)
                {
                    Assert.True(linked.EndsWith(".md", StringComparison.Ordinal), $"{name} links to {target}: an anchor into a file that is not Markdown");
                    Assert.True(HeadingAnchors(File.ReadAllText(linked)).Contains(anchor), $"{name} links to {target}: no such heading");
                }

                checkedLinks++;
            }
        }

        Assert.True(checkedLinks > 10, $"only {checkedLinks} relative links found: is the link reader broken?");
    }

    /// <summary>The rows of the configuration table: the lines starting "| `" in the README's "## Configuration" section.</summary>
    private static List<string> ConfigurationTableRows()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "README.md"));
        var start = readme.IndexOf("\n## Configuration\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has no \"## Configuration\" section");
        var section = readme[(start + 1)..];
        var end = section.IndexOf("\n## ", StringComparison.Ordinal);
        section = end < 0 ? section : section[..end];
        var rows = section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rows);
        return rows;
    }

    /// <summary>The targets of the Markdown links and images outside code blocks and code spans.</summary>
    private static IEnumerable<string> MarkdownLinks(string markdown)
    {
        var inCode = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }

            if (!inCode)
            {
                foreach (Match link in MarkdownLink().Matches(CodeSpan().Replace(line, string.Empty)))
                {
                    yield return link.Groups["target"].Value;
                }
            }
        }
    }

    /// <summary>The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    private static HashSet<string> HeadingAnchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var inCode = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
            }
            else if (!inCode && Heading().Match(line) is { Success: true } heading)
            {
                var slug = string.Concat(heading.Groups["text"].Value.Trim().ToLowerInvariant()
                    .Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');
                var anchor = slug;
                for (var n = 1; !anchors.Add(anchor); n++)
                {
                    anchor = $"{slug}-{n}";
                }
            }
        }

        return anchors;
    }

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex UrlScheme();

    [Fact]
    public void The_dataset_and_every_source_document_are_copied_to_where_the_seed_path_points()
    {
        var seedPath = ComposeFile.Value.Environment["Timeline__SeedPath"];
        Assert.Equal(seedPath, Image.Value.Final.Environment["Timeline__SeedPath"]);
        var copied = Image.Value.Final.CopiedFiles(RepositoryFiles.Root);

        Assert.Equal(Path.Combine(RepositoryFiles.Root, "data", "timeline.json"), copied.GetValueOrDefault(seedPath));
        using var dataset = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.Dataset));
        foreach (var source in dataset.RootElement.GetProperty("sources").EnumerateArray())
        {
            if (source.TryGetProperty("textFile", out var textFile) && textFile.GetString() is { } relative)
            {
                var inImage = Path.GetDirectoryName(seedPath)!.Replace('\\', '/') + "/" + relative;
                Assert.True(copied.ContainsKey(inImage), $"{inImage} is not in the image");
            }
        }
    }

    [Fact]
    public void The_stages_are_the_official_SDK_and_ASP_NET_images_of_the_projects_target_framework()
    {
        var framework = Regex.Match(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "Directory.Build.props")), @"<TargetFramework>net(?<v>\d+\.\d+)</TargetFramework>").Groups["v"].Value;
        var stages = Image.Value.Stages;

        Assert.Equal(2, stages.Count);
        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{framework}", stages[0].Image);
        Assert.Equal($"mcr.microsoft.com/dotnet/aspnet:{framework}", stages[^1].Image);
        foreach (var from in stages.SelectMany(s => s.CopyFromStages()))
        {
            Assert.Contains(from, stages.Take(stages.Count - 1).Select(s => s.Name));
        }

        Assert.Contains(stages[0].Instructions("RUN"), run => run.Contains("--output /app", StringComparison.Ordinal));
        Assert.Contains(stages[^1].Instructions("COPY"), copy => copy.StartsWith("--from=build /app ", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_file_the_Dockerfile_copies_exists_and_is_in_the_build_context()
    {
        var ignored = DockerIgnore.Read(Path.Combine(RepositoryFiles.Root, ".dockerignore"));
        var sources = Image.Value.Stages.SelectMany(s => s.CopySources()).ToList();
        Assert.Contains("src/", sources);

        foreach (var source in sources)
        {
            var path = Path.Combine(RepositoryFiles.Root, source.TrimEnd('/'));
            Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: no such file in the repository");
            Assert.False(ignored(source.TrimEnd('/')), $"COPY {source}: excluded by .dockerignore");
        }

        Assert.False(ignored("src/Timeline.Api/Program.cs"));
        Assert.False(ignored("src/Timeline.Store.Sqlite/Migrations/0001_initial.sql"));
        Assert.False(ignored("src/Timeline.Store.Postgres/Migrations/0001_tables.sql"));
        Assert.True(ignored("src/Timeline.Api/bin/Debug/net10.0/Timeline.Api.dll"));
        Assert.True(ignored("data/timeline.db"));
        Assert.True(ignored(".git"));
    }

    [Fact]
    public void The_server_runs_as_a_non_root_user()
    {
        var user = Assert.Single(Image.Value.Final.Instructions("USER"));

        Assert.DoesNotContain(user, RootUsers);
        Assert.Equal("$APP_UID", user);
    }

    [Fact]
    public void The_image_runs_the_API_assembly_and_checks_itself_with_its_own_healthcheck_command()
    {
        var assembly = Path.GetFileNameWithoutExtension(Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "src", "Timeline.Api"), "*.csproj").Single()) + ".dll";
        string[] expected = ["dotnet", assembly, "healthcheck"];

        Assert.Equal($"[\"dotnet\", \"{assembly}\"]", Assert.Single(Image.Value.Final.Instructions("ENTRYPOINT")));
        Assert.EndsWith("CMD [\"dotnet\", \"" + assembly + "\", \"healthcheck\"]", Assert.Single(Image.Value.Final.Instructions("HEALTHCHECK")), StringComparison.Ordinal);
        var test = ((YamlSequenceNode)((YamlMappingNode)ComposeFile.Value.Api["healthcheck"])["test"]).Children.Select(Scalar).ToList();
        Assert.Equal(["CMD", .. expected], test);
        Assert.Contains("  healthcheck [URL]", Cli.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_gives_the_server_longer_to_stop_than_the_server_gives_its_requests()
    {
        var grace = Scalar(ComposeFile.Value.Api["stop_grace_period"]);
        var seconds = int.Parse(grace.TrimEnd('s'), CultureInfo.InvariantCulture);

        Assert.True(seconds > int.Parse(ComposeFile.Value.Environment["Timeline__ShutdownTimeoutSeconds"], CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^\s*#\s*(?<name>Timeline__[A-Za-z0-9_]+):", RegexOptions.Multiline)]
    private static partial Regex CommentedVariable();

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? string.Empty;

    private sealed record Compose(YamlMappingNode Root, YamlMappingNode Api, IReadOnlyDictionary<string, string> Environment)
    {
        public static Compose Read(string path)
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(path))
            {
                yaml.Load(reader);
            }

            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            var api = (YamlMappingNode)((YamlMappingNode)root["services"])["api"];
            var environment = ((YamlMappingNode)api["environment"]).Children.ToDictionary(kv => Scalar(kv.Key), kv => Scalar(kv.Value), StringComparer.Ordinal);
            return new Compose(root, api, environment);
        }
    }
}

/// <summary>The configuration keys the app reads, derived from its options classes (never a copied list).</summary>
public static class ConfigurationKeys
{
    /// <summary>The ASP.NET Core variables a deployment may set.</summary>
    public static readonly IReadOnlySet<string> AspNetCoreVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT",
    };

    /// <summary>Every key, such as "Timeline:RateLimits:ReadsPerWindow", with its type; list items as "Timeline:KnownProxies:*".</summary>
    public static Dictionary<string, Type> All()
    {
        var keys = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        Walk(TimelineOptions.Section, typeof(TimelineOptions), keys);
        Walk(TimelineOptions.Section, typeof(OperationsOptions), keys);
        Walk($"{TimelineOptions.Section}:ApiKeys:*", typeof(ApiKeyEntry), keys);
        return keys;
    }

    /// <summary>The type of the setting a key names (an index stands for a list item), or null when the app reads no such key.</summary>
    public static Type? Resolve(string key, IReadOnlyDictionary<string, Type> keys)
    {
        var pattern = string.Join(':', key.Split(':').Select(part => part.All(char.IsAsciiDigit) ? "*" : part));
        return keys.GetValueOrDefault(pattern) ?? keys.GetValueOrDefault(key);
    }

    private static void Walk(string prefix, Type type, Dictionary<string, Type> keys)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var key = $"{prefix}:{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (propertyType.IsPrimitive || propertyType == typeof(string) || propertyType.IsEnum)
            {
                keys[key] = propertyType;
            }
            else if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(List<>))
            {
                keys[key] = typeof(string); // one comma-separated value
                keys[key + ":*"] = propertyType.GetGenericArguments()[0];
            }
            else if (propertyType.IsClass)
            {
                Walk(key, propertyType, keys);
            }
        }
    }
}

/// <summary>A reader of the Dockerfile's instructions, stage by stage.</summary>
public sealed record Dockerfile(IReadOnlyList<Dockerfile.Stage> Stages)
{
    public Stage Final => Stages[^1];

    public static Dockerfile Read(string path)
    {
        var lines = new List<string>();
        var pending = string.Empty;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1].Trim() + " ";
                continue;
            }

            lines.Add(pending + line);
            pending = string.Empty;
        }

        var stages = new List<Stage>();
        foreach (var line in lines)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var (instruction, arguments) = (line[..space].ToUpperInvariant(), line[(space + 1)..].Trim());
            if (instruction == "FROM")
            {
                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new Stage(parts[0], parts.Length == 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null, []));
            }
            else
            {
                stages[^1].Lines.Add((instruction, arguments));
            }
        }

        return new Dockerfile(stages);
    }

    public sealed record Stage(string Image, string? Name, List<(string Instruction, string Arguments)> Lines)
    {
        public IReadOnlyDictionary<string, string> Environment =>
            Instructions("ENV").SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(pair => pair.Split('=', 2))
                .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

        public List<string> Instructions(string instruction) =>
            [.. Lines.Where(l => l.Instruction == instruction).Select(l => l.Arguments)];

        public IEnumerable<string> CopyFromStages() =>
            Instructions("COPY").Select(c => c.Split(' ')).Where(p => p[0].StartsWith("--from=", StringComparison.Ordinal)).Select(p => p[0]["--from=".Length..]);

        /// <summary>The build-context paths that COPY instructions without --from read.</summary>
        public IEnumerable<string> CopySources() =>
            Instructions("COPY").Select(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(p => !p[0].StartsWith("--from=", StringComparison.Ordinal))
                .SelectMany(p => p.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).SkipLast(1));

        /// <summary>Every file this stage copies from the build context, by its path in the image.</summary>
        public Dictionary<string, string> CopiedFiles(string contextRoot)
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            var workdir = "/";
            foreach (var (instruction, arguments) in Lines)
            {
                if (instruction == "WORKDIR")
                {
                    workdir = arguments.StartsWith('/') ? arguments : $"{workdir.TrimEnd('/')}/{arguments}";
                    continue;
                }

                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (instruction != "COPY" || parts[0].StartsWith("--from=", StringComparison.Ordinal))
                {
                    continue;
                }

                var destination = parts[^1].StartsWith('/') ? parts[^1] : $"{workdir.TrimEnd('/')}/{parts[^1]}";
                foreach (var source in parts[..^1])
                {
                    var path = Path.Combine(contextRoot, source.TrimEnd('/'));
                    if (Directory.Exists(path))
                    {
                        foreach (var file in Directory.GetFiles(path, "*", SearchOption.AllDirectories))
                        {
                            files[$"{destination.TrimEnd('/')}/{Path.GetRelativePath(path, file).Replace('\\', '/')}"] = file;
                        }
                    }
                    else
                    {
                        files[destination.EndsWith('/') ? destination + Path.GetFileName(source) : destination] = path;
                    }
                }
            }

            return files;
        }
    }
}

/// <summary>.dockerignore patterns (Go filepath.Match with **), enough for the patterns this repository uses.</summary>
public static class DockerIgnore
{
    public static Func<string, bool> Read(string path)
    {
        var patterns = File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(p => new Regex("^" + Regex.Escape(p).Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "$"))
            .ToList();

        // A path is excluded when it, or a folder above it, matches.
        return relative =>
        {
            var parts = relative.Split('/');
            return Enumerable.Range(1, parts.Length).Any(n => patterns.Any(p => p.IsMatch(string.Join('/', parts.Take(n)))));
        };
    }
}

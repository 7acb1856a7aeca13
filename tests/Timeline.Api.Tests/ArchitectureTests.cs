using System.Text.RegularExpressions;
using System.Xml.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;
using NetArchTest.Rules;

namespace Timeline.Api.Tests;

/// <summary>
/// The store boundary, as the compiled code has it (docs/architecture.md draws it): the model and the store's contracts
/// (Timeline.Model) depend on nothing of ours; each engine (Timeline.Store.Sqlite, Timeline.Store.Postgres) on the model
/// only, on nothing of HTTP and not on the other engine; the API speaks to the contracts, and names an engine only in its
/// composition root. No SQL is written outside the engines, and no folder of a project depends on another that depends on
/// it back.
/// </summary>
public partial class ArchitectureTests
{
    private static readonly System.Reflection.Assembly Api = typeof(Program).Assembly;
    private static readonly System.Reflection.Assembly Model = typeof(Timeline.Model.Dates.PartialDate).Assembly;
    private static readonly System.Reflection.Assembly SqliteEngine = typeof(Timeline.Store.Sqlite.SqliteConnections).Assembly;
    private static readonly System.Reflection.Assembly PostgresEngine = typeof(Timeline.Store.Postgres.PostgresConnections).Assembly;

    /// <summary>The engines, by project name.</summary>
    private static readonly string[] EngineProjects = ["Timeline.Store.Postgres", "Timeline.Store.Sqlite"];

    /// <summary>Where the API may name the engine: the composition root registers it, and nothing else does.</summary>
    private static readonly string[] CompositionRoot = ["Timeline.Api.TimelineServices", "Program"];

    private static readonly string[] EngineNamespaces = ["Microsoft.Data.Sqlite", "SQLitePCL", "Dapper", "Timeline.Store.Sqlite", "Npgsql", "Timeline.Store.Postgres"];

    [Fact]
    public void The_api_names_no_engine_type_outside_its_composition_root()
    {
        var offenders = Types.InAssembly(Api)
            .That().DoNotHaveNameStartingWith("Program")
            .And().DoNotHaveName("TimelineServices")
            .ShouldNot().HaveDependencyOnAny(EngineNamespaces)
            .GetResult().FailingTypeNames ?? [];

        Assert.True(offenders.Count == 0, "API types that use the engine directly (they should use Timeline.Model.Store's contracts): " + string.Join(", ", offenders));
    }

    [Fact]
    public void The_model_and_contracts_depend_on_no_engine_and_no_web_framework()
    {
        var offenders = Types.InAssembly(Model)
            .ShouldNot().HaveDependencyOnAny([.. EngineNamespaces, "Microsoft.AspNetCore", "Microsoft.Extensions", "Timeline.Api"])
            .GetResult().FailingTypeNames ?? [];

        Assert.True(offenders.Count == 0, "Model types that depend on an engine or on ASP.NET Core: " + string.Join(", ", offenders));
    }

    [Fact]
    public void The_engines_know_nothing_of_http_or_of_the_api_or_of_each_other()
    {
        var offenders = Types.InAssembly(SqliteEngine)
            .ShouldNot().HaveDependencyOnAny("Microsoft.AspNetCore", "Microsoft.Net.Http.Headers", "Timeline.Api", "Timeline.Store.Postgres", "Npgsql")
            .GetResult().FailingTypeNames ?? [];
        offenders = [.. offenders, .. Types.InAssembly(PostgresEngine)
            .ShouldNot().HaveDependencyOnAny("Microsoft.AspNetCore", "Microsoft.Net.Http.Headers", "Timeline.Api", "Timeline.Store.Sqlite", "Microsoft.Data.Sqlite", "SQLitePCL")
            .GetResult().FailingTypeNames ?? []];

        Assert.True(offenders.Count == 0, "Engine types that use HTTP, the API or the other engine: " + string.Join(", ", offenders));
    }

    [Fact]
    public void Projects_reference_each_other_in_one_direction_and_only_the_engine_references_the_database_libraries()
    {
        var references = Projects().ToDictionary(p => p.Name, p => p);

        Assert.Empty(references["Timeline.Model"].Projects);
        Assert.Empty(references["Timeline.Model"].Packages);
        foreach (var engine in EngineProjects)
        {
            Assert.Equal(["Timeline.Model"], references[engine].Projects);
        }

        Assert.Equal(["Timeline.Model", .. EngineProjects], references["Timeline.Api"].Projects.Order(StringComparer.Ordinal));
        Assert.Equal(["Timeline.Api", "Timeline.Model", .. EngineProjects], references.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, project) in references)
        {
            var database = project.Packages.Where(p => p is "Dapper" or "Microsoft.Data.Sqlite" || p.StartsWith("SQLitePCLRaw", StringComparison.Ordinal) || p.StartsWith("Npgsql", StringComparison.Ordinal)).ToList();
            if (!EngineProjects.Contains(name))
            {
                Assert.True(database.Count == 0, $"{name} references {string.Join(", ", database)}: only an engine may");
            }
        }

        // Each engine its own database library, and not the other's.
        Assert.DoesNotContain(references["Timeline.Store.Sqlite"].Packages, p => p.StartsWith("Npgsql", StringComparison.Ordinal));
        Assert.DoesNotContain(references["Timeline.Store.Postgres"].Packages, p => p is "Microsoft.Data.Sqlite" || p.StartsWith("SQLitePCLRaw", StringComparison.Ordinal));
        Assert.Contains("Npgsql", references["Timeline.Store.Postgres"].Packages);
    }

    /// <summary>
    /// The test suite runs on both engines (tests/Timeline.Api.Tests.Postgres compiles its sources again), but for the files
    /// its EngineOnlyTests list names: each one exists and says why it runs on SQLite only, and every SQLite-only part of a
    /// mixed test class (XxxTests.Sqlite.cs) is among them.
    /// </summary>
    [Fact]
    public void Every_test_file_runs_on_both_engines_unless_it_is_listed_as_engine_only_with_its_reason()
    {
        var postgres = Path.Combine(RepositoryFiles.Root, "tests", "Timeline.Api.Tests.Postgres");
        var project = XDocument.Load(Path.Combine(postgres, "Timeline.Api.Tests.Postgres.csproj"));
        var listed = project.Descendants("EngineOnlyTests").ToList();
        var shared = Path.Combine(RepositoryFiles.Root, "tests", "Timeline.Api.Tests");

        Assert.NotEmpty(listed);
        foreach (var item in listed)
        {
            var include = item.Attribute("Include")!.Value.Replace('\\', '/');
            Assert.True(File.Exists(Path.GetFullPath(Path.Combine(postgres, include))), $"EngineOnlyTests names {include}: no such file");
            Assert.False(string.IsNullOrWhiteSpace(item.Attribute("Reason")?.Value), $"EngineOnlyTests names {include} without its Reason");
        }

        var names = listed.Select(i => Path.GetFileName(i.Attribute("Include")!.Value.Replace('\\', '/'))).ToHashSet(StringComparer.Ordinal);
        foreach (var part in Directory.GetFiles(shared, "*.Sqlite.cs"))
        {
            Assert.Contains(Path.GetFileName(part), names);
        }

        var compiled = Assert.Single(project.Descendants("Compile"), c => c.Attribute("Include")!.Value.Contains("Timeline.Api.Tests", StringComparison.Ordinal) && c.Attribute("Include")!.Value.EndsWith("*.cs", StringComparison.Ordinal));
        Assert.Contains("@(EngineOnlyTests)", compiled.Attribute("Exclude")!.Value, StringComparison.Ordinal);
    }

    /// <summary>
    /// SQL is recognised by its statements' openings inside string literals (SELECT ... FROM, INSERT INTO, UPDATE ... SET,
    /// DELETE FROM, CREATE TABLE/INDEX/TRIGGER, PRAGMA, BEGIN/COMMIT): prose in a comment or a description never counts.
    /// </summary>
    [Fact]
    public void No_sql_is_written_outside_the_engine()
    {
        var found = new List<string>();
        foreach (var project in new[] { "Timeline.Model", "Timeline.Api" })
        {
            foreach (var file in SourceFiles(project))
            {
                var text = string.Join('\n', File.ReadAllLines(file).Select(line => LineComment().Replace(line, string.Empty)));
                foreach (Match literal in StringLiteral().Matches(text))
                {
                    if (Sql().IsMatch(literal.Value))
                    {
                        var line = text.AsSpan(0, literal.Index).Count('\n') + 1;
                        found.Add($"{Path.GetRelativePath(RepositoryFiles.Root, file)}:{line}: {literal.Value.Trim().Split('\n')[0]}");
                    }
                }
            }
        }

        Assert.True(found.Count == 0, "SQL outside the engine:\n" + string.Join('\n', found));
    }

    /// <summary>The SQL recogniser itself recognises SQL, so the test above can fail.</summary>
    [Theory]
    [InlineData("\"SELECT id FROM events WHERE id = @id;\"", true)]
    [InlineData("\"INSERT INTO sources (id) VALUES (@Id)\"", true)]
    [InlineData("\"UPDATE events SET title = @t\"", true)]
    [InlineData("\"DELETE FROM citations WHERE event_id = @id\"", true)]
    [InlineData("\"PRAGMA journal_mode = WAL;\"", true)]
    [InlineData("\"\"\"\n    SELECT id\n    FROM events;\n    \"\"\"", true)]
    [InlineData("\"Select the events to delete from the list\"", false)]
    [InlineData("\"Only events carrying this tag; repeat for events carrying any of several.\"", false)]
    public void The_sql_recogniser_tells_sql_from_prose(string literal, bool isSql) => Assert.Equal(isSql, Sql().IsMatch(literal));

    [Fact]
    public void No_folder_of_a_project_depends_on_another_that_depends_on_it_back()
    {
        var cycles = new List<string>();
        foreach (var assembly in new[] { Model, SqliteEngine, PostgresEngine, Api })
        {
            var graph = NamespaceGraph(assembly);
            cycles.AddRange(StronglyConnected(graph).Where(c => c.Count > 1).Select(c => $"{assembly.GetName().Name}: {string.Join(" <-> ", c.Order(StringComparer.Ordinal))}{Because(graph, c)}"));
        }

        Assert.True(cycles.Count == 0, "Folders (namespaces) that depend on each other in a cycle:\n" + string.Join('\n', cycles));
    }

    [Fact]
    public void The_cycle_finder_finds_a_cycle()
    {
        var graph = new Dictionary<string, Dictionary<string, string>>
        {
            ["A"] = new() { ["B"] = "A.X uses B.Y" },
            ["B"] = new() { ["C"] = "B.Y uses C.Z" },
            ["C"] = new() { ["A"] = "C.Z uses A.X" },
            ["D"] = new() { ["A"] = "D.W uses A.X" },
        };
        var cycle = Assert.Single(StronglyConnected(graph), c => c.Count > 1);
        Assert.Equal(["A", "B", "C"], cycle.Order(StringComparer.Ordinal));
    }

    /// <summary>For each namespace of the assembly, the other namespaces of the same assembly its types use, with one example each.</summary>
    private static Dictionary<string, Dictionary<string, string>> NamespaceGraph(System.Reflection.Assembly assembly)
    {
        using var module = ModuleDefinition.ReadModule(assembly.Location);
        var own = module.Types.Select(t => t.Namespace).ToHashSet(StringComparer.Ordinal);
        var graph = own.ToDictionary(n => n, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var type in module.GetTypes().Where(t => !t.Name.StartsWith('<')))
        {
            var from = Outermost(type).Namespace;
            foreach (var used in UsedTypes(type))
            {
                var to = Outermost(used).Namespace;
                if (to != from && own.Contains(to) && used.Scope == module && !used.Name.StartsWith('<') && !graph[from].ContainsKey(to))
                {
                    graph[from][to] = $"{Outermost(type).FullName} uses {used.FullName}";
                }
            }
        }

        return graph;
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static List<TypeReference> UsedTypes(TypeDefinition type)
    {
        IEnumerable<TypeReference> Expand(TypeReference? reference)
        {
            if (reference is null)
            {
                yield break;
            }

            switch (reference)
            {
                case GenericInstanceType generic:
                    yield return generic.ElementType;
                    foreach (var argument in generic.GenericArguments.SelectMany(Expand))
                    {
                        yield return argument;
                    }

                    break;
                case TypeSpecification specification:
                    foreach (var element in Expand(specification.ElementType))
                    {
                        yield return element;
                    }

                    break;
                case GenericParameter:
                    break;
                default:
                    yield return reference;
                    break;
            }
        }

        var found = new List<TypeReference>();
        found.AddRange(Expand(type.BaseType));
        found.AddRange(type.Interfaces.SelectMany(i => Expand(i.InterfaceType)));
        found.AddRange(type.Fields.SelectMany(f => Expand(f.FieldType)));
        found.AddRange(type.Properties.SelectMany(p => Expand(p.PropertyType)));
        foreach (var method in type.Methods)
        {
            found.AddRange(Expand(method.ReturnType));
            found.AddRange(method.Parameters.SelectMany(p => Expand(p.ParameterType)));
            if (!method.HasBody)
            {
                continue;
            }

            found.AddRange(method.Body.Variables.SelectMany(v => Expand(v.VariableType)));
            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        found.AddRange(Expand(t));
                        break;
                    case MemberReference m when m.DeclaringType is not null:
                        found.AddRange(Expand(m.DeclaringType));
                        if (m is MethodReference called)
                        {
                            found.AddRange(Expand(called.ReturnType));
                        }
                        else if (m is FieldReference field)
                        {
                            found.AddRange(Expand(field.FieldType));
                        }

                        break;
                }
            }
        }

        return found;
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> graph)
    {
        var index = 0;
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowest = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        void Visit(string node)
        {
            indexes[node] = lowest[node] = index++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.GetValueOrDefault(node)?.Keys ?? Enumerable.Empty<string>())
            {
                if (!indexes.TryGetValue(next, out var seen))
                {
                    Visit(next);
                    lowest[node] = Math.Min(lowest[node], lowest[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowest[node] = Math.Min(lowest[node], seen);
                }
            }

            if (lowest[node] == indexes[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!indexes.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }

    private static string Because(Dictionary<string, Dictionary<string, string>> graph, List<string> cycle) =>
        " (" + string.Join("; ", cycle.SelectMany(a => graph[a].Where(e => cycle.Contains(e.Key)).Select(e => e.Value))) + ")";

    private sealed record Project(string Name, IReadOnlyList<string> Projects, IReadOnlyList<string> Packages);

    private static IEnumerable<Project> Projects()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var xml = XDocument.Load(file);
            yield return new Project(
                Path.GetFileNameWithoutExtension(file),
                xml.Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/'))).ToList(),
                xml.Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value).ToList());
        }
    }

    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "src", project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [GeneratedRegex(@"^\s*//.*$")]
    private static partial Regex LineComment();

    /// <summary>A string literal: raw ("""...""", over lines), or verbatim or regular on one line; interpolated or not.</summary>
    [GeneratedRegex("\\$*\"\"\"[\\s\\S]*?\"\"\"|\\$*@?\"(?:[^\"\\\\\\n]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\b(SELECT\b[\s\S]*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|CREATE\s+(UNIQUE\s+)?(TABLE|INDEX|TRIGGER|VIRTUAL)\b|PRAGMA\s+\w+|\bBEGIN( IMMEDIATE)?;|\bCOMMIT;)")]
    private static partial Regex Sql();
}

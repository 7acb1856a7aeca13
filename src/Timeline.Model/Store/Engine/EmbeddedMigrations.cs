using System.Globalization;
using System.Reflection;

namespace Timeline.Model.Store.Engine;

/// <summary>A versioned SQL migration embedded in an engine's assembly (Migrations/NNNN_name.sql).</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>Reads an engine's embedded migrations, in version order: each engine keeps only its SQL and how it applies them.</summary>
public static class EmbeddedMigrations
{
    /// <summary>The resources of <paramref name="assembly"/> whose names start with <paramref name="resourcePrefix"/> (e.g. "Timeline.Store.Sqlite.Migrations.").</summary>
    public static IReadOnlyList<Migration> Load(Assembly assembly, string resourcePrefix)
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal)))
        {
            var fileName = resource[resourcePrefix.Length..];
            var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(fileName.AsSpan(0, underscore), CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, Path.GetFileNameWithoutExtension(fileName), reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        return migrations;
    }
}

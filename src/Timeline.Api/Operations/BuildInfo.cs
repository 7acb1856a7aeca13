using System.Reflection;

namespace Timeline.Api.Operations;

/// <summary>The build this process runs: the version and the git commit it was built from.</summary>
public static class BuildInfo
{
    private static readonly string Informational =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The version, without the commit the SDK appends after a '+'.</summary>
    public static string Version { get; } = Informational.Split('+')[0];

    /// <summary>
    /// The commit: the SDK appends it (SourceRevisionId, from git) to the informational version; a Docker build,
    /// which has no .git, passes it as a build argument. "unknown" when neither had it.
    /// </summary>
    public static string Commit { get; } = Informational.Split('+') is [_, { Length: > 0 } commit, ..] ? commit : "unknown";

    /// <summary>The .NET runtime, such as ".NET 10.0.0".</summary>
    public static string Runtime { get; } = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
}

using System.Diagnostics;

namespace Timeline.Api.Tests;

/// <summary>Runs a program the tests need (dotnet, npx) to its end, or kills it at a timeout with everything it printed.</summary>
internal static class ChildProcess
{
    /// <summary>A start of <paramref name="program"/> in <paramref name="directory"/> with its arguments and its output captured; set its environment, then run it.</summary>
    public static ProcessStartInfo Start(string program, string directory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Its exit code and what it printed; a program still running after <paramref name="timeout"/> is killed and reported.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        var name = Path.GetFileName(start.FileName);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} {string.Join(' ', start.ArgumentList)} took longer than {timeout}:{Environment.NewLine}{await stdout}{Environment.NewLine}{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}

using System.CommandLine;
using System.Globalization;

namespace Doorway.Cli;

/// <summary>Parses, reports usage errors as exit code 2, and runs the chosen command.</summary>
internal static class CommandLine
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await Console.Error.WriteLineAsync($"doorway: {error.Message}");
            }

            await Console.Error.WriteLineAsync("Try 'doorway --help'.");
            return ExitCodes.Usage;
        }

        // Commands handle Ctrl-C and SIGTERM themselves (serve drains; clients stop cleanly).
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return await parseResult.InvokeAsync(invocation);
    }

    /// <summary>Writes the one-line error every failure ends with: "doorway: what: why".</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine($"doorway: {message}");
        return ExitCodes.Failure;
    }

    /// <summary>Ctrl-C or SIGTERM ended the command: "doorway: interrupted" and what was kept, exit code 130.</summary>
    public static int Interrupted(string? kept = null)
    {
        Console.Error.WriteLine(kept is null ? "doorway: interrupted" : $"doorway: interrupted; {kept}");
        return ExitCodes.Interrupted;
    }

    /// <summary>A usage error found after parsing: one line, a hint, exit code 2.</summary>
    public static int UsageError(string message)
    {
        Console.Error.WriteLine($"doorway: {message}");
        Console.Error.WriteLine("Try 'doorway --help'.");
        return ExitCodes.Usage;
    }

    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}

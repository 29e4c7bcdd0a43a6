using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Doorway.Cli;

/// <summary>Parses, reports usage errors as exit code 2, and runs the chosen command.</summary>
internal static class CommandLine
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parseResult = root.Parse(args);
        s_command = CommandPath(parseResult.CommandResult);
        if (parseResult.Errors.Count > 0)
        {
            // System.CommandLine may report one mistake twice (an unknown token, then the argument it displaced).
            foreach (string message in parseResult.Errors.Select(error => error.Message).Distinct())
            {
                await Console.Error.WriteLineAsync($"doorway: {message}");
            }

            await Console.Error.WriteLineAsync(HelpHint);
            return ExitCodes.Usage;
        }

        // Commands handle Ctrl-C and SIGTERM themselves (serve drains; clients stop cleanly).
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return await parseResult.InvokeAsync(invocation);
    }

    /// <summary>"doorway get", "doorway bench tcp": the command being run, for the help hint.</summary>
    private static string s_command = "doorway";

    /// <summary>Where a usage error sends the user: the help of the command they ran, not the root's.</summary>
    private static string HelpHint => $"Try '{s_command} --help'.";

    private static string CommandPath(CommandResult? result)
    {
        var names = new Stack<string>();
        for (var node = result; node is not null; node = node.Parent as CommandResult)
        {
            names.Push(node.Parent is null ? "doorway" : node.Command.Name);
        }

        return names.Count == 0 ? "doorway" : string.Join(' ', names);
    }

    /// <summary>Writes the one-line error every failure ends with: "doorway: what: why".</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine($"doorway: {message}");
        return ExitCodes.Failure;
    }

    /// <summary>The server's certificate failed the client's trust: the one line, exit code 3.</summary>
    public static int Untrusted(string message)
    {
        Console.Error.WriteLine($"doorway: {message}");
        return ExitCodes.Untrusted;
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
        Console.Error.WriteLine(HelpHint);
        return ExitCodes.Usage;
    }

    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}

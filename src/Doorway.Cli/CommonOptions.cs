using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli;

/// <summary>Options several commands share, built the same way everywhere.</summary>
internal static class CommonOptions
{
    private static readonly string[] LogLevels = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    public static Option<LogLevel> LogLevel() => new("--log-level")
    {
        Description = "Least severe log events written to stderr: trace, debug, information, warning, error, critical, none.",
        DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Information,
        HelpName = "LEVEL",
        // The default parser's error names the .NET enum type; a user wants the words to type.
        CustomParser = result =>
        {
            string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            int index = Array.FindIndex(LogLevels, level => level.Equals(token, StringComparison.OrdinalIgnoreCase)
                || (level == "information" && token.Equals("info", StringComparison.OrdinalIgnoreCase))
                || (level == "warning" && token.Equals("warn", StringComparison.OrdinalIgnoreCase)));
            if (index >= 0)
            {
                return (Microsoft.Extensions.Logging.LogLevel)index;
            }

            result.AddError($"--log-level takes {string.Join(", ", LogLevels[..^1])} or {LogLevels[^1]}, not '{token}'.");
            return Microsoft.Extensions.Logging.LogLevel.Information;
        },
    };

    public static Option<string> LogFormat()
    {
        var option = new Option<string>("--log-format")
        {
            Description = "How log lines look: text for people, json (one object a line) for machines.",
            DefaultValueFactory = _ => CliLogging.Text,
            HelpName = "text|json",
        };
        option.AcceptOnlyFromAmong(CliLogging.Text, CliLogging.Json);
        return option;
    }

    /// <summary>
    /// <c>--NAME PORT|off</c> for a door beyond the book's three: off unless asked for, described by
    /// <paramref name="description"/> (what the door is, and that 0 picks a free port and 'off' disables it).
    /// </summary>
    public static Option<PortOrOff> OptionalDoorPort(string name, string description)
    {
        var port = DoorPort(name, 0, name);
        port.DefaultValueFactory = _ => new PortOrOff(null);
        port.Description = description;
        return port;
    }

    /// <summary><c>--NAME PORT|off</c>: a door's port; 0 picks a free one; <c>off</c> (a null port) disables the door.</summary>
    public static Option<PortOrOff> DoorPort(string name, int defaultPort, string door) => new(name)
    {
        Description = $"Port of the {door} door; 0 picks a free port, 'off' disables the door.",
        HelpName = "PORT|off",
        DefaultValueFactory = _ => new PortOrOff(defaultPort),
        CustomParser = result =>
        {
            string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (token.Equals("off", StringComparison.OrdinalIgnoreCase))
            {
                return new PortOrOff(null);
            }

            if (HostPort.TryParsePort(token, out int port))
            {
                return new PortOrOff(port);
            }

            result.AddError($"{name} takes a port from 0 to 65535 or 'off', not '{token}'.");
            return new PortOrOff(null);
        },
    };

    /// <summary><c>--server HOST:PORT</c>.</summary>
    public static Option<HostPort> Server(int defaultPort, string description) => new("--server")
    {
        Description = description,
        HelpName = "HOST:PORT",
        DefaultValueFactory = _ => new HostPort("127.0.0.1", defaultPort),
        CustomParser = result =>
        {
            string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (HostPort.TryParse(token, defaultPort, out var server) && server.Value.Port != 0)
            {
                return server.Value;
            }

            int colon = token.LastIndexOf(':');
            result.AddError(!token.StartsWith('[') && token.IndexOf(':', StringComparison.Ordinal) != colon && colon > 0
                ? $"--server: an IPv6 address with a port goes in brackets: [{token[..colon]}]{token[colon..]}, not '{token}'."
                : $"--server takes HOST:PORT (for example 127.0.0.1:{defaultPort} or [::1]:{defaultPort}), not '{token}'.");
            return default;
        },
    };

    /// <summary>A duration in seconds, greater than zero.</summary>
    public static Option<SecondsValue> Seconds(string name, double defaultSeconds, string description) => new(name)
    {
        Description = description,
        HelpName = "SECONDS",
        DefaultValueFactory = _ => new SecondsValue(TimeSpan.FromSeconds(defaultSeconds)),
        CustomParser = result => new SecondsValue(ParseSeconds(result, name)),
    };

    /// <summary>A duration in seconds, 0 or more (0 turns the wait off).</summary>
    public static Option<SecondsValue> SecondsOrZero(string name, double defaultSeconds, string description) => new(name)
    {
        Description = description,
        HelpName = "SECONDS",
        DefaultValueFactory = _ => new SecondsValue(TimeSpan.FromSeconds(defaultSeconds)),
        CustomParser = result =>
        {
            string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds == 0)
            {
                return new SecondsValue(TimeSpan.Zero);
            }

            return new SecondsValue(ParseSeconds(result, name));
        },
    };

    /// <summary>Seconds with no single default (the command picks one by mode); null when not given.</summary>
    public static Option<TimeSpan?> OptionalSeconds(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "SECONDS",
        CustomParser = result => ParseSeconds(result, name),
    };

    /// <summary>
    /// Client networks (<see cref="ClientNetworks"/>: CIDR or bare addresses, comma-separated, the
    /// flag repeatable); null when the flag is not given. A bad network is a usage error naming the flag.
    /// </summary>
    public static Option<System.Net.IPNetwork[]?> Networks(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "CIDR[,CIDR...]",
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            var networks = new List<System.Net.IPNetwork>();
            foreach (var token in result.Tokens)
            {
                try
                {
                    networks.AddRange(ClientNetworks.Parse(token.Value));
                }
                catch (FormatException e)
                {
                    result.AddError($"{name}: {e.Message}.");
                    return null;
                }
            }

            return [.. networks];
        },
    };

    /// <summary>A whole number at least <paramref name="minimum"/>.</summary>
    public static Option<int> Count(string name, int defaultValue, int minimum, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= minimum)
            {
                return value;
            }

            result.AddError($"{name} takes a whole number of at least {minimum}, not '{token}'.");
            return defaultValue;
        },
    };

    /// <summary>
    /// A command whose TEXT takes any words would swallow a mistyped option ("--sever") as text;
    /// returns the first word that starts with '-' and does not follow "--".
    /// </summary>
    public static string? FindUnknownOption(ParseResult parse)
    {
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                return null;
            }

            if (token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-')
            {
                return token.Value;
            }
        }

        return null;
    }

    private static TimeSpan ParseSeconds(ArgumentResult result, string name)
    {
        string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            && seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        result.AddError($"{name} takes a number of seconds greater than 0, not '{token}'.");
        return TimeSpan.Zero;
    }
}

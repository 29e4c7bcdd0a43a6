using System.CommandLine;
using System.Net;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary>
/// One door as <c>serve</c> sees it: its own flags, and how the parsed flags become a door.
/// <c>serve</c> only loops over these; a new door is one new implementation.
/// </summary>
internal interface IDoorFlags
{
    IEnumerable<Option> Options { get; }

    /// <summary>The door to open, or null when its port is 'off'. Throws <see cref="DoorSetupException"/> for a bad setting.</summary>
    DoorPlan? Plan(ParseResult parse, ServeContext context);
}

/// <summary>
/// A door to open: its name, its port, how to bind it to an endpoint, and its start-up line: how
/// to reach it (<paramref name="Url"/> from "host:port", a link for the file door) and what else a
/// user wants to know at a glance (the served root).
/// </summary>
internal sealed record DoorPlan(string Name, int Port, Func<IPEndPoint, IDoor> Bind, Func<string, string>? Url = null, string Details = "");

/// <summary>What every door of one <c>serve</c> shares: logging, the house, the TCP limits, the drain timeout.</summary>
internal sealed record ServeContext(Microsoft.Extensions.Logging.ILoggerFactory Loggers, House House, WelcomeDoorOptions Tcp, TimeSpan DrainTimeout);

/// <summary>A door's flags that can't make a door (a --root that is not a directory).</summary>
internal sealed class DoorSetupException(string message) : Exception(message);

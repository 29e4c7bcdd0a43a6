using Microsoft.Extensions.Logging;

namespace Doorway.Cli;

/// <summary>What <c>serve</c> itself logs: each door's start-up line, and how it stops.</summary>
internal static partial class CliLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Door} door open: {Url}{Details}")]
    public static partial void DoorOpen(ILogger logger, string door, string url, string details);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "stopping: no new clients; open connections get up to {DrainTimeout} s to finish (Ctrl-C again to stop at once)")]
    public static partial void Stopping(ILogger logger, double drainTimeout);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "stopping at once: closing every open connection")]
    public static partial void StoppingNow(ILogger logger);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "draining: /healthz answers 503 and the doors keep accepting for {DrainDelay} s before they close")]
    public static partial void DrainDelay(ILogger logger, double drainDelay);
}

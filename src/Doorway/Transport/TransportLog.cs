using System.Net;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

internal static partial class TransportLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Door} door listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, string door, IPEndPoint endPoint);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Accept new connection from {RemoteEndPoint} (#{ConnectionId})")]
    public static partial void Accepted(ILogger logger, IPEndPoint remoteEndPoint, long connectionId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} from {RemoteEndPoint} closed")]
    public static partial void Closed(ILogger logger, long connectionId, IPEndPoint remoteEndPoint);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Refused {RemoteEndPoint}: {Limit} connections are open (--max-connections)")]
    public static partial void RefusedAtLimit(ILogger logger, IPEndPoint remoteEndPoint, int limit);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Connection #{ConnectionId} from {RemoteEndPoint} idle for {IdleTimeout}; closed (--idle-timeout)")]
    public static partial void IdleTimedOut(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, TimeSpan idleTimeout);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} from {RemoteEndPoint} ended by the network: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Connection #{ConnectionId} from {RemoteEndPoint}: handler failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, long connectionId, IPEndPoint remoteEndPoint);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Accept failed ({Error}); the door keeps listening")]
    public static partial void AcceptFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 108, Level = LogLevel.Information, Message = "{Door} door draining {Count} open connections for up to {DrainTimeout}")]
    public static partial void Draining(ILogger logger, string door, int count, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "{Door} door closed {Count} connections still open after the drain timeout")]
    public static partial void DrainAborted(ILogger logger, string door, int count);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "{Door} door closed")]
    public static partial void Stopped(ILogger logger, string door);
}

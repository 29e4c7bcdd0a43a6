using System.Net;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

internal static partial class ProxyLog
{
    [LoggerMessage(EventId = 160, Level = LogLevel.Warning, Message = "{Door} door: connection #{ConnectionId} from {RemoteEndPoint} sent no valid PROXY header ({Reason}); closed")]
    public static partial void Invalid(ILogger logger, string door, long connectionId, IPEndPoint remoteEndPoint, string reason);

    [LoggerMessage(EventId = 161, Level = LogLevel.Warning, Message = "{Door} door: connection #{ConnectionId} from {RemoteEndPoint} sent no whole PROXY header within {Timeout}; closed")]
    public static partial void TooSlow(ILogger logger, string door, long connectionId, IPEndPoint remoteEndPoint, TimeSpan timeout);

    [LoggerMessage(EventId = 162, Level = LogLevel.Warning, Message = "{Door} door: connection #{ConnectionId} from {RemoteEndPoint} sent a PROXY header but is not a trusted balancer (--proxy-protocol); closed")]
    public static partial void Untrusted(ILogger logger, string door, long connectionId, IPEndPoint remoteEndPoint);

    [LoggerMessage(EventId = 163, Level = LogLevel.Debug, Message = "{Door} door: connection #{ConnectionId} from balancer {Balancer} is for client {Client} (PROXY v{Version})")]
    public static partial void Client(ILogger logger, string door, long connectionId, IPEndPoint balancer, IPEndPoint client, int version);

    [LoggerMessage(EventId = 164, Level = LogLevel.Debug, Message = "{Door} door: connection #{ConnectionId} from balancer {Balancer} keeps its own address (PROXY v{Version} LOCAL or UNKNOWN: a health check)")]
    public static partial void Local(ILogger logger, string door, long connectionId, IPEndPoint balancer, int version);
}

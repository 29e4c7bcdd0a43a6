using System.Net;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

internal static partial class TransportLog
{
    // Debug: serve announces each door itself, with a URL (issue 10).
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "{Door} door listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, string door, IPEndPoint endPoint);

    /// <summary>At the door's <see cref="WelcomeDoorOptions.AcceptLogLevel"/>: the book's line for the capitalize door, Debug where requests are logged.</summary>
    [LoggerMessage(EventId = 101, Message = "Accept new connection from {RemoteEndPoint} (#{ConnectionId})")]
    public static partial void Accepted(ILogger logger, LogLevel level, IPEndPoint remoteEndPoint, long connectionId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} from {RemoteEndPoint} closed")]
    public static partial void Closed(ILogger logger, long connectionId, IPEndPoint remoteEndPoint);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "{Door} door refused {RemoteEndPoint}: {Limit} limit reached")]
    public static partial void Refused(ILogger logger, string door, IPEndPoint remoteEndPoint, string limit);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Connection #{ConnectionId} from {RemoteEndPoint} idle for {IdleTimeout}; closed (IdleTimeout)")]
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

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "{Door} door refused {Count} more clients since (last: {Limit} limit)")]
    public static partial void RefusedMore(ILogger logger, string door, int count, string limit);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "A socket accepted on {EndPoint} failed while being admitted; closed, the door keeps accepting")]
    public static partial void AdmissionFailed(ILogger logger, Exception exception, IPEndPoint endPoint);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "Connection #{ConnectionId} from {RemoteEndPoint} read more slowly than {MinDataRate} B/s after a grace of {Grace}; closed (MinDataRate)")]
    public static partial void TooSlow(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, long minDataRate, TimeSpan grace);

    [LoggerMessage(EventId = 114, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} from {RemoteEndPoint} still open after the drain timeout of {DrainTimeout}; closed")]
    public static partial void DrainClosed(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 120, Level = LogLevel.Debug, Message = "{Door} door receiving on {EndPoint} with {Receivers} receivers")]
    public static partial void Receiving(ILogger logger, string door, IPEndPoint endPoint, int receivers);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "{Door} door: a reply of {Length} bytes to {RemoteEndPoint} exceeds the largest datagram; not sent ({Count} so far)")]
    public static partial void UdpReplyTooLarge(ILogger logger, string door, int length, IPEndPoint remoteEndPoint, long count);

    [LoggerMessage(EventId = 122, Level = LogLevel.Debug, Message = "{Door} door: receive error absorbed ({Error})")]
    public static partial void UdpReceiveErrorAbsorbed(ILogger logger, string door, string error);

    [LoggerMessage(EventId = 123, Level = LogLevel.Debug, Message = "{Door} door: reply to {RemoteEndPoint} not sent ({Error})")]
    public static partial void UdpSendFailed(ILogger logger, string door, IPEndPoint remoteEndPoint, string error);

    [LoggerMessage(EventId = 124, Level = LogLevel.Error, Message = "{Door} door: handler failed on a datagram from {RemoteEndPoint}")]
    public static partial void UdpHandlerFailed(ILogger logger, Exception exception, string door, IPEndPoint remoteEndPoint);

    [LoggerMessage(EventId = 125, Level = LogLevel.Error, Message = "{Door} door: a receiver stopped")]
    public static partial void UdpReceiverFailed(ILogger logger, Exception exception, string door);

    [LoggerMessage(EventId = 126, Level = LogLevel.Warning, Message = "{Door} door closed with {Count} receivers still busy after the drain timeout")]
    public static partial void UdpDrainAborted(ILogger logger, string door, int count);


    [LoggerMessage(EventId = 128, Level = LogLevel.Warning, Message = "{Door} door: replies to {Source} over its budget of {Rate} bytes/s (burst {Burst}) not sent: {Count} since the last report (at most one every {Interval} per source)")]
    public static partial void UdpReplyOverBudget(ILogger logger, string door, long count, IPAddress source, long rate, long burst, TimeSpan interval);

    [LoggerMessage(EventId = 129, Level = LogLevel.Warning, Message = "{Door} door: the reply budget's {Capacity} sources are all in use; forgot the spent budget of {Source} to make room ({Count} so far)")]
    public static partial void UdpBudgetSourceForgotten(ILogger logger, string door, int capacity, IPAddress source, long count);

    [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "{Door} door closed: {Received} datagrams received, {Replied} answered, {OverBudget} over the reply budget, {Oversize} replies too large, {NetworkErrors} network errors")]
    public static partial void UdpClosed(ILogger logger, string door, long received, long replied, long overBudget, long oversize, long networkErrors);

    [LoggerMessage(EventId = 131, Level = LogLevel.Information, Message = "{Door} door: replies limited to {Rate} bytes/s per source address, burst {Burst}, {Sources} sources remembered; loopback sources {Loopback}")]
    public static partial void UdpBudget(ILogger logger, string door, long rate, long burst, int sources, string loopback);
}

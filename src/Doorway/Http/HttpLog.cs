using System.Net;
using Microsoft.Extensions.Logging;

namespace Doorway.Http;

/// <summary>A session's events, on its door's logger. 402 and 404 keep the numbers they had as the file door's.</summary>
internal static partial class HttpLog
{
    /// <summary>The access log (issue 10): one line per request at the default level, in the shape of Common Log Format's request part.</summary>
    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "{RemoteEndPoint} \"{Method} {Target}\" {Status} {Bytes} {Milliseconds:0.0} ms (#{ConnectionId})")]
    public static partial void Served(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, string method, string target, int status, long bytes, double milliseconds);

    /// <summary>The access log's line with a note from the responder (a cache's hit, miss or revalidated).</summary>
    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "{RemoteEndPoint} \"{Method} {Target}\" {Status} {Bytes} {Milliseconds:0.0} ms {Note} (#{ConnectionId})")]
    public static partial void ServedWithNote(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, string method, string target, int status, long bytes, double milliseconds, string note);

    [LoggerMessage(EventId = 404, Level = LogLevel.Debug, Message = "#{ConnectionId} {RemoteEndPoint} http: {Status} ({Reason}); closing")]
    public static partial void Rejected(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, int status, string reason);

    [LoggerMessage(EventId = 420, Level = LogLevel.Error, Message = "#{ConnectionId} {RemoteEndPoint} http: the responder failed before its response began; 500, closing")]
    public static partial void ResponderFailed(ILogger logger, Exception exception, long connectionId, IPEndPoint remoteEndPoint);

    [LoggerMessage(EventId = 421, Level = LogLevel.Error, Message = "#{ConnectionId} {RemoteEndPoint} http: the responder returned without a response; 500, closing")]
    public static partial void NoResponse(ILogger logger, long connectionId, IPEndPoint remoteEndPoint);
}

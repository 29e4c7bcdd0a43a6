using System.Net;
using Microsoft.Extensions.Logging;

namespace Doorway.Files;

/// <summary>The file door's events. 402 (a request served) and 404 (refused, closing) are HTTP's own: see Doorway.Http.HttpLog.</summary>
internal static partial class FilesLog
{
    /// <summary>The raw dialect's access log (issue 10): a connection is one request, its age the request's time.</summary>
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "{RemoteEndPoint} raw \"{Name}\" sent {Bytes} bytes in {Milliseconds:0.0} ms (#{ConnectionId})")]
    public static partial void RawServed(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, string name, long bytes, double milliseconds);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "{RemoteEndPoint} raw \"{Name}\" closed without bytes ({Reason}) in {Milliseconds:0.0} ms (#{ConnectionId})")]
    public static partial void RawRefused(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, string name, string reason, double milliseconds);

    [LoggerMessage(EventId = 403, Level = LogLevel.Debug, Message = "#{ConnectionId} {RemoteEndPoint} http: '{Target}' refused: {Reason}")]
    public static partial void HttpRefused(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, string target, string reason);

    [LoggerMessage(EventId = 406, Level = LogLevel.Debug, Message = "SHA-256 of inode {Inode} on device {Device:x} ({Size} bytes) computed in {Elapsed}")]
    public static partial void DigestComputed(ILogger logger, ulong inode, ulong device, long size, TimeSpan elapsed);

    [LoggerMessage(EventId = 407, Level = LogLevel.Debug, Message = "inode {Inode} on device {Device:x} changed while it was hashed: no digest for it for {Cooldown}")]
    public static partial void DigestCooldown(ILogger logger, ulong inode, ulong device, TimeSpan cooldown);
}

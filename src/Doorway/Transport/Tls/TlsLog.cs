using System.Net;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

internal static partial class TlsLog
{
    [LoggerMessage(EventId = 130, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} from {RemoteEndPoint}: TLS handshake done in {Milliseconds:0.0} ms ({Protocol}, {Cipher}, ALPN '{Alpn}')")]
    public static partial void HandshakeDone(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, double milliseconds, string protocol, string cipher, string alpn);

    [LoggerMessage(EventId = 131, Level = LogLevel.Information, Message = "Connection #{ConnectionId} from {RemoteEndPoint}: no TLS handshake within {Timeout}; closed (TlsHandshake)")]
    public static partial void HandshakeTimedOut(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, TimeSpan timeout);

    [LoggerMessage(EventId = 132, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} from {RemoteEndPoint}: TLS handshake failed ({Reason}): {Message}")]
    public static partial void HandshakeFailed(ILogger logger, long connectionId, IPEndPoint remoteEndPoint, string reason, string message);

    [LoggerMessage(EventId = 133, Level = LogLevel.Debug, Message = "Connection #{ConnectionId} from {RemoteEndPoint}: plaintext refused (--tls-only)")]
    public static partial void PlaintextRefused(ILogger logger, long connectionId, IPEndPoint remoteEndPoint);
}

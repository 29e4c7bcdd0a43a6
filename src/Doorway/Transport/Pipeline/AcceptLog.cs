using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

/// <summary>
/// The book's server line, "Accept new connection from ADDRESS", written where the client's
/// address is final: after every middleware that may change it (a PROXY header), before the handler.
/// </summary>
internal static class AcceptLog
{
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(ILogger logger, LogLevel level = LogLevel.Information) => next => (connection, stopping) =>
    {
        TransportLog.Accepted(logger, level, connection.RemoteEndPoint, connection.Id);
        return next(connection, stopping);
    };
}

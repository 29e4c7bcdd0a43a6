using Microsoft.Extensions.Logging;

namespace Doorway.Transport.Epoll;

internal static partial class EpollLog
{
    [LoggerMessage(EventId = 160, Level = LogLevel.Critical, Message = "epoll loop {Loop} failed (errno {Errno}); its connections are no longer served")]
    public static partial void LoopFailed(ILogger logger, int loop, int errno);

    [LoggerMessage(EventId = 161, Level = LogLevel.Error, Message = "epoll loop {Loop}: handling a socket's events failed")]
    public static partial void EventFailed(ILogger logger, Exception exception, int loop);

    [LoggerMessage(EventId = 162, Level = LogLevel.Debug, Message = "{Door} door on {EndPoint}: {Loops} epoll loops, SO_REUSEPORT listeners")]
    public static partial void Listening(ILogger logger, string door, System.Net.IPEndPoint endPoint, int loops);
}

using Microsoft.Extensions.Logging;

namespace Doorway.Cache;

/// <summary>The cache door's events (1300–1319).</summary>
internal static partial class CacheLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "origin {Origin} failed for {Key}: {Reason}; {Status}")]
    public static partial void OriginFailed(ILogger logger, string origin, string key, string reason, int status);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "refused {Remote}: not in --cache-allow; 403")]
    public static partial void NotAllowed(ILogger logger, System.Net.IPEndPoint remote);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "request loop for {Key} (our Via came back); 508")]
    public static partial void Loop(ILogger logger, string key);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "origin {Origin} broke off {Key} after {Bytes} bytes of content: {Reason}; nothing stored")]
    public static partial void OriginBrokeOff(ILogger logger, string origin, string key, long bytes, string reason);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Debug, Message = "tunnel to {Target} ended: {Up} bytes up, {Down} down")]
    public static partial void TunnelEnded(ILogger logger, string target, long up, long down);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "disk store: discarded {File}: {Reason}")]
    public static partial void DiskEntryDiscarded(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Information, Message = "disk store {Directory}: {Count} objects, {Bytes} bytes loaded")]
    public static partial void DiskLoaded(ILogger logger, string directory, int count, long bytes);
}

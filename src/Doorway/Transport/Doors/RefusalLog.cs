using System.Net;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

/// <summary>
/// Refusals as the log shows them: the first of a burst at once, then at most one line a second
/// saying how many followed, so a flood of clients never floods the log.
/// </summary>
internal sealed class RefusalLog(ILogger logger, string door)
{
    public const string MaxConnections = "max-connections";
    public const string PerAddress = "max-connections-per-ip";
    public const string Descriptors = "file descriptors";

    private static readonly long IntervalMs = 1000;
    private readonly Lock _lock = new();
    private long _lastLogged = long.MinValue / 2;
    private int _suppressed;
    private string _lastLimit = MaxConnections;

    public void Refused(IPEndPoint remote, string limit)
    {
        long now = Environment.TickCount64;
        int suppressed;
        lock (_lock)
        {
            if (now - _lastLogged < IntervalMs)
            {
                _suppressed++;
                _lastLimit = limit;
                return;
            }

            suppressed = _suppressed;
            _suppressed = 0;
            _lastLogged = now;
        }

        if (suppressed > 0)
        {
            TransportLog.RefusedMore(logger, door, suppressed, _lastLimit);
        }

        TransportLog.Refused(logger, door, remote, limit);
    }

    /// <summary>The heartbeat's call: reports a burst's count once it has been quiet for the interval.</summary>
    public void Flush()
    {
        int suppressed;
        string limit;
        lock (_lock)
        {
            if (_suppressed == 0 || Environment.TickCount64 - _lastLogged < IntervalMs)
            {
                return;
            }

            suppressed = _suppressed;
            limit = _lastLimit;
            _suppressed = 0;
            _lastLogged = Environment.TickCount64;
        }

        TransportLog.RefusedMore(logger, door, suppressed, limit);
    }
}

namespace Doorway.Bench;

/// <summary>
/// The state every connection of one run shares: warming up, measuring or stopping, and the
/// send schedule when a rate is set.
/// </summary>
internal sealed class BenchRun
{
    private const int Warming = 0;
    private const int Measuring = 1;
    private const int Stopping = 2;

    private readonly double _intervalNs;
    private readonly double _spacingNs;
    private int _phase;

    public BenchRun(BenchOptions options)
    {
        Options = options;
        Start = BenchClock.Now();
        if (options.Rate is double rate)
        {
            // Each connection sends every connections/rate seconds; connections are spread evenly
            // over one interval, so the whole load is smooth rather than N-message bursts.
            _spacingNs = 1e9 / rate;
            _intervalNs = _spacingNs * options.Connections;
        }
    }

    public BenchOptions Options { get; }

    private readonly Dictionary<Transport.Epoll.EpollLoop, EpollBenchLoop> _shares = [];

    /// <summary>What the bench connections on <paramref name="loop"/> share (made at the first one's connect).</summary>
    public EpollBenchLoop Share(Transport.Epoll.EpollLoop loop)
    {
        lock (_shares)
        {
            if (!_shares.TryGetValue(loop, out var share))
            {
                share = new EpollBenchLoop();
                _shares.Add(loop, share);
            }

            return share;
        }
    }

    /// <summary>The Linux transport's client loops, for a tcp load on them (else null).</summary>
    public Transport.Epoll.EpollClient? Client { get; init; }

    /// <summary>When the run began (ns); the schedule counts from here.</summary>
    public long Start { get; }

    public bool HasRate => _intervalNs > 0;

    public bool IsMeasuring => Volatile.Read(ref _phase) == Measuring;

    public bool IsStopping => Volatile.Read(ref _phase) == Stopping;

    public void BeginMeasuring() => Volatile.Write(ref _phase, Measuring);

    public void Stop() => Volatile.Write(ref _phase, Stopping);

    /// <summary>When connection <paramref name="connection"/> should send its message <paramref name="message"/> (ns).</summary>
    public long IntendedSendTime(int connection, long message) =>
        Start + (long)((connection * _spacingNs) + (message * _intervalNs));

    /// <summary>The earliest a message is sent before its intended time: about one timer tick.</summary>
    public const long Slack = 1_000_000;

    /// <summary>
    /// Waits until about <paramref name="time"/> (ns). Timers tick in milliseconds and fire late,
    /// so this wakes one tick early, and the message goes up to <see cref="Slack"/> early rather
    /// than late: its latency then counts from when it went, and the generator's own timer lag is
    /// not charged to the server.
    /// </summary>
    public static async ValueTask WaitUntilAsync(long time)
    {
        long wait = time - BenchClock.Now() - Slack;
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromTicks(Math.Max(wait / 100, 1)));
        }
    }
}

namespace Doorway.Dns;

/// <summary>Limits of the DNS doors' TCP side (RFC 7766) and of the authoritative door's response rate.</summary>
public sealed record DnsOptions
{
    public static DnsOptions Default { get; } = new();

    /// <summary>
    /// A TCP connection with no query in progress is closed after this long. RFC 7766 §6.2.3 asks
    /// servers to allow idle connections but to keep the timeout short ("on the order of seconds");
    /// 10 s is Unbound's tcp-idle-timeout.
    /// </summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A query whose length prefix has arrived must arrive whole within this long, so a client cannot hold a connection by dribbling bytes.</summary>
    public TimeSpan TcpQueryTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Responses per second the authoritative door sends one source address over UDP (RRL-style,
    /// after a burst of as many); 0 is unlimited. 20 is far above a resolver's need for one zone and
    /// keeps the door a poor amplifier for a forged source. Loopback is exempt unless <see cref="RateLimitLoopback"/>.
    /// </summary>
    public int RateLimit { get; init; } = 20;

    /// <summary>
    /// Of the responses the rate limit drops, every Nth goes out truncated instead (TC, no records),
    /// so a real client behind a forged flood can still get its answer over TCP (BIND's "slip"); 0 drops all.
    /// </summary>
    public int RateLimitSlip { get; init; } = 2;

    /// <summary>Whether loopback sources are held to <see cref="RateLimit"/> (tests; a local resolver or benchmark wants full speed).</summary>
    public bool RateLimitLoopback { get; init; }

    /// <summary>Sources the rate limiter remembers at once (a fixed table; a new source past it replaces the stalest).</summary>
    public int RateLimitSources { get; init; } = 16_384;
}

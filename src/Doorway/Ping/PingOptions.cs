namespace Doorway.Ping;

/// <summary>How <c>doorway ping</c> pings.</summary>
public sealed record PingOptions
{
    public static PingOptions Default { get; } = new();

    /// <summary>Datagrams to send.</summary>
    public int Count { get; init; } = 10;

    /// <summary>Time from one send to the next (longer when a reply is awaited for longer).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a reply may take before the datagram counts as lost.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bytes per datagram; at least the header <c>ping SEQ TIMESTAMP</c> is sent.</summary>
    public int Size { get; init; } = 64;
}

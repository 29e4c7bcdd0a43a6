namespace Doorway.Ping;

/// <summary>The closing lines of a ping: what was sent, what came back in time, and the round trips.</summary>
public sealed record PingSummary
{
    public int Sent { get; init; }

    /// <summary>Datagrams answered within the timeout (each counted once).</summary>
    public int Received { get; init; }

    public int Late { get; init; }

    public int Duplicates { get; init; }

    public int Mismatched { get; init; }

    /// <summary>Datagrams from other addresses or ports, ignored.</summary>
    public long Strays { get; init; }

    public TimeSpan Elapsed { get; init; }

    public TimeSpan Min { get; init; }

    public TimeSpan Average { get; init; }

    public TimeSpan Max { get; init; }

    /// <summary>Mean deviation as ping(8) reports it: the standard deviation of the round trips.</summary>
    public TimeSpan Deviation { get; init; }

    public int Lost => Sent - Received;

    public double LossPercent => Sent == 0 ? 0 : 100.0 * Lost / Sent;
}

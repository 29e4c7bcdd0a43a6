namespace Doorway.Transport;

/// <summary>A door's timeouts, in the heartbeat's units (milliseconds of <see cref="Environment.TickCount64"/>).</summary>
internal readonly record struct TimeoutPolicy(long IdleMs, long MinBytesPerSecond, long GraceMs)
{
    public static TimeoutPolicy From(WelcomeDoorOptions options) => new(
        (long)options.IdleTimeout.TotalMilliseconds,
        options.MinDataRate,
        (long)options.MinDataRateGrace.TotalMilliseconds);
}

using System.Diagnostics;

namespace Doorway.Bench;

/// <summary>Monotonic time in nanoseconds, as the latency histogram records it.</summary>
internal static class BenchClock
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    public static long Now() => Stopwatch.Frequency == 1_000_000_000
        ? Stopwatch.GetTimestamp()
        : (long)(Stopwatch.GetTimestamp() * NanosecondsPerTick);
}

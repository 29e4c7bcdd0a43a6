namespace Doorway.Bench;

/// <summary>What a load measured: the counts, the time, and the merged latency histogram.</summary>
public sealed record BenchResult
{
    public required BenchOptions Options { get; init; }

    /// <summary>The measured time (the duration, or less if the run was interrupted).</summary>
    public required TimeSpan Elapsed { get; init; }

    public required long Messages { get; init; }

    public required long Bytes { get; init; }

    public required long Errors { get; init; }

    public required long Mismatches { get; init; }

    public required long Lost { get; init; }

    public required long Late { get; init; }

    /// <summary>The first error, in plain words, if there was one.</summary>
    public string? FirstError { get; init; }

    /// <summary>Why the first mismatch was one (a status, a length), if there was one.</summary>
    public string? FirstMismatch { get; init; }

    public required LatencyHistogram Latency { get; init; }

    /// <summary>
    /// Bytes the generator's process allocated while measuring (all threads): its loops allocate
    /// nothing per message, so this stays small (timers, progress, a thread the pool adds) however many messages pass.
    /// </summary>
    public long AllocatedBytes { get; init; }

    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? Messages / Elapsed.TotalSeconds : 0;

    /// <summary>Payload mebibytes per second, one way (what was sent equals what came back).</summary>
    public double MibPerSecond => Elapsed > TimeSpan.Zero ? Bytes / Elapsed.TotalSeconds / (1024 * 1024) : 0;

    /// <summary>Latency at <paramref name="percentile"/> in microseconds.</summary>
    public double LatencyUs(double percentile) => Latency.ValueAt(percentile) / 1000.0;

    public double MaxUs => Latency.Max / 1000.0;
}

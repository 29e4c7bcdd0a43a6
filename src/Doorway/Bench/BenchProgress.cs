namespace Doorway.Bench;

/// <summary>One line of live progress: where the run is and what the last second did.</summary>
public readonly record struct BenchProgress(bool Measuring, TimeSpan Elapsed, double MessagesPerSecond, long Messages, long Errors, long Mismatches);

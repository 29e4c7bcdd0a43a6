using Doorway.Bench;

namespace Doorway.Tests.Bench;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_of_a_uniform_distribution_are_within_one_percent()
    {
        var histogram = new LatencyHistogram();
        for (long v = 1; v <= 1_000_000; v++)
        {
            histogram.Record(v);
        }

        Assert.Equal(1_000_000, histogram.Count);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(1_000_000, histogram.Max);
        foreach (double p in new[] { 1, 10, 50, 90, 99, 99.9, 99.99 })
        {
            double expected = p / 100 * 1_000_000;
            Assert.InRange(histogram.ValueAt(p), expected * 0.99, expected * 1.01);
        }

        Assert.Equal(1_000_000, histogram.ValueAt(100));
    }

    [Fact]
    public void Percentiles_of_a_skewed_distribution_match_the_sorted_values()
    {
        // Latency-like: most values near 50 µs, a long tail up to seconds.
        var random = new Random(42);
        var values = new long[200_000];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (long)(50_000 * Math.Exp(random.NextDouble() * random.NextDouble() * 10));
        }

        var histogram = new LatencyHistogram();
        foreach (long v in values)
        {
            histogram.Record(v);
        }

        Array.Sort(values);
        foreach (double p in new[] { 50, 90, 99, 99.9 })
        {
            long exact = values[(int)Math.Ceiling(p / 100 * values.Length) - 1];
            Assert.InRange(histogram.ValueAt(p), exact * 0.99, exact * 1.01);
        }

        Assert.Equal(values[^1], histogram.Max);
    }

    [Fact]
    public void Small_values_are_exact()
    {
        var histogram = new LatencyHistogram();
        foreach (long v in new long[] { 0, 1, 2, 3, 100, 255 })
        {
            histogram.Record(v);
        }

        Assert.Equal(0, histogram.ValueAt(1));
        Assert.Equal(3, histogram.ValueAt(60));
        Assert.Equal(100, histogram.ValueAt(80));
        Assert.Equal(255, histogram.ValueAt(100));
    }

    [Fact]
    public void Merging_equals_recording_everything_in_one()
    {
        var random = new Random(7);
        var whole = new LatencyHistogram();
        var parts = Enumerable.Range(0, 4).Select(_ => new LatencyHistogram()).ToArray();
        for (int i = 0; i < 100_000; i++)
        {
            long v = random.NextInt64(1, 50_000_000);
            whole.Record(v);
            parts[i % 4].Record(v);
        }

        var merged = new LatencyHistogram();
        merged.Merge(new LatencyHistogram());
        foreach (var part in parts)
        {
            merged.Merge(part);
        }

        Assert.Equal(whole.Count, merged.Count);
        Assert.Equal(whole.Min, merged.Min);
        Assert.Equal(whole.Max, merged.Max);
        foreach (double p in new[] { 0.1, 50, 90, 99, 99.9, 100 })
        {
            Assert.Equal(whole.ValueAt(p), merged.ValueAt(p));
        }
    }

    [Fact]
    public void Memory_is_constant_and_recording_allocates_nothing()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long v = 0; v < 1_000_000; v++)
        {
            histogram.Record(v * 997);
        }

        histogram.Record(long.MaxValue);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(LatencyHistogram.MaxValue, histogram.Max);
        Assert.True(LatencyHistogram.BucketCount * sizeof(long) <= 32 * 1024, "one histogram is at most 32 KiB");
    }

    [Fact]
    public void An_empty_histogram_reports_zero()
    {
        var histogram = new LatencyHistogram();
        Assert.Equal(0, histogram.ValueAt(99));
        Assert.Equal(0, histogram.Max);
    }
}

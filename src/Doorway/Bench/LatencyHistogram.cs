using System.Numerics;

namespace Doorway.Bench;

/// <summary>
/// An HDR-style latency histogram in nanoseconds: exact below 256 ns, above that every power of
/// two is split into 128 equal buckets, so a bucket is at most 1/128 (0.8%) of its values wide
/// and a reported percentile (the bucket's middle) is within 0.4% of the truth. The counters are
/// one fixed array whatever is recorded (values above <see cref="MaxValue"/> are clamped);
/// recording is O(1) and allocates nothing; histograms of several connections merge by addition.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int LinearBuckets = 2 * SubBuckets;

    // 2^36 ns is 68.7 s: far above any round trip a benchmark should see.
    private const int MaxExponent = 36;

    /// <summary>The largest value kept apart from the rest; larger ones are recorded as this.</summary>
    public const long MaxValue = (1L << MaxExponent) - 1;

    /// <summary>Counters in every histogram, whatever it records.</summary>
    public const int BucketCount = LinearBuckets + (MaxExponent - SubBucketBits - 1) * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The largest value recorded (after clamping), 0 when empty.</summary>
    public long Max { get; private set; }

    /// <summary>The smallest value recorded, 0 when empty.</summary>
    public long Min { get; private set; }

    public void Record(long nanoseconds)
    {
        long value = Math.Clamp(nanoseconds, 0, MaxValue);
        _counts[IndexOf(value)]++;
        if (Count == 0 || value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }

        Count++;
    }

    /// <summary>Adds every value of <paramref name="other"/> to this histogram.</summary>
    public void Merge(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return;
        }

        for (int i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Min = Count == 0 ? other.Min : Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        Count += other.Count;
    }

    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
        Max = 0;
        Min = 0;
    }

    /// <summary>
    /// The value below which <paramref name="percentile"/> percent of the values fall: the middle
    /// of the bucket holding that rank, kept within the recorded minimum and maximum. 0 when empty.
    /// </summary>
    public long ValueAt(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                var (low, width) = BucketOf(i);
                return Math.Clamp(low + (width - 1) / 2, Min, Max);
            }
        }

        return Max;
    }

    private static int IndexOf(long value)
    {
        if (value < LinearBuckets)
        {
            return (int)value;
        }

        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = exponent - SubBucketBits;
        int sub = (int)(value >> shift) & (SubBuckets - 1);
        return LinearBuckets + (exponent - SubBucketBits - 1) * SubBuckets + sub;
    }

    private static (long Low, long Width) BucketOf(int index)
    {
        if (index < LinearBuckets)
        {
            return (index, 1);
        }

        int j = index - LinearBuckets;
        int shift = j / SubBuckets + 1;
        return ((long)(SubBuckets + j % SubBuckets) << shift, 1L << shift);
    }
}

namespace Doorway.Files;

/// <summary>
/// A token bucket of bytes per second shared by every hash: a read takes its bytes first and, when
/// the bucket is short, waits until the rate has paid for them. Takers reserve (the balance goes
/// below zero), so each waits behind those before it and the rate holds however many hash at once.
/// </summary>
internal sealed class HashBudget
{
    private readonly long _bytesPerSecond;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _last;
    private long _waits;

    public HashBudget(long bytesPerSecond, long burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _bytesPerSecond = bytesPerSecond;
        _burst = burst;
        _time = time;
        _tokens = burst;
        _last = time.GetTimestamp();
    }

    /// <summary>Times a read had to wait for the rate.</summary>
    public long Waits => Interlocked.Read(ref _waits);

    /// <summary>Takes <paramref name="bytes"/> from the bucket, waiting as long as the rate says.</summary>
    public Task TakeAsync(int bytes, CancellationToken cancellationToken = default)
    {
        TimeSpan wait;
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            double earned = (now - _last) * (double)_bytesPerSecond / _time.TimestampFrequency;
            _tokens = Math.Min(_burst, _tokens + earned) - bytes;
            _last = now;
            if (_tokens >= 0)
            {
                return Task.CompletedTask;
            }

            wait = TimeSpan.FromSeconds(-_tokens / _bytesPerSecond);
        }

        Interlocked.Increment(ref _waits);
        return Task.Delay(wait, _time, cancellationToken);
    }
}

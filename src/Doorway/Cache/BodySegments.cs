namespace Doorway.Cache;

/// <summary>
/// An object's content held in memory as fixed 64 KiB segments (no array on the large object
/// heap, no copy as it grows), written by the one fetch that fills it and read at the same time
/// by the clients it is streamed to: a reader sees what is written so far and waits for more.
/// Once complete it never changes, and readers need no lock.
/// </summary>
internal sealed class BodySegments
{
    public const int SegmentBytes = 64 * 1024;

    private readonly Lock _lock = new();
    private byte[][] _segments;
    private int _count;
    private long _length;
    private readonly long _expected;
    private long _allocated;
    private State _state;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BodySegments(long expectedLength = -1)
    {
        int slots = expectedLength > 0 ? (int)Math.Min((expectedLength + SegmentBytes - 1) / SegmentBytes, 1 << 16) : 1;
        _segments = new byte[Math.Max(slots, 1)][];
        _expected = expectedLength;
    }

    private enum State
    {
        Filling,
        Complete,
        Failed,
    }

    /// <summary>The length the origin announced (Content-Length), or -1.</summary>
    public long ExpectedLength => _expected;

    /// <summary>Bytes written so far (all of them once complete).</summary>
    public long Length
    {
        get
        {
            lock (_lock)
            {
                return _length;
            }
        }
    }

    public bool IsComplete
    {
        get
        {
            lock (_lock)
            {
                return _state == State.Complete;
            }
        }
    }

    public bool IsFailed
    {
        get
        {
            lock (_lock)
            {
                return _state == State.Failed;
            }
        }
    }

    /// <summary>A complete body of one piece (the stored object's content as it is sent).</summary>
    public static BodySegments Of(ReadOnlySpan<byte> content)
    {
        var body = new BodySegments(content.Length);
        body.Append(content);
        body.Complete();
        return body;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (_state != State.Filling)
            {
                throw new InvalidOperationException("the body is no longer filling");
            }

            while (!bytes.IsEmpty)
            {
                int offset = (int)(_length % SegmentBytes);
                if (offset == 0)
                {
                    if (_count == _segments.Length)
                    {
                        Array.Resize(ref _segments, _segments.Length * 2);
                    }

                    // The last segment takes only what is still expected: a 4 KiB object holds 4 KiB.
                    long rest = _expected > _length ? _expected - _length : SegmentBytes;
                    _segments[_count++] = new byte[(int)Math.Min(SegmentBytes, Math.Max(rest, bytes.Length))];
                    _allocated += _segments[_count - 1].Length;
                }

                var segment = _segments[_count - 1];
                if (offset == segment.Length)
                {
                    // More than expected (no length was promised): the short segment grows to full size.
                    _allocated += SegmentBytes - segment.Length;
                    Array.Resize(ref segment, SegmentBytes);
                    _segments[_count - 1] = segment;
                }

                int take = Math.Min(bytes.Length, segment.Length - offset);
                bytes[..take].CopyTo(segment.AsSpan(offset));
                bytes = bytes[take..];
                _length += take;
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>The content is all here: readers waiting for more learn it is the end.</summary>
    public void Complete() => End(State.Complete);

    /// <summary>The fetch failed: readers waiting for more learn it will never come.</summary>
    public void Fail() => End(State.Failed);

    /// <summary>
    /// The written bytes from <paramref name="offset"/>, within one segment and at most
    /// <paramref name="max"/>; empty when there are none yet (then <paramref name="ended"/> tells
    /// whether any will come: true when complete or failed).
    /// </summary>
    public ReadOnlyMemory<byte> Read(long offset, long max, out bool ended, out Task more)
    {
        lock (_lock)
        {
            more = _changed.Task;
            ended = _state != State.Filling;
            if (offset >= _length)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            int index = (int)(offset / SegmentBytes);
            int start = (int)(offset % SegmentBytes);
            long available = Math.Min(_length - offset, SegmentBytes - start);
            return _segments[index].AsMemory(start, (int)Math.Min(available, max));
        }
    }

    /// <summary>Bytes this body holds in memory (its segments).</summary>
    public long Footprint
    {
        get
        {
            lock (_lock)
            {
                return _allocated;
            }
        }
    }

    private void End(State state)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (_state != State.Filling)
            {
                return;
            }

            _state = state;
            changed = _changed;
        }

        changed.TrySetResult();
    }
}

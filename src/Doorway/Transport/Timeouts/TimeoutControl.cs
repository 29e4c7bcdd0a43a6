namespace Doorway.Transport;

/// <summary>
/// One connection's clocks, all checked by its door's heartbeat (no timer per connection):
/// <list type="bullet">
/// <item>idle: nothing to send and nothing received for the door's idle timeout (the clock restarts with every receive and every send taken);</item>
/// <item>minimum data rate: while a send is pending, it must be taken within the grace plus N / rate for its N bytes
/// (Kestrel's MinResponseDataRate). The idle clock does not run then: a reader that pauses (curl --limit-rate reads
/// in bursts, leaving seconds in which no byte moves) is judged by its rate, not by its pauses;</item>
/// <item>a protocol deadline with a reason (a request head in time): its expiry cancels <see cref="Token"/>, so the protocol can still answer (408).</item>
/// </list>
/// The first two end the connection; the reason is kept for the log.
/// </summary>
public sealed class TimeoutControl
{
    // Made on first use: most connections (a capitalize client, an HTTP request that arrives whole) never need it.
    private Lock? _lock;
    private long _lastActivity = Environment.TickCount64;
    private long _sendDeadline = long.MaxValue;
    private long _deadline = long.MaxValue;
    private TimeoutReason _deadlineReason;
    private CancellationTokenSource? _expiry;
    private int _expired;

    /// <summary>Why the transport ended (or cancelled) the connection; None while no clock ran out.</summary>
    public TimeoutReason Expired => (TimeoutReason)Volatile.Read(ref _expired);

    /// <summary>Cancelled when the protocol deadline passes; read it for each wait (a fresh one follows an expiry).</summary>
    public CancellationToken Token
    {
        get
        {
            lock (Gate)
            {
                _expiry ??= new CancellationTokenSource();
                return _expiry.Token;
            }
        }
    }

    internal long LastActivity => Volatile.Read(ref _lastActivity);

    private Lock Gate
    {
        get
        {
            if (_lock is null)
            {
                Interlocked.CompareExchange(ref _lock, new Lock(), null);
            }

            return _lock;
        }
    }

    /// <summary>Bytes moved: the idle clock starts again.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    /// <summary>Starts the protocol's clock: after <paramref name="timeout"/>, <see cref="Token"/> is cancelled.</summary>
    public void SetDeadline(TimeSpan timeout, TimeoutReason reason)
    {
        lock (Gate)
        {
            _deadlineReason = reason;
            _expiry ??= new CancellationTokenSource();
            Volatile.Write(ref _deadline, Environment.TickCount64 + (long)timeout.TotalMilliseconds);
        }
    }

    /// <summary>Stops the protocol's clock. A token already given to the expiry stays cancelled; <see cref="Token"/> hands out a fresh one.</summary>
    public void ClearDeadline()
    {
        if (Volatile.Read(ref _deadline) == long.MaxValue)
        {
            return;
        }

        lock (Gate)
        {
            _deadline = long.MaxValue;
        }
    }

    internal void SendStarted(long bytes, in TimeoutPolicy policy)
    {
        // With no minimum rate a pending send has no deadline at all (long.MaxValue - 1 still stops the idle clock).
        long allowed = policy.MinBytesPerSecond > 0 ? policy.GraceMs + (bytes * 1000 / policy.MinBytesPerSecond) : long.MaxValue / 2;
        Volatile.Write(ref _sendDeadline, Environment.TickCount64 + allowed);
    }

    internal void SendEnded(long bytes)
    {
        Volatile.Write(ref _sendDeadline, long.MaxValue);
        if (bytes > 0)
        {
            Touch();
        }
    }

    /// <summary>
    /// The heartbeat's look at the clocks: returns the reason to end the connection, if one ran
    /// out; a passed protocol deadline cancels <see cref="Token"/> instead.
    /// </summary>
    internal TimeoutReason Check(long now, in TimeoutPolicy policy)
    {
        long sendDeadline = Volatile.Read(ref _sendDeadline);
        if (now > sendDeadline)
        {
            return Expire(TimeoutReason.MinDataRate);
        }

        if (sendDeadline == long.MaxValue && policy.IdleMs > 0 && now - LastActivity >= policy.IdleMs)
        {
            return Expire(TimeoutReason.Idle);
        }

        if (now >= Volatile.Read(ref _deadline))
        {
            CancellationTokenSource? expiry = null;
            lock (Gate)
            {
                if (now >= _deadline)
                {
                    _deadline = long.MaxValue;
                    Volatile.Write(ref _expired, (int)_deadlineReason);
                    // The protocol's next Token is a fresh one; this one is cancelled for whoever holds it.
                    expiry = _expiry;
                    _expiry = null;
                }
            }

            // Not on the heartbeat: a cancelled receive may run the protocol's continuation (its 408) inline.
            if (expiry is not null)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static expiry => CancelQuietly(expiry), expiry, preferLocal: false);
            }
        }

        return TimeoutReason.None;
    }

    private static void CancelQuietly(CancellationTokenSource expiry)
    {
        try
        {
            expiry.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The protocol finished and cleared the deadline first.
        }
    }

    /// <summary>Records that the door ended the connection for <paramref name="reason"/> (drain).</summary>
    internal TimeoutReason Expire(TimeoutReason reason)
    {
        Volatile.Write(ref _expired, (int)reason);
        return reason;
    }
}

namespace Doorway.Transport.Epoll;

/// <summary>
/// The receive direction of an <see cref="EpollConnection"/>: a wait for data that holds no
/// buffer, and a receive straight into the caller's (pooled) buffer. A short read tells that
/// the kernel's queue is empty, so the next wait costs no system call: it waits for the next edge.
/// </summary>
internal sealed class EpollReceiver(EpollConnection connection, bool continueOnThreadPool, CancellationToken doorStopping) : EpollOperation(continueOnThreadPool, doorStopping)
{
    private const int Waiting = 1;
    private const int Receiving = 2;

    private Memory<byte> _buffer;

    // Events counted when a read last found the queue empty: equal to Events means "nothing new".
    // Read without the lock only as a hint; decisions are taken under it.
    private int _emptyAt;

    // Whether _emptyAt was ever set by a read that found the queue empty (a new connection's queue
    // is unknown: what came before it joined the epoll set is read at once).
    private bool _emptySeen;

    // The peer closed, or the connection failed: reads never wait again (they return 0 or the error).
    private bool _ended;

    // The peer sent TCP urgent data (EPOLLPRI). recv stops at the urgent mark, so from then on a
    // short read no longer says the queue is empty: only EAGAIN does.
    private volatile bool _urgent;

    /// <summary>On the loop thread, before the readable edge is counted: urgent data is queued.</summary>
    public void UrgentSeen() => _urgent = true;

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        connection.Info.State = ConnectionState.Idle;
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        connection.ThrowIfClosed();
        lock (this)
        {
            if (_ended || Events != _emptyAt)
            {
                return ValueTask.CompletedTask;
            }

            _buffer = default;
            BeginPending(Waiting, cancellationToken);
            return new ValueTask(this, Version);
        }
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        if (buffer.IsEmpty)
        {
            // recv(2) of 0 bytes returns 0 at once, which reads as end of stream: wait instead.
            var wait = WaitAsync(cancellationToken);
            return wait.IsCompletedSuccessfully ? ValueTask.FromResult(0) : WaitThenZeroAsync(wait);
        }

        if (Volatile.Read(ref _emptySeen) && Volatile.Read(ref Events) == Volatile.Read(ref _emptyAt))
        {
            lock (this)
            {
                if (!_ended && Events == _emptyAt)
                {
                    // The last read emptied the queue and no edge came since, so a recv now could
                    // only say EAGAIN: a system call per message that a ping-pong peer pays in
                    // full (issue 11). The next edge finishes this receive on the loop.
                    _buffer = buffer;
                    BeginPending(Receiving, cancellationToken);
                    return new ValueTask<int>(this, Version);
                }
            }
        }

        while (true)
        {
            int seen = Volatile.Read(ref Events);
            int received = connection.Receive(buffer.Span, out int errno);
            if (received >= 0)
            {
                Received(buffer.Length, received, seen);
                return ValueTask.FromResult(received);
            }

            if (errno == EpollInterop.EINTR)
            {
                continue;
            }

            if (errno != EpollInterop.EAGAIN)
            {
                return ValueTask.FromException<int>(EpollInterop.Error(errno));
            }

            lock (this)
            {
                if (Events != seen || _ended)
                {
                    continue;
                }

                _emptyAt = seen;
                _emptySeen = true;
                _buffer = buffer;
                BeginPending(Receiving, cancellationToken);
                return new ValueTask<int>(this, Version);
            }
        }
    }

    /// <summary>On the loop thread: epoll reported the descriptor readable (or closed, or failed).</summary>
    public void OnReady(bool ended)
    {
        int result;
        Exception? failure = null;
        lock (this)
        {
            Events++;
            _ended |= ended;
            if (State == Idle)
            {
                return;
            }

            if (State == Waiting)
            {
                EndPending();
                result = 0;
            }
            else
            {
                // The receive runs under the lock: a close that fails the operation meanwhile must
                // not see the caller's buffer (back in its pool) written afterwards.
                int seen = Events;
                result = connection.Receive(_buffer.Span, out int errno);
                if (result >= 0)
                {
                    Received(_buffer.Length, result, seen);
                }
                else if (errno == EpollInterop.EAGAIN || errno == EpollInterop.EINTR)
                {
                    // A spurious edge (another reader took the bytes, or only an EPOLLOUT edge): keep waiting.
                    _emptyAt = seen;
                    _emptySeen = true;
                    return;
                }
                else
                {
                    failure = EpollInterop.Error(errno);
                }

                _buffer = default;
                EndPending();
            }
        }

        if (failure is not null)
        {
            CompleteFailure(failure);
        }
        else
        {
            Complete(result);
        }
    }

    private void Received(int asked, int received, int seen)
    {
        if (received == 0)
        {
            _ended = true;
        }
        else if (received < asked && !_urgent)
        {
            // TCP hands over what is queued, up to the length asked: less means the queue is empty
            // now (unless the read stopped at an urgent mark: see _urgent).
            Volatile.Write(ref _emptyAt, seen);
            Volatile.Write(ref _emptySeen, true);
        }

        var info = connection.Info;
        info.State = ConnectionState.Receiving;
        if (received > 0)
        {
            info.Received(received);
            info.Timeouts.Touch();
        }
    }

    private static async ValueTask<int> WaitThenZeroAsync(ValueTask wait)
    {
        await wait.ConfigureAwait(false);
        return 0;
    }
}

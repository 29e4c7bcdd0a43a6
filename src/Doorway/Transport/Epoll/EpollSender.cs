namespace Doorway.Transport.Epoll;

/// <summary>
/// The send direction of an <see cref="EpollConnection"/>: sends straight from the caller's
/// buffer, in pieces of at most <see cref="SocketConnection.SendPieceBytes"/>, each timed against
/// the minimum data rate. What the kernel can't take yet stays in the caller's buffer (the one
/// pending send is the whole backpressure: nothing is copied or queued here) until epoll reports
/// the socket writable.
/// </summary>
internal sealed class EpollSender(EpollConnection connection, TimeoutPolicy policy, bool continueOnThreadPool, CancellationToken doorStopping) : EpollOperation(continueOnThreadPool, doorStopping)
{
    private const int Sending = 1;
    private const int Waiting = 2;

    private ReadOnlyMemory<byte> _rest;
    private bool _pieceTimed;

    public TimeoutPolicy Policy => policy;

    /// <summary>Writability events seen so far (for a caller that will wait with <see cref="WaitAsync"/>).</summary>
    public int Seen => Volatile.Read(ref Events);

    public ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        connection.Info.State = ConnectionState.Sending;
        _rest = buffer;
        while (true)
        {
            int seen = Volatile.Read(ref Events);
            int errno = Pump();
            if (errno == 0)
            {
                return ValueTask.CompletedTask;
            }

            if (errno != EpollInterop.EAGAIN)
            {
                _rest = default;
                return ValueTask.FromException(EpollInterop.Error(errno));
            }

            lock (this)
            {
                if (Events != seen)
                {
                    continue;
                }

                BeginPending(Sending, cancellationToken);
                return new ValueTask(this, Version);
            }
        }
    }

    /// <summary>Waits until the socket is writable again, if no writability event came since <paramref name="seen"/> (a sendfile that would block).</summary>
    /// <param name="continueOnThreadPool">The caller's continuation runs on the thread pool even on an inline connection (a file send, which may block).</param>
    public ValueTask WaitAsync(int seen, CancellationToken cancellationToken, bool continueOnThreadPool = false)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        lock (this)
        {
            if (Events != seen)
            {
                return ValueTask.CompletedTask;
            }

            BeginPending(Waiting, cancellationToken, continueOnThreadPool);
            return new ValueTask(this, Version);
        }
    }

    /// <summary>On the loop thread: epoll reported the socket writable (or failed).</summary>
    public void OnReady()
    {
        int errno = 0;
        lock (this)
        {
            Events++;
            if (State == Idle)
            {
                return;
            }

            if (State == Sending)
            {
                // Under the lock, as a receive: a close that fails the send must not race the buffer's reuse.
                errno = Pump();
                if (errno == EpollInterop.EAGAIN)
                {
                    return;
                }

                _rest = default;
            }

            EndPending();
        }

        if (errno != 0)
        {
            CompleteFailure(EpollInterop.Error(errno));
        }
        else
        {
            Complete(0);
        }
    }

    /// <summary>Sends what is left of the buffer until done (0), the kernel is full (EAGAIN), or an error (its errno).</summary>
    private int Pump()
    {
        var timeouts = connection.Info.Timeouts;
        while (!_rest.IsEmpty)
        {
            var piece = _rest.Length > SocketConnection.SendPieceBytes ? _rest[..SocketConnection.SendPieceBytes] : _rest;
            if (!_pieceTimed)
            {
                timeouts.SendStarted(piece.Length, policy);
                _pieceTimed = true;
            }

            int sent = connection.Send(piece.Span, out int errno);
            if (sent > 0)
            {
                _pieceTimed = false;
                timeouts.SendEnded(sent);
                connection.Info.Sent(sent);
                _rest = _rest[sent..];
                continue;
            }

            if (errno == EpollInterop.EINTR)
            {
                continue;
            }

            if (errno != EpollInterop.EAGAIN)
            {
                _pieceTimed = false;
                timeouts.SendEnded(0);
            }

            return errno;
        }

        return 0;
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Transport.Epoll;

/// <summary>
/// A connection door of the Linux transport: an accepted, non-blocking socket registered once with
/// its loop's epoll (edge-triggered, in and out), read and written with recv/send straight into
/// the caller's buffers. It behaves as <see cref="SocketConnection"/> does: the same counters and
/// clocks, a FIN after what was queued on <see cref="Close"/>, a reset on <see cref="Abort"/> while
/// an operation is pending (as .NET's Socket.Dispose does), and the descriptor closed exactly once.
/// An idle connection holds no buffer: this object, its two operations and its info.
/// </summary>
internal sealed class EpollConnection : DoorConnection, IEpollReady
{
    /// <summary>Bytes per sendfile round, as <see cref="SocketFileSender.RoundBytes"/>: each round taken is activity.</summary>
    private const int FileRoundBytes = SocketFileSender.RoundBytes;

    private readonly SocketDescriptor _descriptor;
    private readonly EpollLoop _loop;
    private readonly EpollReceiver _receiver;
    private readonly EpollSender _sender;
    private readonly ulong _key;
    private int _closed;

    /// <param name="doorStopping">The door's stopping token, which the handler passes to its waits: registered once per connection, not per wait.</param>
    public EpollConnection(in AcceptedSocket accepted, ConnectionInfo info, TimeoutPolicy policy, bool dispatchToThreadPool, CancellationToken doorStopping = default)
        : base(info, info.RemoteEndPoint.Address)
    {
        _descriptor = accepted.Descriptor;
        _loop = accepted.Loop;
        _receiver = new EpollReceiver(this, dispatchToThreadPool, doorStopping);
        _sender = new EpollSender(this, policy, dispatchToThreadPool, doorStopping);
        _key = _loop.Register(this, _descriptor.Fd);
    }

    public override unsafe int Available
    {
        get
        {
            int available = 0;
            bool held = false;
            try
            {
                _descriptor.DangerousAddRef(ref held);
                return EpollInterop.ioctl(_descriptor.Fd, EpollInterop.Fionread, &available) == 0 ? available : 0;
            }
            catch (ObjectDisposedException)
            {
                return 0;
            }
            finally
            {
                if (held)
                {
                    _descriptor.DangerousRelease();
                }
            }
        }
    }

    public override ValueTask WaitForDataAsync(CancellationToken cancellationToken = default) => _receiver.WaitAsync(cancellationToken);

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _receiver.ReceiveAsync(buffer, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _sender.SendAsync(buffer, cancellationToken);

    /// <summary>
    /// sendfile(2) from the file's descriptor, in rounds of 1 MiB; waits for writability when the
    /// kernel is full. sendfile reads the file, and may wait for the disk, so on the event loop a
    /// round is sent there only when the page cache holds all of it (<see cref="Files.PageCache.Holds"/>:
    /// then sendfile only copies, as nginx's worker calls it); a round that is not moves to the
    /// thread pool with the rest of the file, and its waits for writability continue there.
    /// </summary>
    public override async Task SendFileAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        Info.State = ConnectionState.Sending;
        var timeouts = Info.Timeouts;
        while (count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int round = (int)Math.Min(count, FileRoundBytes);
            if (LoopThread.IsCurrent && !Files.PageCache.Holds(file, offset, round))
            {
                await LoopThread.LeaveAsync();
            }

            // Off the loop (this round needs the disk, or the connection runs on the pool), its
            // waits continue off it; on it, they come back to it.
            bool offLoop = !LoopThread.IsCurrent;
            timeouts.SendStarted(round, _sender.Policy);
            long left = round;
            while (left > 0)
            {
                int seen = _sender.Seen;
                long sent = SendFile(file, ref offset, left, out int errno);
                if (sent > 0)
                {
                    left -= sent;
                    Info.Sent(sent);
                }
                else if (sent == 0)
                {
                    throw new EndOfStreamException("The file ended before the part being sent.");
                }
                else if (errno == EpollInterop.EAGAIN)
                {
                    await _sender.WaitAsync(seen, cancellationToken, continueOnThreadPool: offLoop);
                }
                else if (errno != EpollInterop.EINTR)
                {
                    timeouts.SendEnded(0);
                    throw EpollInterop.Error(errno);
                }
            }

            timeouts.SendEnded(round);
            count -= round;
        }
    }

    /// <summary>For a connect in progress (a client's): waits for the first writability edge, then reads the outcome (SO_ERROR).</summary>
    internal async Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        await _sender.WaitAsync(0, cancellationToken);
        int error = ConnectError();
        if (error != 0)
        {
            throw EpollInterop.Error(error);
        }

        LocalEndPoint = LocalAddress();
    }

    private unsafe int ConnectError()
    {
        int error = 0;
        uint length = sizeof(int);
        return EpollInterop.getsockopt(_descriptor.Fd, EpollInterop.SolSocket, EpollInterop.SoError, &error, &length) == 0 ? error : System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
    }

    private unsafe IPEndPoint LocalAddress()
    {
        byte* address = stackalloc byte[SocketAddresses.MaxLength];
        uint length = SocketAddresses.MaxLength;
        return EpollInterop.getsockname(_descriptor.Fd, address, &length) == 0 ? Normalize(SocketAddresses.Read(address, length)) : LocalEndPoint;
    }

    public override void ShutdownSend()
    {
        Info.State = ConnectionState.Closing;
        bool held = false;
        try
        {
            _descriptor.DangerousAddRef(ref held);
            // ENOTCONN (the peer is gone) is fine: closing will follow.
            _ = EpollInterop.shutdown(_descriptor.Fd, EpollInterop.ShutWrite);
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (held)
            {
                _descriptor.DangerousRelease();
            }
        }
    }

    /// <summary>Ends the connection now; with an operation pending, the peer gets a reset (as .NET's Dispose gives it).</summary>
    public override void Abort()
    {
        if (_receiver.IsPending || _sender.IsPending)
        {
            SetLingerZero();
        }

        CloseDescriptor();
    }

    /// <summary>A FIN after what is already queued, then the descriptor closed.</summary>
    internal override void Close()
    {
        ShutdownSend();
        CloseDescriptor();
    }

    /// <summary>The loop that serves this connection.</summary>
    internal EpollLoop Loop => _loop;

    /// <summary>The descriptor's number, for a handler it is handed over to.</summary>
    internal int Fd => _descriptor.Fd;

    /// <summary>
    /// Gives the socket to a handler of its own (the load generator's, once connected): its events
    /// go to <paramref name="next"/> from now on, and this connection lets go of the descriptor
    /// without closing it (its Dispose does nothing more). Only while nothing is pending.
    /// </summary>
    internal (SocketDescriptor Descriptor, EpollLoop Loop, ulong Key) HandOver(IEpollReady next)
    {
        if (_receiver.IsPending || _sender.IsPending || Interlocked.Exchange(ref _closed, 1) != 0)
        {
            throw new InvalidOperationException("only an open, idle connection can be handed over");
        }

        _loop.Replace(_key, next);
        return (_descriptor, _loop, _key);
    }

    internal void ThrowIfClosed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, this);

    /// <summary>On the loop thread: what epoll reported for this socket.</summary>
    public void OnEvents(uint events)
    {
        const uint ended = EpollInterop.EpollErr | EpollInterop.EpollHup | EpollInterop.EpollRdHup;
        if ((events & EpollInterop.EpollPri) != 0)
        {
            // Before the edge is counted: a reader that sees the count sees this too.
            _receiver.UrgentSeen();
        }

        if ((events & (EpollInterop.EpollIn | ended)) != 0)
        {
            _receiver.OnReady((events & ended) != 0);
        }

        if ((events & (EpollInterop.EpollOut | EpollInterop.EpollErr | EpollInterop.EpollHup)) != 0)
        {
            _sender.OnReady();
        }
    }

    /// <summary>recv(2) calls made on this connection: what a test counts to see a receive that waits without one.</summary>
    internal long ReceiveCalls { get; private set; }

    internal unsafe int Receive(Span<byte> buffer, out int errno)
    {
        ReceiveCalls++;
        bool held = false;
        try
        {
            _descriptor.DangerousAddRef(ref held);
            fixed (byte* p = buffer)
            {
                nint received = EpollInterop.recv(_descriptor.Fd, p, (nuint)buffer.Length, 0);
                errno = received < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;
                return (int)received;
            }
        }
        catch (ObjectDisposedException)
        {
            errno = EpollInterop.EBADF;
            return -1;
        }
        finally
        {
            if (held)
            {
                _descriptor.DangerousRelease();
            }
        }
    }

    internal unsafe int Send(ReadOnlySpan<byte> buffer, out int errno)
    {
        bool held = false;
        try
        {
            _descriptor.DangerousAddRef(ref held);
            fixed (byte* p = buffer)
            {
                // MSG_NOSIGNAL: a peer that reset gives EPIPE, not a SIGPIPE that ends the process.
                nint sent = EpollInterop.send(_descriptor.Fd, p, (nuint)buffer.Length, EpollInterop.MsgNoSignal);
                errno = sent < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;
                return (int)sent;
            }
        }
        catch (ObjectDisposedException)
        {
            errno = EpollInterop.EBADF;
            return -1;
        }
        finally
        {
            if (held)
            {
                _descriptor.DangerousRelease();
            }
        }
    }

    private unsafe long SendFile(SafeFileHandle file, ref long offset, long count, out int errno)
    {
        bool held = false;
        bool fileHeld = false;
        try
        {
            _descriptor.DangerousAddRef(ref held);
            file.DangerousAddRef(ref fileHeld);
            long position = offset;
            nint sent = EpollInterop.sendfile(_descriptor.Fd, (int)file.DangerousGetHandle(), &position, (nuint)count);
            errno = sent < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;
            offset = position;
            return sent;
        }
        catch (ObjectDisposedException)
        {
            errno = EpollInterop.EBADF;
            return -1;
        }
        finally
        {
            if (fileHeld)
            {
                file.DangerousRelease();
            }

            if (held)
            {
                _descriptor.DangerousRelease();
            }
        }
    }

    private unsafe void SetLingerZero()
    {
        bool held = false;
        try
        {
            _descriptor.DangerousAddRef(ref held);
            // struct linger { int l_onoff; int l_linger; } = { 1, 0 }: close(2) sends a reset.
            long linger = 1;
            _ = EpollInterop.setsockopt(_descriptor.Fd, EpollInterop.SolSocket, EpollInterop.SoLinger, &linger, sizeof(long));
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (held)
            {
                _descriptor.DangerousRelease();
            }
        }
    }

    private void CloseDescriptor()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        Info.State = ConnectionState.Closing;
        _loop.Unregister(_key);
        // Closing the descriptor takes it out of the epoll set; a call in flight keeps it open until it returns.
        _descriptor.Dispose();
        var aborted = new SocketException((int)SocketError.OperationAborted);
        _receiver.Fail(aborted);
        _sender.Fail(aborted);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseDescriptor();
        }
    }
}

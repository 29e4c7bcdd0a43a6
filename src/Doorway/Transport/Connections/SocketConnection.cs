using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Transport;

/// <summary>
/// The connection door the welcome door made for one client: an accepted socket. It counts bytes,
/// feeds the idle and data-rate clocks, and (for doors whose handlers may block) continues on the
/// thread pool, off the socket engine's threads, after every wait. No operation allocates
/// (<see cref="SocketOperation"/>). The socket is closed exactly once.
/// </summary>
internal sealed class SocketConnection : DoorConnection
{
    /// <summary>
    /// Largest piece handed to one send: the kernel taking a piece is activity, so a slow, steady
    /// reader of a large buffer is never mistaken for an idle one.
    /// </summary>
    internal const int SendPieceBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly ReceiveOperation _receive;
    private readonly SendOperation _send;
    private SocketFileSender? _fileSender;
    private int _closed;

    public SocketConnection(Socket socket, ConnectionInfo info, TimeoutPolicy policy, bool dispatchToThreadPool)
        : base(info, info.RemoteEndPoint.Address)
    {
        _socket = socket;
        _receive = new ReceiveOperation(socket, info, dispatchToThreadPool);
        _send = new SendOperation(socket, info, policy, dispatchToThreadPool);
    }

    public override int Available
    {
        get
        {
            try
            {
                return _socket.Available;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return 0;
            }
        }
    }

    public override ValueTask WaitForDataAsync(CancellationToken cancellationToken = default) => _receive.WaitAsync(cancellationToken);

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _receive.StartAsync(buffer, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _send.StartAsync(buffer, cancellationToken);

    public override async Task SendFileAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default)
    {
        Info.State = ConnectionState.Sending;
        _fileSender ??= new SocketFileSender(_socket);
        await _fileSender.SendAsync(this, file, offset, count, _send.Policy, cancellationToken);
    }

    public override void ShutdownSend()
    {
        Info.State = ConnectionState.Closing;
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The peer is already gone; closing will follow.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public override void Abort() => CloseSocket();

    /// <summary>
    /// Ends the connection with a FIN after what is already queued, not a reset: .NET closes
    /// abortively when it cancels a pending operation, unless the send side was shut down first.
    /// </summary>
    internal override void Close()
    {
        ShutdownSend();
        CloseSocket();
    }

    private void CloseSocket()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Info.State = ConnectionState.Closing;
            _socket.Dispose();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseSocket();
            _fileSender?.Dispose();
        }
    }
}

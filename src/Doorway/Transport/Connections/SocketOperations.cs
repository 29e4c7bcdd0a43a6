using System.Net.Sockets;

namespace Doorway.Transport;

/// <summary>A receive: counts the bytes and restarts the idle clock.</summary>
internal sealed class ReceiveOperation(Socket socket, ConnectionInfo info, bool continueOnThreadPool) : SocketOperation(continueOnThreadPool)
{
    public ValueTask<int> StartAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        Await(socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken));

    /// <summary>A zero-byte receive: completes when bytes can be read, holding no buffer.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        info.State = ConnectionState.Idle;
        return AwaitVoid(socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken));
    }

    protected override bool Completed(int result, out ValueTask<int> next)
    {
        next = default;
        info.State = ConnectionState.Receiving;
        if (result > 0)
        {
            info.Received(result);
            info.Timeouts.Touch();
        }

        return false;
    }
}

/// <summary>
/// A send, in pieces of at most <see cref="SocketConnection.SendPieceBytes"/>: each piece is timed
/// against the minimum data rate and, once the kernel takes it, counted and taken as activity.
/// </summary>
internal sealed class SendOperation(Socket socket, ConnectionInfo info, TimeoutPolicy policy, bool continueOnThreadPool) : SocketOperation(continueOnThreadPool)
{
    private ReadOnlyMemory<byte> _rest;
    private CancellationToken _cancellationToken;

    /// <summary>The door's clocks, which a file sent on this connection is timed by too.</summary>
    public TimeoutPolicy Policy => policy;

    public ValueTask StartAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        info.State = ConnectionState.Sending;
        _rest = buffer;
        _cancellationToken = cancellationToken;
        return AwaitVoid(SendPiece());
    }

    private ValueTask<int> SendPiece()
    {
        var piece = _rest.Length > SocketConnection.SendPieceBytes ? _rest[..SocketConnection.SendPieceBytes] : _rest;
        info.Timeouts.SendStarted(piece.Length, policy);
        return socket.SendAsync(piece, SocketFlags.None, _cancellationToken);
    }

    protected override bool Completed(int result, out ValueTask<int> next)
    {
        info.Timeouts.SendEnded(result);
        info.Sent(result);
        _rest = _rest[result..];
        if (_rest.IsEmpty)
        {
            _cancellationToken = default;
            next = default;
            return false;
        }

        next = SendPiece();
        return true;
    }
}

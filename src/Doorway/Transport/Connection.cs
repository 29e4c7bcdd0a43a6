using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Doorway.Transport;

/// <summary>
/// A connection door: the socket the welcome door made for one client. Every completed
/// receive or send counts as activity for the idle timeout. The socket is closed exactly once.
/// </summary>
public sealed class Connection : IDisposable
{
    private readonly Socket _socket;
    private long _lastActivity;
    private int _closed;

    internal Connection(Socket socket, long id)
    {
        _socket = socket;
        Id = id;
        RemoteEndPoint = Normalize(socket.RemoteEndPoint);
        LocalEndPoint = Normalize(socket.LocalEndPoint);
        Touch();
    }

    /// <summary>A number unique within one door, for logs.</summary>
    public long Id { get; }

    /// <summary>The client's address; IPv4 clients of a dual-mode door appear as plain IPv4.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The socket itself, for protocols that need more (sendfile). Do not close it.</summary>
    public Socket Socket => _socket;

    /// <summary>True once the transport closed the connection because it was idle.</summary>
    public bool TimedOut { get; private set; }

    internal long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>
    /// Waits until bytes can be read without holding a buffer (a zero-byte receive), so an idle
    /// connection costs no buffer memory.
    /// </summary>
    public ValueTask<int> WaitForDataAsync(CancellationToken cancellationToken = default) =>
        _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);

    // The pooling builders keep a connection's receive/send loop free of per-message allocations.
    /// <summary>Receives at most <paramref name="buffer"/>.Length bytes; 0 means the client closed its side.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int received = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        Touch();
        return received;
    }

    /// <summary>Sends all of <paramref name="buffer"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int sent = await _socket.SendAsync(buffer, SocketFlags.None, cancellationToken);
            buffer = buffer[sent..];
            Touch();
        }
    }

    /// <summary>Records activity for the idle timeout, for protocols that move bytes through <see cref="Socket"/> directly.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    /// <summary>Half-closes: the client reads end-of-stream after the bytes already sent.</summary>
    public void ShutdownSend()
    {
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

    /// <summary>Closes the connection because it was idle too long; pending operations fail.</summary>
    internal void TimeOut()
    {
        TimedOut = true;
        Dispose();
    }

    /// <summary>Closes the socket (once, however often it is called); pending operations fail.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _socket.Dispose();
        }
    }

    internal static IPEndPoint Normalize(EndPoint? endPoint)
    {
        if (endPoint is not IPEndPoint ip)
        {
            return new IPEndPoint(IPAddress.None, 0);
        }

        return ip.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port) : ip;
    }
}

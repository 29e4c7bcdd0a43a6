using System.Net.Security;
using System.Net.Sockets;

namespace Doorway.Transport;

/// <summary>
/// A client's connection to a door, in plaintext or over TLS: send all, receive, half-close. Over
/// TLS the half-close sends close_notify first, so the door reads a clean end of stream.
/// </summary>
public sealed class ClientConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly SslStream? _tls;

    private ClientConnection(Socket socket, SslStream? tls)
    {
        _socket = socket;
        _tls = tls;
    }

    /// <summary>The session when over TLS (its protocol, cipher and ALPN), else null.</summary>
    public SslStream? Tls => _tls;

    /// <summary>
    /// Connects (and with <paramref name="tls"/>, shakes hands) within <paramref name="timeout"/> each.
    /// Throws what <see cref="TcpConnector.ConnectAsync"/> and <see cref="ClientTls.AuthenticateAsync"/> throw.
    /// </summary>
    public static async Task<ClientConnection> ConnectAsync(HostPort server, TimeSpan timeout, ClientTls? tls,
        IReadOnlyList<SslApplicationProtocol>? protocols = null, CancellationToken cancellationToken = default)
    {
        var socket = await TcpConnector.ConnectAsync(server, timeout, cancellationToken);
        if (tls is null)
        {
            return new ClientConnection(socket, null);
        }

        try
        {
            return new ClientConnection(socket, await tls.AuthenticateAsync(socket, server, timeout, protocols, cancellationToken));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        if (_tls is not null)
        {
            await _tls.WriteAsync(bytes, cancellationToken);
            return;
        }

        while (!bytes.IsEmpty)
        {
            bytes = bytes[await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken)..];
        }
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _tls is not null ? _tls.ReadAsync(buffer, cancellationToken) : _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    /// <summary>Says "no more from me": close_notify under TLS (RFC 8446 §6.1), then the TCP half-close.</summary>
    public async Task ShutdownSendAsync()
    {
        if (_tls is not null)
        {
            await _tls.ShutdownAsync();
        }

        _socket.Shutdown(SocketShutdown.Send);
    }

    public void Dispose()
    {
        _tls?.Dispose();
        _socket.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;

namespace Doorway.Transport;

/// <summary>
/// The client's side of a UDP door: sends datagrams to one server and receives only the server's.
/// Datagrams from any other address or port are counted as strays and skipped.
/// </summary>
public sealed class DatagramClient : IDisposable
{
    private readonly Socket _socket;
    private readonly SocketAddress _server;
    private readonly SocketAddress _from;
    private long _strays;

    private DatagramClient(Socket socket, IPEndPoint server)
    {
        _socket = socket;
        Server = server;
        _server = server.Serialize();
        _from = new SocketAddress(server.AddressFamily);
        MaxPayload = server.AddressFamily == AddressFamily.InterNetworkV6 ? UdpDoorOptions.MaxIPv6Payload : UdpDoorOptions.MaxIPv4Payload;
    }

    /// <summary>The server's address, as resolved.</summary>
    public IPEndPoint Server { get; }

    /// <summary>The largest datagram this client can send to the server.</summary>
    public int MaxPayload { get; }

    /// <summary>Datagrams received from anyone but the server, and skipped.</summary>
    public long Strays => Volatile.Read(ref _strays);

    /// <summary>Resolves the server (the first address) and opens a socket of its family on a free local port.</summary>
    public static async Task<DatagramClient> OpenAsync(HostPort server, CancellationToken cancellationToken = default)
    {
        IPAddress[] addresses = await server.ResolveAsync(cancellationToken);
        var address = addresses[0];
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Bound up front so a receive can wait before anything was sent.
            socket.Bind(new IPEndPoint(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new DatagramClient(socket, new IPEndPoint(address, server.Port));
    }

    /// <summary>Sends one datagram to the server.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken = default) =>
        await _socket.SendToAsync(datagram, SocketFlags.None, _server, cancellationToken);

    /// <summary>
    /// Receives the next datagram from the server into <paramref name="buffer"/> and returns its length,
    /// or -1 when none came within <paramref name="timeout"/>.
    /// </summary>
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return -1;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            int received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, _from, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return -1;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
            {
                // An ICMP "port unreachable" for an earlier datagram (reported on some systems): keep
                // waiting; if the server is really gone, the timeout says so.
                continue;
            }

            if (_from.Equals(_server))
            {
                return received;
            }

            Interlocked.Increment(ref _strays);
        }
    }

    public void Dispose() => _socket.Dispose();
}

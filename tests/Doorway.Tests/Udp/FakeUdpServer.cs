using System.Net;
using System.Net.Sockets;
using Doorway.Tests.Support;

namespace Doorway.Tests.Udp;

/// <summary>A UDP server the test scripts datagram by datagram, to misbehave on purpose.</summary>
internal sealed class FakeUdpServer : IDisposable
{
    private readonly byte[] _buffer = new byte[70_000];

    public FakeUdpServer()
    {
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public Socket Socket { get; }

    public IPEndPoint EndPoint => (IPEndPoint)Socket.LocalEndPoint!;

    /// <summary>Receives the next datagram (within the deadline) and who sent it.</summary>
    public async Task<(byte[] Datagram, IPEndPoint Sender)> ReceiveAsync()
    {
        var result = await Socket.ReceiveFromAsync(_buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), Deadline.Token());
        return (_buffer[..result.ReceivedBytes], (IPEndPoint)result.RemoteEndPoint);
    }

    public async Task SendAsync(byte[] datagram, IPEndPoint to) => await Socket.SendToAsync(datagram, SocketFlags.None, to);

    public void Dispose() => Socket.Dispose();
}

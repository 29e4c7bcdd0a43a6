using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Doorway.Tests.Bench;

/// <summary>
/// A UDP capitalize server for the load generator's tests: answers each datagram with its upper
/// case, except that it drops every <c>dropEvery</c>-th one, or (<c>upperCase: false</c>) echoes unchanged.
/// </summary>
internal sealed class TestUdpServer : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly int _dropEvery;
    private readonly bool _upperCase;

    public TestUdpServer(int dropEvery = 0, bool upperCase = true)
    {
        _dropEvery = dropEvery;
        _upperCase = upperCase;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = ServeAsync();
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public long Received { get; private set; }

    public long Dropped { get; private set; }

    private async Task ServeAsync()
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (true)
            {
                var datagram = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                Received++;
                if (_dropEvery > 0 && Received % _dropEvery == 0)
                {
                    Dropped++;
                    continue;
                }

                if (_upperCase)
                {
                    Ascii.ToUpperInPlace(buffer.AsSpan(0, datagram.ReceivedBytes), out _);
                }

                await _socket.SendToAsync(buffer.AsMemory(0, datagram.ReceivedBytes), SocketFlags.None, datagram.RemoteEndPoint, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _socket.Dispose();
        _stop.Dispose();
    }
}

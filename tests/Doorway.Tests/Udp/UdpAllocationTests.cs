using System.Net.Sockets;
using Doorway.Tests.Support;
using Doorway.Transport;
using Xunit;

namespace Doorway.Tests.Udp;

public sealed class UdpAllocationTests
{
    private const int WarmUp = 3_000;
    private const int Measured = 20_000;

    [Fact]
    public async Task AnsweringDatagramsAllocatesNothing()
    {
        var handler = new AllocationCountingHandler();
        await using var door = UdpTestDoors.Open(handler, options: UdpDoorOptions.Default with { Receivers = 2 });
        using var client = new Socket(door.LocalEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
        {
            ReceiveTimeout = 5_000,
        };
        client.Connect(door.LocalEndPoint);
        // ASCII: in a Debug build the upper-caser's table lookups for other text allocate (unoptimized
        // RuntimeHelpers.CreateSpan); that is the transform's cost, not the door's.
        byte[] datagram = "ping pong 0123456789 abcdefghijklmnopqrstuvwxyz"u8.ToArray();
        byte[] reply = new byte[2048];

        await Task.Run(() =>
        {
            RoundTrips(client, datagram, reply, WarmUp);
            handler.Measuring = true;
            RoundTrips(client, datagram, reply, Measured);
            handler.Measuring = false;
        }).WithDeadline();

        Assert.Equal(Measured, handler.Measured);
        // Any object per datagram would be at least 24 bytes: 480 KB over the run.
        Assert.True(handler.Allocated < 1024, $"the receivers allocated {handler.Allocated} bytes over {Measured} datagrams");
        Assert.Equal(WarmUp + Measured, door.Replied);
    }

    private static void RoundTrips(Socket client, byte[] datagram, byte[] reply, int count)
    {
        for (int i = 0; i < count; i++)
        {
            client.Send(datagram);
            int received = client.Receive(reply);
            if (received != datagram.Length || reply[0] != (byte)'P')
            {
                throw new InvalidOperationException($"unexpected reply of {received} bytes");
            }
        }
    }
}

using System.Net.Sockets;
using Doorway.Capitalize;
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
        // ASCII and the table path (expansions, Greek, CJK) both.
        byte[] datagram = "ping pong 0123456789 abcdefghijklmnopqrstuvwxyz straße ΐ ﬁ привет 中文"u8.ToArray();
        byte[] expected = new byte[UpperCaser.MaxOutputLength(datagram.Length)];
        expected = expected[..UpperCaser.TransformWhole(datagram, expected)];
        byte[] reply = new byte[2048];

        await Task.Run(() =>
        {
            RoundTrips(client, datagram, expected, reply, WarmUp);
            handler.Measuring = true;
            RoundTrips(client, datagram, expected, reply, Measured);
            handler.Measuring = false;
        }).WithDeadline();

        Assert.Equal(Measured, handler.Measured);
        // Any object per datagram would be at least 24 bytes: 480 KB over the run.
        Assert.True(handler.Allocated < 1024, $"the receivers allocated {handler.Allocated} bytes over {Measured} datagrams");
        Assert.Equal(WarmUp + Measured, door.Replied);
    }

    private static void RoundTrips(Socket client, byte[] datagram, byte[] expected, byte[] reply, int count)
    {
        for (int i = 0; i < count; i++)
        {
            client.Send(datagram);
            int received = client.Receive(reply);
            if (!reply.AsSpan(0, received).SequenceEqual(expected))
            {
                throw new InvalidOperationException($"unexpected reply of {received} bytes");
            }
        }
    }
}

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

    public enum Budget
    {
        /// <summary>The default budget, which exempts the loopback client.</summary>
        Exempt,

        /// <summary>No budget (a rate of 0).</summary>
        Off,

        /// <summary>A budget the client is held to, too large for it to reach: every reply spends.</summary>
        Spending,
    }

    [Theory]
    [InlineData(Budget.Exempt, 1)]
    [InlineData(Budget.Off, 1)]
    [InlineData(Budget.Spending, 1)]
    [InlineData(Budget.Exempt, 32)]
    [InlineData(Budget.Off, 32)]
    [InlineData(Budget.Spending, 32)]
    public async Task AnsweringDatagramsAllocatesNothing(Budget budget, int batch)
    {
        var handler = new AllocationCountingHandler();
        var options = budget switch
        {
            Budget.Off => UdpDoorOptions.Default with { ReplyBytesPerSecondPerSource = 0 },
            Budget.Spending => UdpDoorOptions.Default with { ReplyBytesPerSecondPerSource = 1L << 40, ReplyBurstBytesPerSource = 1L << 40, LimitLoopback = true },
            _ => UdpDoorOptions.Default,
        };
        await using var door = UdpTestDoors.Open(handler, options: options with { Receivers = 2, Batch = batch });
        // Batched, several datagrams are in flight at once, so a receive takes more than one.
        int inFlight = batch > 1 ? 8 : 1;
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
            RoundTrips(client, datagram, expected, reply, WarmUp, inFlight);
            handler.Measuring = true;
            RoundTrips(client, datagram, expected, reply, Measured, inFlight);
            handler.Measuring = false;
        }).WithDeadline();

        Assert.Equal(Measured, handler.Measured);
        // Any object per datagram would be at least 24 bytes: 480 KB over the run.
        Assert.True(handler.Allocated < 1024, $"the receivers allocated {handler.Allocated} bytes over {Measured} datagrams");
        Assert.Equal(WarmUp + Measured, await UdpTestDoors.RepliedAsync(door, WarmUp + Measured));
        Assert.Equal(budget == Budget.Spending ? 1 : 0, door.Budget?.Sources ?? 0);
        Assert.Equal(batch > 1 && NativeDatagrams.Supported, door.Batched);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    public async Task DroppingRepliesOverTheBudgetAllocatesNothing(int batch)
    {
        var handler = new AllocationCountingHandler();
        // A burst smaller than any reply: every datagram is dropped, as in a flood from one source.
        var options = UdpDoorOptions.Default with { Receivers = 2, Batch = batch, ReplyBytesPerSecondPerSource = 1, ReplyBurstBytesPerSource = 1, LimitLoopback = true };
        await using var door = UdpTestDoors.Open(handler, options: options);
        using var client = new Socket(door.LocalEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        client.Connect(door.LocalEndPoint);
        byte[] datagram = "no reply for you straße ΐ"u8.ToArray();

        await Task.Run(() =>
        {
            Flood(door, client, datagram, WarmUp);
            handler.Measuring = true;
            Flood(door, client, datagram, WarmUp + Measured);
            handler.Measuring = false;
        }).WithDeadline();

        Assert.Equal(Measured, handler.Measured);
        Assert.True(handler.Allocated < 1024, $"the receivers allocated {handler.Allocated} bytes over {Measured} dropped datagrams");
        Assert.Equal((0L, (long)(WarmUp + Measured)), (door.Replied, door.RepliesOverBudget));
    }

    /// <summary>
    /// Sends until the door has received <paramref name="total"/> datagrams, a few at a time, so
    /// none is lost to a full receive buffer (no reply comes back to pace the sender).
    /// </summary>
    private static void Flood(UdpDoor door, Socket client, byte[] datagram, long total)
    {
        const int Batch = 50;
        long sent = door.Received;
        while (sent < total)
        {
            int batch = (int)Math.Min(Batch, total - sent);
            for (int i = 0; i < batch; i++)
            {
                client.Send(datagram);
            }

            sent += batch;
            if (!SpinWait.SpinUntil(() => door.RepliesOverBudget >= sent, Deadline.Default))
            {
                throw new TimeoutException($"the door received {door.Received} of {sent} datagrams");
            }
        }
    }

    /// <summary><paramref name="count"/> datagrams, <paramref name="inFlight"/> sent before their replies are read.</summary>
    private static void RoundTrips(Socket client, byte[] datagram, byte[] expected, byte[] reply, int count, int inFlight)
    {
        for (int i = 0; i < count; i += inFlight)
        {
            int window = Math.Min(inFlight, count - i);
            for (int j = 0; j < window; j++)
            {
                client.Send(datagram);
            }

            for (int j = 0; j < window; j++)
            {
                int received = client.Receive(reply);
                if (!reply.AsSpan(0, received).SequenceEqual(expected))
                {
                    throw new InvalidOperationException($"unexpected reply of {received} bytes");
                }
            }
        }
    }
}

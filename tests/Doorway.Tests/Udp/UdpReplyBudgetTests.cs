using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Doorway.Tests.Support;
using Doorway.Transport;
using Xunit;

namespace Doorway.Tests.Udp;

/// <summary>
/// The reply budget (issue 8) on a real door: loopback sources are exempt by default, so these
/// doors turn <see cref="UdpDoorOptions.LimitLoopback"/> on, and 127.0.0.2, 127.0.0.3, … (all
/// loopback on Linux) stand for distinct sources.
/// </summary>
public sealed class UdpReplyBudgetTests
{
    private const int Datagrams = 50;
    private const int Size = 100;

    private static readonly byte[] Datagram = [.. Enumerable.Repeat((byte)'a', Size)];
    private static readonly byte[] Reply = [.. Enumerable.Repeat((byte)'A', Size)];

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("::", "127.0.0.1")]
    public async Task ABurstIsAnsweredAndTheRestIsDroppedCountedAndLoggedOnce(string doorAddress, string client)
    {
        // 1,000 bytes at once, then 100 a second: the burst is 10 replies, and every second the
        // door takes to read the 50 datagrams can add one more.
        var logger = new RecordingLogger();
        var door = UdpTestDoors.Open(address: IPAddress.Parse(doorAddress), logger: logger, options: Limited(rate: 100, burst: 1_000));
        await using var _ = door;
        using var socket = Client(door, IPAddress.Parse(client));

        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < Datagrams; i++)
        {
            socket.Send(Datagram);
        }

        await Deadline.UntilAsync(() => door.Replied + door.RepliesOverBudget == Datagrams, "every datagram to be answered or dropped");
        var window = Stopwatch.GetElapsedTime(start);
        long replied = door.Replied;
        await ReceiveRepliesAsync(socket, replied);

        Assert.InRange(replied, 1_000 / Size, (1_000 + (100 * (long)Math.Ceiling(window.TotalSeconds))) / Size);
        Assert.Equal(Datagrams - replied, door.RepliesOverBudget);
        Assert.Equal(Datagrams, door.Received);
        // At most one line every 10 s per source: one, unless reading the datagrams took that long.
        Assert.InRange(logger.Messages(128).Count, 1, 1 + (int)(window.TotalSeconds / 10));
        Assert.Contains($"replies to {client} over its budget of 100 bytes/s (burst 1000) not sent", logger.Messages(128)[0], StringComparison.Ordinal);

        await door.StopAsync().WithDeadline();
        string closed = Assert.Single(logger.Messages(130));
        Assert.Contains($"{Datagrams} datagrams received, {replied} answered, {Datagrams - replied} over the reply budget", closed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", 100L, false)]
    [InlineData("::", "127.0.0.1", 100L, false)]
    [InlineData("::", "::1", 100L, false)]
    [InlineData("127.0.0.1", "127.0.0.1", 0L, true)]
    public async Task ExemptOrUnlimitedSourcesAreAnsweredInFull(string doorAddress, string client, long rate, bool limitLoopback)
    {
        var options = Limited(rate: rate, burst: 1_000) with { LimitLoopback = limitLoopback };
        await using var door = UdpTestDoors.Open(address: IPAddress.Parse(doorAddress), options: options);
        using var socket = Client(door, IPAddress.Parse(client));
        for (int i = 0; i < Datagrams; i++)
        {
            socket.Send(Datagram);
        }

        await ReceiveRepliesAsync(socket, Datagrams);
        Assert.Equal(Datagrams, await UdpTestDoors.RepliedAsync(door, Datagrams));
        Assert.Equal(0, door.RepliesOverBudget);
        // An exempt source is not even remembered; a rate of 0 is no budget at all.
        Assert.Equal(0, door.Budget?.Sources ?? 0);
        Assert.Equal(rate == 0, door.Budget is null);
    }

    [Fact]
    public async Task ASourceIsAnsweredAgainOnceItsBucketHasRefilled()
    {
        const long Rate = 500;
        const long Burst = 1_000;
        await using var door = UdpTestDoors.Open(options: Limited(rate: Rate, burst: Burst));
        using (var socket = Client(door))
        {
            for (int i = 0; i < Datagrams; i++)
            {
                socket.Send(Datagram);
            }

            await Deadline.UntilAsync(() => door.Replied + door.RepliesOverBudget == Datagrams, "every datagram to be answered or dropped");
            await ReceiveRepliesAsync(socket, door.Replied);
        }

        long dropped = door.RepliesOverBudget;
        Assert.True(dropped > 0, "the 5,000 bytes of replies were all sent");

        // The scenario is the pause: an empty bucket is full again after burst / rate seconds.
        await Task.Delay(TimeSpan.FromSeconds((double)Burst / Rate) + TimeSpan.FromMilliseconds(500));

        // From another port of the same address: the same source, with a full bucket again.
        using var again = Client(door);
        for (int i = 0; i < Burst / Size; i++)
        {
            again.Send(Datagram);
        }

        await ReceiveRepliesAsync(again, Burst / Size);
        Assert.Equal(dropped, door.RepliesOverBudget);
    }

    [Fact]
    public async Task TheBudgetIsPerAddressWhateverThePort()
    {
        // 1 byte a second: nothing refills during the test.
        await using var door = UdpTestDoors.Open(options: Limited(rate: 1, burst: 3 * Size));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Reply, await UdpTestDoors.ExchangeAsync(door.LocalEndPoint, Datagram));
        }

        using (var samePlace = Client(door))
        {
            samePlace.Send(Datagram);
            await Deadline.UntilAsync(() => door.RepliesOverBudget == 1, "the fourth reply to 127.0.0.1 to be dropped");
        }

        using var elsewhere = Client(door, IPAddress.Parse("127.0.0.2"));
        elsewhere.Send(Datagram);
        await ReceiveRepliesAsync(elsewhere, 1);
        Assert.Equal(4, await UdpTestDoors.RepliedAsync(door, 4));
        Assert.Equal(2, door.Budget!.Sources);
    }

    [Fact]
    public async Task TheSourceTableStaysBoundedUnderManySources()
    {
        const int Sources = 300;
        await using var door = UdpTestDoors.Open(options: Limited(rate: 1, burst: 10 * Size) with { ReplyBudgetSources = 16 });

        // One source spends its whole budget.
        var spender = IPAddress.Parse("127.0.0.2");
        using (var socket = Client(door, spender))
        {
            for (int i = 0; i < 11; i++)
            {
                socket.Send(Datagram);
            }

            await Deadline.UntilAsync(() => door.Replied + door.RepliesOverBudget == 11, "the 11 datagrams to be answered or dropped");
            Assert.Equal((10L, 1L), (door.Replied, door.RepliesOverBudget));
            await ReceiveRepliesAsync(socket, 10);
        }

        // Then 300 others, 127.0.1.1 to 127.0.2.50, each new to the door: each is answered, and
        // the table never holds more than its 16.
        for (int i = 0; i < Sources; i++)
        {
            var source = new IPAddress(new byte[] { 127, 0, (byte)(1 + (i / 250)), (byte)(1 + (i % 250)) });
            using var socket = Client(door, source);
            socket.Send(Datagram);
            await ReceiveRepliesAsync(socket, 1);
            Assert.InRange(door.Budget!.Sources, 1, 16);
        }

        var budget = door.Budget!;
        Assert.Equal(16, budget.Capacity);
        Assert.Equal(Sources + 1, budget.Sources + budget.Evictions);

        // The spender was the stalest in its set long ago: forgotten, it starts afresh. That is
        // the price of a bounded table, and it is counted.
        Assert.True(budget.EvictionsOfSpentSources >= 1);
        using var back = Client(door, spender);
        back.Send(Datagram);
        await ReceiveRepliesAsync(back, 1);
        Assert.Equal(1, door.RepliesOverBudget);
    }

    private static UdpDoorOptions Limited(long rate, long burst) => UdpDoorOptions.Default with
    {
        ReplyBytesPerSecondPerSource = rate,
        ReplyBurstBytesPerSource = burst,
        LimitLoopback = true,
    };

    /// <summary>A client socket connected to the door, from <paramref name="from"/> (127.0.0.1 unless told).</summary>
    private static Socket Client(UdpDoor door, IPAddress? from = null)
    {
        from ??= IPAddress.Loopback;
        var socket = new Socket(from.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(from, 0));
            socket.Connect(UdpTestDoors.Target(door, from.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Receives <paramref name="count"/> replies, each the upper case of the test's datagram.</summary>
    private static async Task ReceiveRepliesAsync(Socket socket, long count)
    {
        byte[] buffer = new byte[2 * Size];
        var deadline = Deadline.Token();
        for (long i = 0; i < count; i++)
        {
            int received = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline);
            Assert.Equal(Reply, buffer[..received]);
        }
    }
}

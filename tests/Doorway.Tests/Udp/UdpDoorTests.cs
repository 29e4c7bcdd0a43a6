using System.Net;
using System.Net.Sockets;
using System.Text;
using Doorway.Transport;
using Xunit;
using Doorway.Tests.Support;

namespace Doorway.Tests.Udp;

public sealed class UdpDoorTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task AnswersEachDatagramWithItsUpperCase(string address)
    {
        await using var door = UdpTestDoors.Open(address: IPAddress.Parse(address));
        byte[] reply = await UdpTestDoors.ExchangeAsync(door.LocalEndPoint, "hello straße ﬁ"u8.ToArray());
        Assert.Equal("HELLO STRASSE FI", Encoding.UTF8.GetString(reply));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task DualModeDoorAnswersIPv4AndIPv6(string client)
    {
        await using var door = UdpTestDoors.Open(address: IPAddress.IPv6Any);
        var target = UdpTestDoors.Target(door, IPAddress.Parse(client));
        byte[] reply = await UdpTestDoors.ExchangeAsync(target, "dual"u8.ToArray());
        Assert.Equal("DUAL"u8.ToArray(), reply);
    }

    [Fact]
    public async Task EmptyDatagramGetsEmptyReply()
    {
        await using var door = UdpTestDoors.Open();
        byte[] reply = await UdpTestDoors.ExchangeAsync(door.LocalEndPoint, ReadOnlyMemory<byte>.Empty);
        Assert.Empty(reply);
        Assert.Equal(1, await UdpTestDoors.RepliedAsync(door, 1));
    }

    [Fact]
    public async Task InvalidUtf8PassesThroughAndTheDoorKeepsServing()
    {
        await using var door = UdpTestDoors.Open();
        byte[] bad = [(byte)'a', 0xFF, 0xC3, (byte)'b', 0xE2, 0x82];
        byte[] reply = await UdpTestDoors.ExchangeAsync(door.LocalEndPoint, bad);
        Assert.Equal(new byte[] { (byte)'A', 0xFF, 0xC3, (byte)'B', 0xE2, 0x82 }, reply);
        Assert.Equal("NEXT"u8.ToArray(), await UdpTestDoors.ExchangeAsync(door.LocalEndPoint, "next"u8.ToArray()));
    }

    [Theory]
    [InlineData("127.0.0.1", UdpDoorOptions.MaxIPv4Payload)]
    [InlineData("::1", UdpDoorOptions.MaxIPv6Payload)]
    public async Task LargestDatagramIsAnsweredWhole(string address, int size)
    {
        await using var door = UdpTestDoors.Open(address: IPAddress.Parse(address));
        byte[] datagram = new byte[size];
        for (int i = 0; i < size; i++)
        {
            datagram[i] = (byte)('a' + (i % 26));
        }

        byte[] reply = await UdpTestDoors.ExchangeAsync(door.LocalEndPoint, datagram);
        Assert.Equal(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(datagram).ToUpperInvariant()), reply);
    }

    [Fact]
    public async Task ReplyLargerThanAnyDatagramIsCountedAndNotSent()
    {
        await using var door = UdpTestDoors.Open();
        // "ΐ" is 2 bytes and upper-cases to 6: 30000 bytes would need a 90000-byte reply.
        byte[] growing = Encoding.UTF8.GetBytes(new string('ΐ', 15_000));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(door.LocalEndPoint);
        await socket.SendAsync(growing, SocketFlags.None);
        // Datagrams from one socket are answered in order only with one receiver, so wait on the count.
        await Deadline.UntilAsync(() => door.OversizeReplies == 1, "the oversize reply to be counted");
        Assert.Equal(0, door.Replied);
        Assert.Equal("STILL HERE"u8.ToArray(), await UdpTestDoors.ExchangeAsync(door.LocalEndPoint, "still here"u8.ToArray()));
    }

    [Fact]
    public async Task ReplyOverTheIPv4LimitToAnIPv4SenderOfADualModeDoorIsCounted()
    {
        await using var door = UdpTestDoors.Open(address: IPAddress.IPv6Any);
        // 20 bytes of "ΐ" grow to 60: the reply (65520 bytes) fits IPv6 but not IPv4, which only the kernel checks.
        byte[] datagram = [.. Encoding.UTF8.GetBytes(new string('ΐ', 10)), .. Enumerable.Repeat((byte)'a', 65_460)];
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(UdpTestDoors.Target(door));
        await socket.SendAsync(datagram, SocketFlags.None);
        await Deadline.UntilAsync(() => door.OversizeReplies == 1, "the oversize reply to be counted");
        Assert.Equal(0, door.Replied);
    }

    [Fact]
    public async Task HandlerFailureIsCountedAndTheDoorKeepsServing()
    {
        var handler = new TestDatagramHandler();
        await using var door = UdpTestDoors.Open(handler);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(door.LocalEndPoint);
        await socket.SendAsync("boom"u8.ToArray(), SocketFlags.None);
        await Deadline.UntilAsync(() => door.HandlerFailures == 1, "the failure to be counted");
        Assert.Equal("FINE"u8.ToArray(), await UdpTestDoors.ExchangeAsync(door.LocalEndPoint, "fine"u8.ToArray()));
    }

    [Fact]
    public async Task ClientsThatLeaveBeforeTheReplyDoNotStopTheDoor()
    {
        await using var door = UdpTestDoors.Open(address: IPAddress.IPv6Any);
        for (int i = 0; i < 50; i++)
        {
            // The reply finds a closed port: ICMP port unreachable comes back to the door.
            using var gone = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            gone.SendTo("bye"u8, UdpTestDoors.Target(door));
        }

        await Deadline.UntilAsync(() => door.Received == 50, "the 50 datagrams to be received");
        Assert.Equal("ALIVE"u8.ToArray(), await UdpTestDoors.ExchangeAsync(UdpTestDoors.Target(door), "alive"u8.ToArray()));
        Assert.Equal(0, door.HandlerFailures);
    }

    [Fact]
    public async Task ManyConcurrentClientsEachGetTheirOwnReplies()
    {
        await using var door = UdpTestDoors.Open(address: IPAddress.IPv6Any);
        var target = UdpTestDoors.Target(door);
        const int Clients = 64;
        const int Rounds = 50;
        var clients = Enumerable.Range(0, Clients).Select(id => Task.Run(async () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(target);
            byte[] buffer = new byte[2048];
            for (int round = 0; round < Rounds; round++)
            {
                string text = $"client {id} round {round} é";
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None);
                int received = await socket.ReceiveAsync(buffer, SocketFlags.None, Deadline.Token(TimeSpan.FromSeconds(10)));
                Assert.Equal(text.ToUpperInvariant(), Encoding.UTF8.GetString(buffer, 0, received));
            }
        })).ToArray();
        await Task.WhenAll(clients).WithDeadline();
        Assert.Equal(Clients * Rounds, await UdpTestDoors.RepliedAsync(door, Clients * Rounds));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(1)]
    public async Task ByDefaultABatchedDoorRunsOneReceiverAndAnUnbatchedOneOnePerCore(int batch)
    {
        await using var door = UdpTestDoors.Open(new TestDatagramHandler(), options: UdpDoorOptions.Default with { Batch = batch });
        bool batched = batch > 1 && Doorway.Transport.NativeDatagrams.Supported;
        Assert.Equal(batched ? 1 : Math.Clamp(Environment.ProcessorCount, 2, 8), door.ReceiverCount);
        Assert.Equal(batched, door.Batched);
        Assert.Equal("A"u8.ToArray(), await UdpTestDoors.ExchangeAsync(door.LocalEndPoint, "a"u8.ToArray()).WithDeadline());
    }

    [Fact]
    public async Task TheReceiversAskedForAreTheReceiversRun()
    {
        await using var door = UdpTestDoors.Open(new TestDatagramHandler(), options: UdpDoorOptions.Default with { Receivers = 3 });
        Assert.Equal(3, door.ReceiverCount);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public async Task ReceiversAnswerAtOnceUpToTheirNumber(int receivers, bool answeredWhileTwoAreHeld)
    {
        var handler = new TestDatagramHandler { HoldPrefix = "hold"u8.ToArray() };
        // One datagram per receive: batched, the two held datagrams could share one receiver's batch.
        await using var door = UdpTestDoors.Open(handler, options: UdpDoorOptions.Default with { Receivers = receivers, Batch = 1 });
        var held = new[] { UdpTestDoors.ExchangeAsync(door.LocalEndPoint, "hold 1"u8.ToArray()), UdpTestDoors.ExchangeAsync(door.LocalEndPoint, "hold 2"u8.ToArray()) };
        Assert.True(await handler.Held.WaitAsync(Deadline.Default));
        Assert.True(await handler.Held.WaitAsync(Deadline.Default));

        var free = UdpTestDoors.ExchangeAsync(door.LocalEndPoint, "free"u8.ToArray());
        if (answeredWhileTwoAreHeld)
        {
            Assert.Equal("FREE"u8.ToArray(), await free.WithDeadline());
        }
        else
        {
            // Every receiver is held: nothing can answer, however long we look.
            Assert.NotSame(free, await Task.WhenAny(free, Task.Delay(TimeSpan.FromMilliseconds(300))));
        }

        handler.Gate.Set();
        Assert.Equal("FREE"u8.ToArray(), await free.WithDeadline());
        Assert.Equal("HOLD 1"u8.ToArray(), await held[0].WithDeadline());
        Assert.Equal("HOLD 2"u8.ToArray(), await held[1].WithDeadline());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ABatchOfQueuedDatagramsIsAnsweredEachToItsOwnSender(bool repliesFillTheArena)
    {
        // Room for 3 replies of 300 000 bytes in the 1 MiB arena: a batch of 64 is sent in many sendmmsg calls.
        var handler = new TestDatagramHandler { HoldPrefix = "hold"u8.ToArray(), ReplyRoom = repliesFillTheArena ? 300_000 : null };
        await using var door = UdpTestDoors.Open(handler, address: IPAddress.IPv6Any, options: UdpDoorOptions.Default with { Receivers = 1, Batch = 32 });
        var target = UdpTestDoors.Target(door);
        var holding = UdpTestDoors.ExchangeAsync(target, "hold"u8.ToArray());
        Assert.True(await handler.Held.WaitAsync(Deadline.Default));

        // While the one receiver is held, 64 clients (IPv4 and IPv6, each its own port) queue a
        // datagram each, of 64 lengths, so the next receives take many at once.
        const int Clients = 64;
        var sockets = new Socket[Clients];
        try
        {
            for (int i = 0; i < Clients; i++)
            {
                var family = i % 2 == 0 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                sockets[i] = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
                sockets[i].Connect(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, target.Port));
                sockets[i].Send(Encoding.UTF8.GetBytes($"client {i} ß {new string('x', i * 7)}"));
            }

            handler.Gate.Set();
            Assert.Equal("HOLD"u8.ToArray(), await holding.WithDeadline());
            byte[] buffer = new byte[4096];
            for (int i = 0; i < Clients; i++)
            {
                int received = await sockets[i].ReceiveAsync(buffer, SocketFlags.None, Deadline.Token(TimeSpan.FromSeconds(10)));
                Assert.Equal($"CLIENT {i} SS {new string('X', i * 7)}", Encoding.UTF8.GetString(buffer, 0, received));
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket?.Dispose();
            }
        }

        Assert.Equal(Clients + 1, await UdpTestDoors.RepliedAsync(door, Clients + 1));
        Assert.True(door.LargestBatch > 1, $"the largest batch was {door.LargestBatch}");
        Assert.Equal(0, door.NetworkErrors);
    }

    [Fact]
    public async Task StopLetsTheDatagramBeingAnsweredFinish()
    {
        var handler = new TestDatagramHandler { HoldPrefix = "slow"u8.ToArray() };
        var door = UdpTestDoors.Open(handler);
        var reply = UdpTestDoors.ExchangeAsync(door.LocalEndPoint, "slow one"u8.ToArray());
        Assert.True(await handler.Held.WaitAsync(Deadline.Default));

        var stopping = door.StopAsync();
        Assert.False(stopping.IsCompleted);
        handler.Gate.Set();
        Assert.Equal("SLOW ONE"u8.ToArray(), await reply.WithDeadline());
        await stopping.WithDeadline(TimeSpan.FromSeconds(5));
        await door.DisposeAsync();
    }

    [Fact]
    public async Task StopsPromptlyWhenIdle()
    {
        var door = UdpTestDoors.Open(address: IPAddress.IPv6Any, options: UdpDoorOptions.Default with { Receivers = 4 });
        var port = door.LocalEndPoint.Port;
        await door.StopAsync().WithDeadline(TimeSpan.FromSeconds(2));
        // The port is free again: the socket was closed.
        await using var again = UdpTestDoors.Open(address: IPAddress.IPv6Any, port: port);
    }

    [Fact]
    public async Task ASecondDoorCannotShareThePort()
    {
        await using var door = UdpTestDoors.Open();
        var error = Assert.Throws<SocketException>(() => UdpDoor.Bind("udp",
            UdpDoorOptions.Default with { EndPoint = door.LocalEndPoint }, new TestDatagramHandler(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }
}

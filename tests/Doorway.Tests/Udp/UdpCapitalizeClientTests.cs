using System.Net;
using System.Net.Sockets;
using System.Text;
using Doorway.Capitalize;
using Xunit;
using Doorway.Tests.Support;

namespace Doorway.Tests.Udp;

public sealed class UdpCapitalizeClientTests
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(250);

    // Long enough for a busy test machine to answer in time: the retries must come from the drops alone.
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task RetriesUntilAReplyComes()
    {
        var handler = new TestDatagramHandler { Drop = static n => n <= 2 };
        await using var door = UdpTestDoors.Open(handler);
        using var client = await UdpCapitalizeClient.OpenAsync(UdpTestDoors.HostPortOf(door.LocalEndPoint), AnswerTimeout, retries: 3);
        byte[] reply = await client.ExchangeAsync("third time lucky"u8.ToArray()).WithDeadline();
        Assert.Equal("THIRD TIME LUCKY", Encoding.UTF8.GetString(reply));
        Assert.Equal(2, client.Resent);
        Assert.Equal(3, handler.Seen);
    }

    [Fact]
    public async Task GivesUpAfterTheLastRetry()
    {
        var handler = new TestDatagramHandler { Drop = static _ => true };
        await using var door = UdpTestDoors.Open(handler);
        using var client = await UdpCapitalizeClient.OpenAsync(UdpTestDoors.HostPortOf(door.LocalEndPoint), ShortTimeout, retries: 2);
        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.ExchangeAsync("lost"u8.ToArray()).WithDeadline());
        Assert.Contains("3 tries", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, handler.Seen);
    }

    [Fact]
    public async Task IgnoresAndCountsDatagramsFromAnotherPort()
    {
        using var server = new FakeUdpServer();
        using var impostor = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        impostor.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = await UdpCapitalizeClient.OpenAsync(UdpTestDoors.HostPortOf(server.EndPoint), TimeSpan.FromSeconds(5), retries: 0);

        var exchange = client.ExchangeAsync("who"u8.ToArray());
        var (datagram, sender) = await server.ReceiveAsync().WithDeadline();
        Assert.Equal("who"u8.ToArray(), datagram);
        // The right text from the wrong port first, then the server's own reply.
        await impostor.SendToAsync("WHO"u8.ToArray(), SocketFlags.None, sender);
        await impostor.SendToAsync("WHO"u8.ToArray(), SocketFlags.None, sender);
        await server.SendAsync("WHO"u8.ToArray(), sender);

        Assert.Equal("WHO"u8.ToArray(), await exchange.WithDeadline());
        Assert.Equal(2, client.Strays);
    }

    [Fact]
    public async Task ALateReplyToAnEarlierTextIsNotTakenForTheNextOne()
    {
        using var server = new FakeUdpServer();
        using var client = await UdpCapitalizeClient.OpenAsync(UdpTestDoors.HostPortOf(server.EndPoint), TimeSpan.FromSeconds(5), retries: 0);

        var first = client.ExchangeAsync("one"u8.ToArray());
        var (_, sender) = await server.ReceiveAsync().WithDeadline();
        await server.SendAsync("ONE"u8.ToArray(), sender);
        await server.SendAsync("ONE"u8.ToArray(), sender);
        Assert.Equal("ONE"u8.ToArray(), await first.WithDeadline());

        var second = client.ExchangeAsync("two"u8.ToArray());
        await server.ReceiveAsync().WithDeadline();
        await server.SendAsync("TWO"u8.ToArray(), sender);
        Assert.Equal("TWO"u8.ToArray(), await second.WithDeadline());
        Assert.Equal(1, client.Unexpected);
    }

    [Fact]
    public async Task SendsEachLineAsADatagramAndPrintsRepliesInOrder()
    {
        await using var door = UdpTestDoors.Open(address: IPAddress.IPv6Any);
        using var client = await UdpCapitalizeClient.OpenAsync(UdpTestDoors.HostPortOf(UdpTestDoors.Target(door, IPAddress.IPv6Loopback)), TimeSpan.FromSeconds(2), retries: 3);
        byte[] input = [.. "first line\n\nstraße\n"u8, 0xFF, (byte)'x', (byte)'\n', .. "no newline at the end"u8];
        using var output = new MemoryStream();
        await client.ExchangeLinesAsync(new MemoryStream(input), output).WithDeadline();
        byte[] expected = [.. "FIRST LINE\n\nSTRASSE\n"u8, 0xFF, (byte)'X', (byte)'\n', .. "NO NEWLINE AT THE END\n"u8];
        Assert.Equal(expected, output.ToArray());
        Assert.Equal(5, await UdpTestDoors.RepliedAsync(door, 5));
    }

    [Fact]
    public async Task ALineTooLongForOneDatagramIsAnError()
    {
        await using var door = UdpTestDoors.Open();
        using var client = await UdpCapitalizeClient.OpenAsync(UdpTestDoors.HostPortOf(door.LocalEndPoint), TimeSpan.FromSeconds(2), retries: 0);
        byte[] input = [.. "short\n"u8, .. Enumerable.Repeat((byte)'a', 70_000), (byte)'\n'];
        using var output = new MemoryStream();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => client.ExchangeLinesAsync(new MemoryStream(input), output).WithDeadline());
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Equal("SHORT\n"u8.ToArray(), output.ToArray());
    }
}

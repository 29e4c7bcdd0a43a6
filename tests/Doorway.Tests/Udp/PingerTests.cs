using System.Text;
using Doorway.Ping;
using Doorway.Transport;
using Xunit;
using Doorway.Tests.Support;

namespace Doorway.Tests.Udp;

public sealed class PingerTests
{
    private static readonly PingOptions Quick = new()
    {
        Interval = TimeSpan.FromMilliseconds(20),
        // Long enough for a busy test machine: only the drops may time out.
        Timeout = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public async Task CountsEveryThirdDatagramDroppedAsLost()
    {
        var handler = new TestDatagramHandler { Drop = static n => n % 3 == 0 };
        await using var door = UdpTestDoors.Open(handler);
        using var client = await DatagramClient.OpenAsync(UdpTestDoors.HostPortOf(door.LocalEndPoint));
        var events = new List<PingEvent>();
        var summary = await new Pinger(client, Quick with { Count = 9 }).RunAsync(events.Add).WithDeadline();

        Assert.Equal(9, summary.Sent);
        Assert.Equal(6, summary.Received);
        Assert.Equal(3, summary.Lost);
        Assert.Equal(100.0 / 3, summary.LossPercent, 6);
        Assert.Equal([3, 6, 9], events.Where(e => e.Kind == PingEventKind.TimedOut).Select(e => e.Sequence));
        Assert.Equal([1, 2, 4, 5, 7, 8], events.Where(e => e.Kind == PingEventKind.Reply).Select(e => e.Sequence));
        Assert.True(summary.Min > TimeSpan.Zero && summary.Min <= summary.Average && summary.Average <= summary.Max);
        Assert.Equal(0, summary.Late + summary.Duplicates + summary.Mismatched);
    }

    [Fact]
    public async Task ReportsLateAndDuplicatedRepliesWithoutCountingThem()
    {
        using var server = new FakeUdpServer();
        using var client = await DatagramClient.OpenAsync(UdpTestDoors.HostPortOf(server.EndPoint));
        var events = new List<PingEvent>();
        var pinging = new Pinger(client, Quick with { Count = 3, Size = 40 }).RunAsync(events.Add);

        // Datagram 1 is answered twice; datagram 2 only after datagram 3 came (too late).
        var (one, sender) = await server.ReceiveAsync().WithDeadline();
        await server.SendAsync(Upper(one), sender);
        await server.SendAsync(Upper(one), sender);
        var (two, _) = await server.ReceiveAsync().WithDeadline();
        var (three, _) = await server.ReceiveAsync().WithDeadline();
        await server.SendAsync(Upper(two), sender);
        await server.SendAsync(Upper(three), sender);
        var summary = await pinging.WithDeadline();

        Assert.StartsWith("ping 1 ", Encoding.ASCII.GetString(one), StringComparison.Ordinal);
        Assert.Equal(40, one.Length);
        Assert.Equal(
            [(PingEventKind.Reply, 1), (PingEventKind.Duplicate, 1), (PingEventKind.TimedOut, 2), (PingEventKind.Late, 2), (PingEventKind.Reply, 3)],
            events.Select(e => (e.Kind, e.Sequence)));
        Assert.Equal(3, summary.Sent);
        Assert.Equal(2, summary.Received);
        Assert.Equal(1, summary.Late);
        Assert.Equal(1, summary.Duplicates);
    }

    [Fact]
    public async Task AReplyThatIsNotTheUpperCaseOfTheRequestIsAMismatch()
    {
        using var server = new FakeUdpServer();
        using var client = await DatagramClient.OpenAsync(UdpTestDoors.HostPortOf(server.EndPoint));
        var events = new List<PingEvent>();
        var pinging = new Pinger(client, Quick with { Count = 1 }).RunAsync(events.Add);
        var (one, sender) = await server.ReceiveAsync().WithDeadline();
        // An echo server, not the capitalize door: the header matches but the padding is not upper-cased.
        byte[] echo = Upper(one);
        echo[^1] = one[^1];
        await server.SendAsync(echo, sender);
        var summary = await pinging.WithDeadline();

        Assert.Equal([PingEventKind.Mismatch, PingEventKind.TimedOut], events.Select(e => e.Kind));
        Assert.Equal(0, summary.Received);
        Assert.Equal(1, summary.Mismatched);
    }

    private static byte[] Upper(byte[] datagram) => Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(datagram).ToUpperInvariant());
}

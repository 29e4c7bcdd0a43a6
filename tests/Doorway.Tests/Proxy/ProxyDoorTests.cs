using System.Net;
using System.Text;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Proxy;

/// <summary>The PROXY middleware on a real welcome door: the address it names is the one the limits and the registry see.</summary>
public sealed class ProxyDoorTests
{
    private static async Task<System.Net.Sockets.Socket> ConnectAsForAsync(WelcomeDoor door, string client)
    {
        var socket = await Sockets.ConnectAsync(door.LocalEndPoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"PROXY TCP4 {client} 127.0.0.1 40000 {door.LocalEndPoint.Port}\r\n"));
        return socket;
    }

    [Fact]
    public async Task A_client_refused_at_accept_gets_its_503_through_the_proxy_middleware()
    {
        var options = WelcomeDoorOptions.Default with
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Pipeline = new DoorPipeline().Use(ProxyProtocol.Middleware(
                new ProxyProtocolOptions { TrustedNetworks = ClientNetworks.Parse("127.0.0.1") }, NullLogger.Instance)),
            MaxConnections = 1,
        };
        var release = new TaskCompletionSource();
        // The one slot is held by a connection that waits to be released.
        await using var door = WelcomeDoor.Bind("files", options, null, async (connection, _) => await release.Task, NullLogger.Instance,
            refuse: Doorway.Http.HttpRefusal.AnswerAsync);
        door.Start();
        using var holder = await ConnectAsForAsync(door, "192.0.2.1");
        await Deadline.UntilAsync(() => door.ActiveConnections == 1, "the first connection to be served");

        using var refused = await ConnectAsForAsync(door, "192.0.2.2");
        await refused.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        // The refusal read the header first, so it saw an HTTP request and answered it.
        string answer = Encoding.ASCII.GetString(await Sockets.ReceiveToEndAsync(refused));
        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", answer, StringComparison.Ordinal);
        release.SetResult();
    }

    [Fact]
    public async Task The_per_address_limit_counts_the_client_a_header_names_not_the_balancer()
    {
        using var house = new House();
        var options = WelcomeDoorOptions.Default with
        {
            Pipeline = new DoorPipeline().Use(ProxyProtocol.Middleware(
                new ProxyProtocolOptions { TrustedNetworks = ClientNetworks.Parse("127.0.0.1") }, NullLogger.Instance)),
            MaxConnectionsPerAddress = 1,
            LimitLoopback = true,
        };
        await using var door = TestDoors.OpenCapitalize(options: options, house: house);

        // Every connection comes from the balancer (127.0.0.1); the first two name different clients.
        using var first = await ConnectAsForAsync(door, "192.0.2.1");
        Assert.Equal("ONE", await Sockets.ExchangeAsync(first, "one", "ONE"));
        using var second = await ConnectAsForAsync(door, "192.0.2.2");
        Assert.Equal("TWO", await Sockets.ExchangeAsync(second, "two", "TWO"));
        Assert.Equal(["192.0.2.1", "192.0.2.2"], house.Registry.Snapshot().Select(c => c.RemoteEndPoint.Address.ToString()).Order().ToArray());

        // A second connection for 192.0.2.1 while its first is open: over its limit, closed unanswered.
        using var third = await ConnectAsForAsync(door, "192.0.2.1");
        await third.SendAsync("three"u8.ToArray());
        Assert.Empty(await Sockets.ReceiveToEndAsync(third));

        // Its slot comes back when the first ends.
        first.Dispose();
        await Deadline.UntilAsync(() => house.Registry.Snapshot().Count == 1, "the first connection to end");
        using var fourth = await ConnectAsForAsync(door, "192.0.2.1");
        Assert.Equal("FOUR", await Sockets.ExchangeAsync(fourth, "four", "FOUR"));
    }
}

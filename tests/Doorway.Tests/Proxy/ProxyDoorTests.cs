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
    public async Task The_per_address_limit_counts_the_client_a_header_names_not_the_balancer()
    {
        using var house = new House();
        var options = WelcomeDoorOptions.Default with
        {
            Pipeline = new DoorPipeline().Use(ProxyProtocol.Middleware(
                new ProxyProtocolOptions { TrustedNetworks = ProxyProtocolOptions.ParseNetworks("127.0.0.1") }, NullLogger.Instance)),
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

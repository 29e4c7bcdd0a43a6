using System.Net;
using System.Net.Sockets;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Transport;

public sealed class DoorLimitsTests
{
    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task One_address_cannot_take_every_slot(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(options: WelcomeDoorOptions.Default with { MaxConnectionsPerAddress = 2, LimitLoopback = true }, transport: transport);
        using var first = await Sockets.ConnectAsync(door.LocalEndPoint);
        using var second = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("ONE", await Sockets.ExchangeAsync(first, "one", "ONE"));
        Assert.Equal("TWO", await Sockets.ExchangeAsync(second, "two", "TWO"));
        using var third = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.True(await Sockets.IsClosedByServerAsync(third));

        // Another address (127.0.0.2 is loopback too, and counted because LimitLoopback is on) still gets in.
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        await other.ConnectAsync(door.LocalEndPoint).WithDeadline();
        Assert.Equal("OTHER", await Sockets.ExchangeAsync(other, "other", "OTHER"));

        first.Close();
        await Deadline.UntilAsync(() => door.ActiveConnections == 2, "the first connection to be released");
        using var again = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("AGAIN", await Sockets.ExchangeAsync(again, "again", "AGAIN"));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Loopback_clients_are_not_counted_per_address_by_default(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(options: WelcomeDoorOptions.Default with { MaxConnectionsPerAddress = 1 }, transport: transport);
        using var first = await Sockets.ConnectAsync(door.LocalEndPoint);
        using var second = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("ONE", await Sockets.ExchangeAsync(first, "one", "ONE"));
        Assert.Equal("TWO", await Sockets.ExchangeAsync(second, "two", "TWO"));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_socket_that_fails_during_admission_is_closed_and_the_door_keeps_accepting(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(transport: transport);
        int failures = 3;
        door.AdmissionProbe = _ =>
        {
            if (Interlocked.Decrement(ref failures) >= 0)
            {
                throw new SocketException((int)SocketError.ConnectionReset);
            }
        };
        for (int i = 0; i < 3; i++)
        {
            using var refused = await Sockets.ConnectAsync(door.LocalEndPoint);
            Assert.True(await Sockets.IsClosedByServerAsync(refused));
        }

        using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("STILL ACCEPTING", await Sockets.ExchangeAsync(client, "still accepting", "STILL ACCEPTING"));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task The_descriptor_budget_refuses_cleanly_and_gives_slots_back(TcpTransport transport)
    {
        using var house = new House(new DescriptorBudget(2));
        await using var door = TestDoors.OpenCapitalize(house: house, transport: transport);
        using var first = await Sockets.ConnectAsync(door.LocalEndPoint);
        using var second = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("A", await Sockets.ExchangeAsync(first, "a", "A"));
        Assert.Equal("B", await Sockets.ExchangeAsync(second, "b", "B"));
        Assert.Equal(2, house.Descriptors.InUse);
        using var third = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.True(await Sockets.IsClosedByServerAsync(third));
        first.Close();
        await Deadline.UntilAsync(() => house.Descriptors.InUse == 1, "a descriptor to be given back");
        using var fourth = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("D", await Sockets.ExchangeAsync(fourth, "d", "D"));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task The_idle_timeout_ends_with_a_fin_not_a_reset(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(options: WelcomeDoorOptions.Default with { IdleTimeout = TimeSpan.FromMilliseconds(500) }, transport: transport);
        using var idle = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("HI", await Sockets.ExchangeAsync(idle, "hi", "HI"));
        // A reset would throw ConnectionReset here; a FIN reads as end of stream.
        Assert.Equal(0, await idle.ReceiveAsync(new byte[16]).WithDeadline(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task The_drain_timeout_ends_with_a_fin_not_a_reset(TcpTransport transport)
    {
        var door = TestDoors.OpenTcp(new Silent(), WelcomeDoorOptions.Default with { DrainTimeout = TimeSpan.FromMilliseconds(300) }, transport: transport);
        using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
        await Deadline.UntilAsync(() => door.ActiveConnections == 1, "the connection to be admitted");
        await door.StopAsync().WithDeadline(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await client.ReceiveAsync(new byte[16]).WithDeadline(TimeSpan.FromSeconds(10)));
        await door.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task The_registry_lists_every_door_connection_with_its_protocol_and_bytes(TcpTransport transport)
    {
        using var house = new House();
        await using var door = TestDoors.OpenCapitalize(house: house, transport: transport);
        using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("COUNTED", await Sockets.ExchangeAsync(client, "counted", "COUNTED"));
        var live = Assert.Single(house.Registry.Snapshot());
        // The reply may reach the client before the door's thread counts it sent.
        await Deadline.UntilAsync(() => live.BytesSent == 7, "the reply to be counted");
        Assert.Equal("tcp", live.Door);
        Assert.Equal("capitalize", live.Protocol);
        Assert.Equal(7, live.BytesReceived);
        Assert.Equal(7, live.BytesSent);
        Assert.Equal(((IPEndPoint)client.LocalEndPoint!).Port, live.RemoteEndPoint.Port);
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task The_meter_counts_accepted_active_rejected_and_bytes_per_door(TcpTransport transport)
    {
        using var house = new House();
        using var measured = new MeterTotals(house);

        await using (var door = TestDoors.OpenCapitalize(options: WelcomeDoorOptions.Default with { MaxConnections = 1 }, house: house, transport: transport))
        {
            using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
            Assert.Equal("METERED", await Sockets.ExchangeAsync(client, "metered", "METERED"));
            using var refused = await Sockets.ConnectAsync(door.LocalEndPoint);
            Assert.True(await Sockets.IsClosedByServerAsync(refused));
            await Deadline.UntilAsync(() => door.ActiveConnections == 1 && house.Registry.Snapshot()[0].BytesReceived == 7, "the exchange to be counted");
            measured.RecordObservable();
            Assert.Equal(1, measured["doorway.accepted_connections"]);
            Assert.Equal(1, measured["doorway.active_connections"]);
            Assert.Equal(1, measured["doorway.rejected_connections"]);
            Assert.Equal(7, measured["doorway.received"]);
        }

        Assert.Equal(0, measured["doorway.active_connections"]);
    }

    private sealed class Silent : IConnectionHandler
    {
        public async Task OnConnectedAsync(Connection connection, CancellationToken stopping)
        {
            // Ignores the stop; only the drain timeout ends it.
            byte[] buffer = new byte[16];
            while (await connection.ReceiveAsync(buffer) > 0)
            {
            }
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Doorway.Capitalize;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Transport;

public sealed class WelcomeDoorTests
{
    private static readonly CapitalizeConnectionHandler Capitalize = new(CapitalizeOptions.Default);

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task The_client_past_max_connections_is_closed_and_the_others_are_unaffected(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(null, WelcomeDoorOptions.Default with { MaxConnections = 2 }, transport: transport);
        using var first = await Sockets.ConnectAsync(door.LocalEndPoint);
        using var second = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("ONE", await Sockets.ExchangeAsync(first, "one", "ONE"));
        Assert.Equal("TWO", await Sockets.ExchangeAsync(second, "two", "TWO"));

        using var third = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.True(await Sockets.IsClosedByServerAsync(third));

        Assert.Equal("STILL ONE", await Sockets.ExchangeAsync(first, "still one", "STILL ONE"));
        Assert.Equal("STILL TWO", await Sockets.ExchangeAsync(second, "still two", "STILL TWO"));

        first.Close();
        await Deadline.UntilAsync(() => door.ActiveConnections == 1, "the first connection to be released");
        using var fourth = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("FOUR", await Sockets.ExchangeAsync(fourth, "four", "FOUR"));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout_and_a_busy_one_is_not(TcpTransport transport)
    {
        // Wide margins: the busy client must never pause near the timeout, even on a loaded machine.
        var idleTimeout = TimeSpan.FromMilliseconds(1500);
        await using var door = TestDoors.OpenCapitalize(null, WelcomeDoorOptions.Default with { IdleTimeout = idleTimeout }, transport: transport);
        using var idle = await Sockets.ConnectAsync(door.LocalEndPoint);
        using var busy = await Sockets.ConnectAsync(door.LocalEndPoint);
        var clock = Stopwatch.StartNew();
        var idleClosed = Sockets.IsClosedByServerAsync(idle);

        // The busy client talks every 100 ms for three idle timeouts.
        while (clock.Elapsed < idleTimeout * 2)
        {
            Assert.Equal("PING", await Sockets.ExchangeAsync(busy, "ping", "PING"));
            await Task.Delay(100); // the scenario: a client that pauses between messages
        }

        Assert.True(await idleClosed);
        Assert.Equal("STILL HERE", await Sockets.ExchangeAsync(busy, "still here", "STILL HERE"));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_stuck_send_to_a_client_that_never_reads_ends_by_the_minimum_data_rate(TcpTransport transport)
    {
        // 24 KiB replies at 100,000 B/s after a 0.5 s grace: a send not taken within 0.75 s ends the connection.
        await using var door = TestDoors.OpenCapitalize(null, WelcomeDoorOptions.Default with { MinDataRate = 100_000, MinDataRateGrace = TimeSpan.FromMilliseconds(500) }, transport: transport);
        using var greedy = await Sockets.ConnectAsync(door.LocalEndPoint);
        greedy.ReceiveBufferSize = 16 * 1024;
        byte[] chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            // Sends until the door closes the connection (a reset or broken pipe ends the loop).
            while (!stop.IsCancellationRequested)
            {
                await greedy.SendAsync(chunk, SocketFlags.None, stop.Token);
            }
        }
        catch (SocketException)
        {
        }

        Assert.False(stop.IsCancellationRequested, "the door never closed the stuck connection");
        await Deadline.UntilAsync(() => door.ActiveConnections == 0, "the stuck connection to be released");
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Stop_refuses_new_clients_at_once_and_lets_open_ones_finish(TcpTransport transport)
    {
        // A handler that finishes its exchange on its own: the door waits for it.
        var door = TestDoors.OpenTcp(new OneExchange(), WelcomeDoorOptions.Default with { DrainTimeout = TimeSpan.FromSeconds(20) }, transport: transport);
        using var open = await Sockets.ConnectAsync(door.LocalEndPoint);
        await Deadline.UntilAsync(() => door.ActiveConnections == 1, "the connection to be admitted");

        var stopping = door.StopAsync();
        await Assert.ThrowsAnyAsync<SocketException>(() => Sockets.ConnectAsync(door.LocalEndPoint));
        Assert.False(stopping.IsCompleted);
        Assert.Equal("DURING THE DRAIN", await Sockets.ExchangeAsync(open, "during the drain", "DURING THE DRAIN"));

        Assert.Empty(await Sockets.ReceiveToEndAsync(open));
        await stopping.WithDeadline(TimeSpan.FromSeconds(10));
        Assert.Equal(0, door.ActiveConnections);
        await door.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Stop_half_closes_capitalize_connections_after_answering_what_they_sent(TcpTransport transport)
    {
        var door = TestDoors.OpenCapitalize(options: WelcomeDoorOptions.Default with { DrainTimeout = TimeSpan.FromSeconds(20) }, transport: transport);
        using var idle = await Sockets.ConnectAsync(door.LocalEndPoint);
        using var talking = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("BEFORE", await Sockets.ExchangeAsync(idle, "before", "BEFORE"));
        Assert.Equal("BEFORE", await Sockets.ExchangeAsync(talking, "before", "BEFORE"));

        // The contract on a stop: answer what was received, then half-close, long before the drain timeout.
        await talking.SendAsync("last words"u8.ToArray());
        var clock = Stopwatch.StartNew();
        await door.StopAsync().WithDeadline(TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the stop took {clock.Elapsed}");
        Assert.Equal("LAST WORDS", System.Text.Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(talking)));
        Assert.Empty(await Sockets.ReceiveToEndAsync(idle));
        await door.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Stop_closes_connections_still_open_after_the_drain_timeout(TcpTransport transport)
    {
        var door = TestDoors.OpenCapitalize(null, WelcomeDoorOptions.Default with { DrainTimeout = TimeSpan.FromMilliseconds(300) }, transport: transport);
        using var lingering = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("HI", await Sockets.ExchangeAsync(lingering, "hi", "HI"));

        await door.StopAsync().WithDeadline(TimeSpan.FromSeconds(10));
        Assert.True(await Sockets.IsClosedByServerAsync(lingering));
        Assert.Equal(0, door.ActiveConnections);
        await door.DisposeAsync();
    }

    public static TheoryData<string, TcpTransport, TcpTransport> BusyPorts()
    {
        var cases = new TheoryData<string, TcpTransport, TcpTransport>();
        foreach (string address in new[] { "127.0.0.1", "::" })
        {
            foreach (TcpTransport first in TestDoors.Transports)
            {
                foreach (TcpTransport second in TestDoors.Transports)
                {
                    cases.Add(address, first, second);
                }
            }
        }

        return cases;
    }

    // The epoll transport's listeners share their port with SO_REUSEPORT among themselves; no other
    // door, of either transport, may join them, nor they a port another door holds.
    [Theory]
    [MemberData(nameof(BusyPorts))]
    public async Task A_second_door_on_a_busy_port_fails_with_address_in_use(string address, TcpTransport first, TcpTransport second)
    {
        await using var open = TestDoors.OpenCapitalize(address: IPAddress.Parse(address), transport: first);
        var error = Assert.Throws<SocketException>(() => WelcomeDoor.Bind("tcp",
            WelcomeDoorOptions.Default with { EndPoint = new IPEndPoint(IPAddress.Parse(address), open.LocalEndPoint.Port), Transport = second },
            Capitalize, NullLogger.Instance));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
        using var client = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, open.LocalEndPoint.Port));
        Assert.Equal("STILL MINE", await Sockets.ExchangeAsync(client, "still mine", "STILL MINE"));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_dual_mode_door_serves_ipv4_and_ipv6_clients(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(address: IPAddress.IPv6Any, transport: transport);
        using var v4 = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, door.LocalEndPoint.Port));
        using var v6 = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.IPv6Loopback, door.LocalEndPoint.Port));
        Assert.Equal("FOUR", await Sockets.ExchangeAsync(v4, "four", "FOUR"));
        Assert.Equal("SIX", await Sockets.ExchangeAsync(v6, "six", "SIX"));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_handler_that_throws_costs_its_own_connection_only(TcpTransport transport)
    {
        await using var door = TestDoors.OpenTcp(new ThrowingHandler(), transport: transport);
        for (int i = 0; i < 3; i++)
        {
            using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
            Assert.True(await Sockets.IsClosedByServerAsync(client));
        }

        await Deadline.UntilAsync(() => door.ActiveConnections == 0, "all connections to be released");
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Bytes_that_arrive_while_the_door_stops_are_still_answered_before_the_half_close(TcpTransport transport)
    {
        // The handler is idle (waiting, no buffer) when the stop comes and the bytes are already there.
        var door = TestDoors.OpenCapitalize(options: WelcomeDoorOptions.Default with { DrainTimeout = TimeSpan.FromSeconds(20) }, transport: transport);
        using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("FIRST", await Sockets.ExchangeAsync(client, "first", "FIRST"));
        for (int i = 0; i < 20; i++)
        {
            await client.SendAsync("more "u8.ToArray());
        }

        var clock = Stopwatch.StartNew();
        await door.StopAsync().WithDeadline(TimeSpan.FromSeconds(15));
        Assert.Equal(string.Concat(Enumerable.Repeat("MORE ", 20)), System.Text.Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the stop waited {clock.Elapsed} (the drain timeout is 20 s)");
        await door.DisposeAsync();
    }

    /// <summary>Waits for one message, answers its upper case, closes: a protocol whose exchange ends.</summary>
    private sealed class OneExchange : IConnectionHandler
    {
        public async Task OnConnectedAsync(Connection connection, CancellationToken stopping)
        {
            byte[] buffer = new byte[1024];
            int received = await connection.ReceiveAsync(buffer);
            string reply = System.Text.Encoding.UTF8.GetString(buffer, 0, received).ToUpperInvariant();
            await connection.SendAsync(System.Text.Encoding.UTF8.GetBytes(reply));
            connection.ShutdownSend();
        }
    }

    private sealed class ThrowingHandler : IConnectionHandler
    {
        public Task OnConnectedAsync(Connection connection, CancellationToken stopping) =>
            throw new InvalidOperationException("a broken protocol");
    }
}

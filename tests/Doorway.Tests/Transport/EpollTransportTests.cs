using System.Net;
using Doorway.Tests.Support;
using Doorway.Transport;

namespace Doorway.Tests.Transport;

/// <summary>What only the Linux transport has: several loops behind one port, and its flag on serve.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EpollTransportTests
{
    [Fact]
    public async Task Three_loops_share_one_port_and_every_client_is_served()
    {
        await using var door = TestDoors.OpenCapitalize(options: WelcomeDoorOptions.Default with { TransportLoops = 3 }, transport: TcpTransport.Epoll);
        Assert.Equal(TcpTransport.Epoll, door.Transport);
        Assert.Equal(3, door.TransportLoops);

        // SO_REUSEPORT hashes each client's address and port to one of the listeners: 48 clients
        // land on all three loops (a loop that never accepted would leave its clients unanswered).
        var clients = await Task.WhenAll(Enumerable.Range(0, 48).Select(_ => Sockets.ConnectAsync(door.LocalEndPoint)));
        try
        {
            var replies = await Task.WhenAll(clients.Select((client, i) => Sockets.ExchangeAsync(client, $"client {i}", $"CLIENT {i}")));
            Assert.Equal(Enumerable.Range(0, 48).Select(i => $"CLIENT {i}"), replies);
            await Deadline.UntilAsync(() => door.ActiveConnections == 48, "all 48 connections admitted");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        await Deadline.UntilAsync(() => door.ActiveConnections == 0, "every connection closed");
    }

    [Fact]
    public async Task Serve_refuses_a_transport_it_does_not_know()
    {
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["serve", "--tcp", "0", "--udp", "off", "--files", "off", "--transport", "iouring"]);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("iouring", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_on_each_transport_says_ready_and_answers()
    {
        foreach (string transport in new[] { "epoll", "sockets" })
        {
            await using var serve = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "off", "--bind", "127.0.0.1", "--transport", transport, "--transport-loops", "2");
            int port = await serve.WaitForReadyAsync("tcp");
            using var client = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            Assert.Equal("HELLO " + transport.ToUpperInvariant(), await Sockets.ExchangeAsync(client, "hello " + transport, "HELLO " + transport.ToUpperInvariant()));
        }
    }
}

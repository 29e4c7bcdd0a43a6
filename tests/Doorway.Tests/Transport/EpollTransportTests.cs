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

    /// <summary>
    /// After a read that emptied the queue (fewer bytes than asked), the next receive waits for the
    /// next edge without a recv that could only say EAGAIN: with a ping-pong peer that recv was one
    /// system call in three per message (issue 11, `doorway bench tcp`: 2 recv per send).
    /// </summary>
    [Fact]
    public async Task A_receive_after_the_queue_was_emptied_waits_without_a_system_call()
    {
        await using var client = new Doorway.Transport.Epoll.EpollClient(1, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        using var pair = await ConnectAsync(client);
        var (peer, connection) = pair;
        byte[] buffer = new byte[64];

        await peer.SendAsync("hello"u8.ToArray(), System.Net.Sockets.SocketFlags.None);
        // Once the loop has counted the edge of these bytes: an edge counted after the read would
        // (rightly) send the next receive to the kernel.
        await connection.WaitForDataAsync().AsTask().WaitAsync(Deadline.Default);
        Assert.Equal(5, await connection.ReceiveAsync(buffer).AsTask().WaitAsync(Deadline.Default));
        long calls = connection.ReceiveCalls;

        var next = connection.ReceiveAsync(buffer);
        Assert.False(next.IsCompleted);
        Assert.Equal(calls, connection.ReceiveCalls);

        await peer.SendAsync("abc"u8.ToArray(), System.Net.Sockets.SocketFlags.None);
        Assert.Equal(3, await next.AsTask().WaitAsync(Deadline.Default));
        Assert.Equal("abc", System.Text.Encoding.ASCII.GetString(buffer, 0, 3));
        Assert.Equal(calls + 1, connection.ReceiveCalls);
    }

    /// <summary>
    /// recv stops at a TCP urgent mark, so a read can return fewer bytes than asked while more are
    /// queued: after urgent data (EPOLLPRI) a short read must not be taken for an empty queue, or
    /// the next receive waits for an edge that never comes (found in review).
    /// </summary>
    [Fact]
    public async Task A_read_cut_short_by_urgent_data_does_not_stop_the_next_receive()
    {
        await using var client = new Doorway.Transport.Epoll.EpollClient(1, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        using var pair = await ConnectAsync(client);
        var (peer, connection) = pair;
        byte[] buffer = new byte[64];

        // "c" is the urgent byte; "def" follows in the normal stream.
        peer.Send("abc"u8.ToArray(), System.Net.Sockets.SocketFlags.OutOfBand);
        peer.Send("def"u8.ToArray(), System.Net.Sockets.SocketFlags.None);
        // Both arrive, and the loop counts their edge, before the first read.
        await Deadline.UntilAsync(() => connection.Available > 0, "the bytes queued at the client");
        await Task.Delay(200);
        var received = new System.Text.StringBuilder();
        while (!received.ToString().EndsWith("def", StringComparison.Ordinal))
        {
            int n = await connection.ReceiveAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.True(n > 0, "the connection ended");
            received.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }

        Assert.StartsWith("ab", received.ToString(), StringComparison.Ordinal);
    }

    /// <summary>An epoll connection of a client's loop, and the plain socket at its other end.</summary>
    private sealed record EpollPair(System.Net.Sockets.Socket Peer, Doorway.Transport.Epoll.EpollConnection Connection) : IDisposable
    {
        public void Dispose()
        {
            Connection.Dispose();
            Peer.Dispose();
        }
    }

    /// <summary>An epoll connection of <paramref name="client"/> to a plain socket the test holds (the peer).</summary>
    private static async Task<EpollPair> ConnectAsync(Doorway.Transport.Epoll.EpollClient client)
    {
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var connecting = client.ConnectAsync(new HostPort("127.0.0.1", ((IPEndPoint)listener.LocalEndPoint!).Port), TimeSpan.FromSeconds(10), CancellationToken.None);
        var peer = await listener.AcceptAsync();
        return new EpollPair(peer, (Doorway.Transport.Epoll.EpollConnection)await connecting);
    }

    /// <summary>
    /// Each connection registers the door's stopping token once and keeps it while it lives (issue
    /// 11): a closed connection must let it go, or the door's token would keep every closed
    /// connection in memory until the door stops.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_closed_connection_is_not_kept_alive_by_the_doors_stopping_token(TcpTransport transport)
    {
        var seen = new System.Collections.Concurrent.ConcurrentBag<WeakReference>();
        await using var door = WelcomeDoor.Bind("tcp", TestDoors.On(null, transport: transport), pipeline: null, async (connection, stopping) =>
        {
            seen.Add(new WeakReference(connection));
            byte[] buffer = new byte[64];
            // Every wait passes the door's token, as the doors' handlers do.
            await connection.WaitForDataAsync(stopping);
            while (await connection.ReceiveAsync(buffer, stopping) > 0)
            {
                await connection.WaitForDataAsync(stopping);
            }
        }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        door.Start();
        for (int i = 0; i < 20; i++)
        {
            using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
            await client.SendAsync("hello"u8.ToArray(), System.Net.Sockets.SocketFlags.None);
            client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            Assert.Empty(await Sockets.ReceiveToEndAsync(client));
        }

        await Deadline.UntilAsync(() => door.ActiveConnections == 0, "every connection closed");
        Assert.Equal(20, seen.Count);
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.Equal(0, seen.Count(w => w.IsAlive));
    }

    /// <summary>The kept registration still cancels: a wait that begins after the door's token fired ends at once.</summary>
    [Fact]
    public async Task A_wait_begun_after_the_door_stopped_ends_as_cancelled()
    {
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var door = WelcomeDoor.Bind("tcp", TestDoors.On(null, transport: TcpTransport.Epoll), pipeline: null, async (connection, stopping) =>
        {
            byte[] buffer = new byte[64];
            try
            {
                // The first wait registers the door's token; the client's byte ends it.
                await connection.WaitForDataAsync(stopping);
                _ = await connection.ReceiveAsync(buffer, stopping);
                received.SetResult();
                await stopped.Task;
                await connection.WaitForDataAsync(stopping).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                outcome.TrySetResult("the wait ended without cancellation");
            }
            catch (OperationCanceledException)
            {
                outcome.TrySetResult("cancelled");
            }
            catch (TimeoutException)
            {
                outcome.TrySetResult("the wait hung");
            }
            catch (Exception e)
            {
                outcome.TrySetResult(e.ToString());
            }
        }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        door.Start();
        using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
        await client.SendAsync(new byte[] { 1 }, System.Net.Sockets.SocketFlags.None);
        await received.Task.WaitAsync(Deadline.Default);
        var stopping = door.StopAsync();
        // Give the stop time to cancel the door's token before the handler waits again.
        await Task.Delay(200);
        stopped.SetResult();
        Assert.Equal("cancelled", await outcome.Task.WaitAsync(Deadline.Default));
        await stopping;
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

using System.Globalization;
using Doorway.Bench;
using Doorway.Tests.Support;
using Doorway.Transport;

namespace Doorway.Tests.Bench;

public sealed class TcpBenchTests
{
    /// <summary>Host, size, depth, and the transport of the door and of the load (each on both, where Linux has epoll).</summary>
    public static TheoryData<string, string, string, string> Loads()
    {
        var loads = new TheoryData<string, string, string, string>();
        foreach (string transport in OperatingSystem.IsLinux() ? new[] { "sockets", "epoll" } : ["sockets"])
        {
            loads.Add("127.0.0.1", "128", "1", transport);
            loads.Add("[::1]", "4096", "8", transport);
        }

        return loads;
    }

    [Theory]
    [MemberData(nameof(Loads))]
    public async Task Bench_tcp_drives_a_real_doorway_door_with_no_mismatches(string host, string size, string pipeline, string transport)
    {
        await using var serve = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "off", "--log-level", "warning", "--transport", transport);
        int port = await serve.WaitForReadyAsync("tcp");

        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "tcp", "--server", $"{host}:{port}", "--connections", "4", "--size", size, "--pipeline", pipeline,
             "--duration", "1", "--warmup", "0.2", "--json", "--transport", transport]);

        Assert.True(code == 0, stderr);
        var json = BenchJson.Parse(stdout);
        Assert.True(json.Number("messages") > 100, stdout);
        Assert.True(json.Number("messagesPerSecond") > 100, stdout);
        Assert.Equal(0, json.Number("errors"));
        Assert.Equal(0, json.Number("mismatches"));
        Assert.Equal(int.Parse(size, CultureInfo.InvariantCulture), json.Number("size"));
        Assert.InRange(json.Number("mibPerSecond"), json.Number("messagesPerSecond") * json.Number("size") / 1048576 * 0.99, json.Number("messagesPerSecond") * json.Number("size") / 1048576 * 1.01);
        Assert.True(json.Number("p50Us") > 0 && json.Number("p50Us") <= json.Number("p99Us") && json.Number("p99Us") <= json.Number("p999Us") && json.Number("p999Us") <= json.Number("maxUs"), stdout);
    }

    [Fact]
    public async Task Bench_tcp_prints_a_summary_without_json()
    {
        await using var door = TestDoors.OpenCapitalize();
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "tcp", "--server", $"127.0.0.1:{door.LocalEndPoint.Port}", "--connections", "2", "--duration", "0.5", "--warmup", "0"]);

        Assert.True(code == 0, stderr);
        Assert.Contains("msg/s", stdout, StringComparison.Ordinal);
        Assert.Contains("p99.9", stdout, StringComparison.Ordinal);
        Assert.Contains("errors 0  mismatches 0", stdout, StringComparison.Ordinal);
    }

    /// <summary>The load's transports: on Linux, the epoll client's connections act on readiness themselves, the sockets' await.</summary>
    public static TheoryData<string> BenchTransports() =>
        new(OperatingSystem.IsLinux() ? ["sockets", "epoll"] : ["sockets"]);

    [Theory]
    [MemberData(nameof(BenchTransports))]
    public async Task A_door_that_answers_in_the_wrong_case_is_caught_message_by_message(string transport)
    {
        await using var door = TestDoors.OpenTcp(new WrongDoors.Echo());
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "tcp", "--server", $"127.0.0.1:{door.LocalEndPoint.Port}", "--connections", "3", "--pipeline", "4",
             "--duration", "0.5", "--warmup", "0", "--json", "--transport", transport]);

        Assert.Equal(1, code);
        Assert.Contains("mismatches", stderr, StringComparison.Ordinal);
        var json = BenchJson.Parse(stdout);
        Assert.True(json.Number("messages") > 0, stdout);
        // Every reply is wrong, each counted once (not twice), plus the few outside the measured window.
        Assert.InRange(json.Number("mismatches"), json.Number("messages"), (json.Number("messages") * 1.5) + 100);
        Assert.Equal(0, json.Number("errors"));
    }

    [Theory]
    [MemberData(nameof(BenchTransports))]
    public async Task A_door_that_answers_twice_is_caught(string transport)
    {
        // The second copy is taken for the next message's reply (a mismatch), or, when it comes
        // with the first, is more than was sent (a mismatch, and the connection is given up).
        await using var door = TestDoors.OpenTcp(new WrongDoors.Doubling());
        var result = await LoadGenerator.RunAsync(Options(door.LocalEndPoint.Port, transport) with { Connections = 2 }).WithDeadline();

        Assert.True(result.Mismatches > 0, $"{result.Mismatches} mismatches");
        Assert.InRange(result.Errors, 0, 2);
        Assert.True(result.Errors == 0 || result.FirstError == "the server sent more bytes than it was sent", result.FirstError);
    }

    [Theory]
    [MemberData(nameof(BenchTransports))]
    public async Task A_door_that_hangs_up_ends_the_run_early_with_one_error_per_connection(string transport)
    {
        await using var door = TestDoors.OpenTcp(new HangUp());
        var run = LoadGenerator.RunAsync(Options(door.LocalEndPoint.Port, transport) with
        {
            Connections = 3,
            Duration = TimeSpan.FromMinutes(5),
        });

        var result = await run.WithDeadline();
        Assert.Equal(3, result.Errors);
        Assert.Equal("the server closed the connection", result.FirstError);
        Assert.True(result.Elapsed < TimeSpan.FromMinutes(1), $"measured {result.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(BenchTransports))]
    public async Task A_door_that_hangs_up_in_the_middle_of_a_reply_ends_the_run_early(string transport)
    {
        // The half reply and the FIN arrive together: a reader that stops at the short read
        // never sees the end (no edge follows), and waits out the run. Two loops on the epoll
        // client, so connections on both share counters that are merged once each.
        await using var door = TestDoors.OpenTcp(new HalfReply());
        var result = await LoadGenerator.RunAsync(Options(door.LocalEndPoint.Port, transport) with
        {
            Connections = 3,
            TransportLoops = 2,
            Duration = TimeSpan.FromMinutes(5),
        }).WithDeadline();

        Assert.Equal(3, result.Errors);
        Assert.Equal("the server closed the connection", result.FirstError);
        Assert.Equal(0, result.Messages);
        Assert.True(result.Elapsed < TimeSpan.FromMinutes(1), $"measured {result.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(BenchTransports))]
    public async Task A_door_that_stops_answering_is_given_up_at_the_drain_timeout(string transport)
    {
        await using var door = TestDoors.OpenTcp(new Mute());
        var result = await LoadGenerator.RunAsync(Options(door.LocalEndPoint.Port, transport) with
        {
            Connections = 3,
            Duration = TimeSpan.FromSeconds(0.3),
            DrainTimeout = TimeSpan.FromSeconds(0.5),
        }).WithDeadline();

        Assert.Equal(3, result.Errors);
        Assert.Equal(BenchSockets.StillWaiting, result.FirstError);
        Assert.Equal(0, result.Messages);
    }

    [Theory]
    [MemberData(nameof(BenchTransports))]
    public async Task A_window_larger_than_the_kernels_buffers_goes_out_as_the_server_reads(string transport)
    {
        // 1 MiB in flight to a server with a 4 KiB receive buffer that reads nothing for 300 ms,
        // from 16 KiB send buffers: the kernel takes part of the window, the rest goes out as the
        // server drains it (the epoll connection resumes on writable edges).
        await using var server = await SmallWindowServer.StartAsync(TimeSpan.FromMilliseconds(300));
        var result = await LoadGenerator.RunAsync(Options(server.Port, transport) with
        {
            Connections = 2,
            Size = 64 * 1024,
            Pipeline = 16,
            Duration = TimeSpan.FromSeconds(1),
            SendBufferBytes = 16 * 1024,
        }).WithDeadline();

        Assert.True(result.Errors + result.Mismatches == 0, $"{result.FirstError} {result.FirstMismatch}");
        Assert.True(result.Messages >= 16, $"{result.Messages} messages");
    }

    [Fact]
    public async Task Nothing_listening_is_one_clear_line_and_exit_1()
    {
        int port = FreeTcpPort();
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "tcp", "--server", $"127.0.0.1:{port}", "--duration", "1"]);

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"doorway: 127.0.0.1:{port}: connection refused\n", stderr);
    }

    [Theory]
    [InlineData("--connections", "0")]
    [InlineData("--pipeline", "0")]
    [InlineData("--size", "-3")]
    [InlineData("--rate", "0")]
    [InlineData("--warmup", "-1")]
    public async Task Bad_numbers_are_usage_errors(string option, string value)
    {
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(["bench", "tcp", option, value]);
        Assert.Equal(2, code);
        Assert.Contains(option, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_bytes_in_flight_is_a_usage_error()
    {
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(["bench", "tcp", "--size", "65536", "--pipeline", "64"]);
        Assert.Equal(2, code);
        Assert.Contains("in flight", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stalled_server_is_charged_from_the_intended_send_time()
    {
        // The door holds every reply 50 ms. Ping-pong at 200 messages/s on one connection can
        // only complete 20 a second, so messages fall ever further behind their schedule: latency
        // counted from when each should have gone grows far beyond the 50 ms a reply takes.
        await using var door = TestDoors.OpenTcp(new SlowDoor(TimeSpan.FromMilliseconds(50)));
        var result = await LoadGenerator.RunAsync(Options(door.LocalEndPoint.Port) with
        {
            Connections = 1,
            Rate = 200,
            Duration = TimeSpan.FromSeconds(1),
            Warmup = TimeSpan.Zero,
        }).WithDeadline();

        Assert.Equal(0, result.Errors + result.Mismatches);
        Assert.InRange(result.Messages, 2, 25);
        Assert.True(result.LatencyUs(99) > 300_000, $"p99 {result.LatencyUs(99)} µs");
        Assert.True(result.LatencyUs(0) >= 50_000, $"min {result.LatencyUs(0)} µs");
    }

    public static TheoryData<string, string> AllocationLoads()
    {
        var loads = new TheoryData<string, string>();
        foreach (string transport in OperatingSystem.IsLinux() ? new[] { "sockets", "epoll" } : ["sockets"])
        {
            loads.Add("1", transport);
            loads.Add("16", transport);
        }

        return loads;
    }

    [Theory]
    [MemberData(nameof(AllocationLoads))]
    public async Task The_tcp_loop_allocates_nothing_per_message(string pipeline, string transport)
    {
        // Against the native server, in its own process: every byte the bench process allocates
        // while measuring is the generator's.
        var (server, port) = await NativeBaseline.StartTcpAsync();
        await using var _ = server;
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "tcp", "--server", $"127.0.0.1:{port}", "--connections", "8", "--pipeline", pipeline,
             "--duration", "3", "--warmup", "0.5", "--json", "--transport", transport]);

        Assert.True(code == 0, stderr);
        var json = BenchJson.Parse(stdout);
        // The smallest object is 24 bytes, so one per message over 20,000 messages would be 480 KB.
        // (3 s, not 2: at a load average of 30 the epoll load did 9,580 messages in 2 s.)
        // What the process allocates regardless (the once-a-second timer, threads the pool adds on a
        // loaded machine: up to 450 KB seen while the rest of the suite ran) is about time, not
        // messages; allow 256 KiB plus 12 bytes per message, half of the smallest object.
        Assert.True(json.Number("messages") > 20_000, stdout);
        Assert.True(json.Number("allocatedBytes") < (256 * 1024) + (json.Number("messages") * 12), stdout);
    }

    internal static BenchOptions Options(int port, string transport = "sockets") => BenchOptions.Default with
    {
        Server = new HostPort("127.0.0.1", port),
        Transport = transport == "epoll" ? TcpTransport.Epoll : TcpTransport.Sockets,
        Connections = 2,
        Duration = TimeSpan.FromSeconds(0.5),
        Warmup = TimeSpan.Zero,
    };

    private static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Closes every connection at once.</summary>
    private sealed class HangUp : IConnectionHandler
    {
        public Task OnConnectedAsync(Connection connection, CancellationToken stopping) => Task.CompletedTask;
    }

    /// <summary>Answers the first read with the upper case of its first half, and closes at once.</summary>
    private sealed class HalfReply : IConnectionHandler
    {
        public async Task OnConnectedAsync(Connection connection, CancellationToken stopping)
        {
            var buffer = new byte[4096];
            int received = await connection.ReceiveAsync(buffer, stopping);
            System.Text.Ascii.ToUpperInPlace(buffer.AsSpan(0, received / 2), out _);
            await connection.SendAsync(buffer.AsMemory(0, received / 2), stopping);
        }
    }

    /// <summary>Reads and never answers.</summary>
    private sealed class Mute : IConnectionHandler
    {
        public async Task OnConnectedAsync(Connection connection, CancellationToken stopping)
        {
            var buffer = new byte[4096];
            while (await connection.ReceiveAsync(buffer, stopping) > 0)
            {
            }
        }
    }

    /// <summary>
    /// An upper-casing server of plain sockets whose connections have a 4 KiB receive buffer (the
    /// listener's, inherited) and read nothing for a while: a sender's window can't all fit.
    /// </summary>
    private sealed class SmallWindowServer : IAsyncDisposable
    {
        private readonly System.Net.Sockets.Socket _listener;
        private readonly List<Task> _served = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        private SmallWindowServer(TimeSpan delay)
        {
            _listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
            {
                ReceiveBufferSize = 4096,
            };
            _listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            _listener.Listen();
            _accepting = AcceptAsync(delay);
        }

        public int Port => ((System.Net.IPEndPoint)_listener.LocalEndPoint!).Port;

        public static Task<SmallWindowServer> StartAsync(TimeSpan delay) => Task.FromResult(new SmallWindowServer(delay));

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Dispose();
            await Task.WhenAll([.. _served, _accepting]).ContinueWith(_ => { }, TaskScheduler.Default);
            _stop.Dispose();
        }

        private async Task AcceptAsync(TimeSpan delay)
        {
            while (!_stop.IsCancellationRequested)
            {
                System.Net.Sockets.Socket socket;
                try
                {
                    socket = await _listener.AcceptAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    return;
                }

                _served.Add(ServeAsync(socket, delay));
            }
        }

        private async Task ServeAsync(System.Net.Sockets.Socket socket, TimeSpan delay)
        {
            using var served = socket;
            var buffer = new byte[4096];
            try
            {
                await Task.Delay(delay, _stop.Token);
                while (true)
                {
                    int received = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, _stop.Token);
                    if (received == 0)
                    {
                        return;
                    }

                    System.Text.Ascii.ToUpperInPlace(buffer.AsSpan(0, received), out _);
                    await socket.SendAsync(buffer.AsMemory(0, received), System.Net.Sockets.SocketFlags.None, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException)
            {
            }
        }
    }

    /// <summary>Upper-cases, but holds each reply for a while: a server that stalls.</summary>
    private sealed class SlowDoor(TimeSpan delay) : IConnectionHandler
    {
        public async Task OnConnectedAsync(Connection connection, CancellationToken stopping)
        {
            var buffer = new byte[4096];
            while (true)
            {
                int received = await connection.ReceiveAsync(buffer, stopping);
                if (received == 0)
                {
                    return;
                }

                await Task.Delay(delay, stopping);
                System.Text.Ascii.ToUpperInPlace(buffer.AsSpan(0, received), out _);
                await connection.SendAsync(buffer.AsMemory(0, received), stopping);
            }
        }
    }
}

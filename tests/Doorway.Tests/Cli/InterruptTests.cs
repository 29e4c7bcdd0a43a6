using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Doorway.Tests.Bench;
using Doorway.Tests.Support;
using Doorway.Tests.Udp;
using Doorway.Transport;

namespace Doorway.Tests.Cli;

/// <summary>
/// Ctrl-C as a user presses it: on a terminal (a pseudo-terminal from script(1), where the byte
/// 0x03 becomes SIGINT for the foreground process) or as SIGINT sent to the process.
/// </summary>
public sealed class InterruptTests
{
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ctrl_c_at_the_capitalize_prompt_ends_it_with_130(bool udp)
    {
        await using var tcpDoor = TestDoors.OpenCapitalize();
        await using var udpDoor = UdpTestDoors.Open();
        var target = udp ? UdpTestDoors.Target(udpDoor) : tcpDoor.LocalEndPoint;
        string command = $"exec dotnet '{Repo.DoorwayDll}' capitalize --server {target}{(udp ? " --udp" : "")}";
        await using var client = RunningProcess.Start("script", ["-qec", command, "/dev/null"]);
        await client.StandardInput.WriteAsync("first line\n");
        await client.StandardInput.FlushAsync();
        await Deadline.UntilAsync(() => client.Stdout.Contains("From Server: FIRST LINE", StringComparison.Ordinal), "the first reply");

        // Back at the prompt, waiting for a line that never comes: Ctrl-C must still end it.
        await client.StandardInput.WriteAsync("\u0003");
        await client.StandardInput.FlushAsync();
        Assert.Equal(ExitInterrupted, await client.WaitForExitAsync(Promptly));
        Assert.Contains("doorway: interrupted", client.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigint_during_the_bench_warm_up_prints_no_result_and_exits_130()
    {
        await using var door = TestDoors.OpenCapitalize();
        await using var bench = RunningProcess.StartDoorway("bench", "tcp", "--server", door.LocalEndPoint.ToString(),
            "--connections", "2", "--warmup", "600", "--duration", "1");
        await Deadline.UntilAsync(() => door.ActiveConnections == 2, "the bench to connect");
        bench.Signal(2);
        Assert.Equal(ExitInterrupted, await bench.WaitForExitAsync(Promptly));
        Assert.Empty(bench.Stdout);
        Assert.Equal("doorway: interrupted during the warm-up; no result", bench.Stderr.Trim());
    }

    [Fact]
    public async Task Sigint_while_the_bench_measures_marks_the_result_partial_and_exits_130()
    {
        await using var door = TestDoors.OpenCapitalize();
        await using var bench = RunningProcess.StartDoorway("bench", "tcp", "--server", door.LocalEndPoint.ToString(),
            "--connections", "2", "--warmup", "0", "--duration", "600", "--json");
        var source = (IConnectionSource)door;
        await Deadline.UntilAsync(() => source.BytesReceived > 100_000, "the bench to load the door");
        bench.Signal(2);
        Assert.Equal(ExitInterrupted, await bench.WaitForExitAsync(Promptly));
        var json = BenchJson.Parse(bench.Stdout);
        Assert.True(json.GetProperty("interrupted").GetBoolean(), bench.Stdout);
        Assert.True(json.Number("seconds") < 600, bench.Stdout);
        Assert.StartsWith("doorway: interrupted after ", bench.Stderr.Trim(), StringComparison.Ordinal);
        Assert.Contains("of the 600 s", bench.Stderr, StringComparison.Ordinal);
        Assert.Single(bench.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Sigint_ends_ping_with_its_summary_and_130()
    {
        await using var door = UdpTestDoors.Open();
        await using var ping = RunningProcess.StartDoorway("ping", "--server", UdpTestDoors.Target(door).ToString(), "-c", "1000", "-i", "0.05");
        await ping.WaitForLineAsync("64 bytes from ");
        ping.Signal(2);
        Assert.Equal(ExitInterrupted, await ping.WaitForExitAsync(Promptly));
        Assert.Contains("ping statistics ---", ping.Stdout, StringComparison.Ordinal);
        Assert.Contains("doorway: interrupted", ping.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_sigint_stops_a_draining_serve_at_once()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "off",
            "--bind", "127.0.0.1", "--drain-timeout", "600", "--min-data-rate", "0");
        int port = await server.WaitForReadyAsync("tcp");

        // A client that sends and never reads: its replies fill the buffers, so the drain waits on it.
        using var client = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        using var stop = new CancellationTokenSource();
        var sent = new StrongBox<long>();
        var flooding = FloodAsync(client, sent, stop.Token);
        await Deadline.UntilAsync(() => Volatile.Read(ref sent.Value) > 256 << 10, "the flood to begin");

        server.Signal(2);
        await Deadline.UntilAsync(() => server.Stderr.Contains("Ctrl-C again to stop at once", StringComparison.Ordinal), "the draining line");
        Assert.False(server.HasExited);

        server.Signal(2);
        Assert.Equal(ExitInterrupted, await server.WaitForExitAsync(Promptly));
        await stop.CancelAsync();
        await flooding.WithDeadline();
    }

    private const int ExitInterrupted = 130;

    private static async Task FloodAsync(Socket client, StrongBox<long> sent, CancellationToken cancellationToken)
    {
        byte[] chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        try
        {
            while (true)
            {
                Interlocked.Add(ref sent.Value, await client.SendAsync(chunk, SocketFlags.None, cancellationToken));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // Cancelled by the test, or the server closed the connection: both end the flood.
        }
    }
}

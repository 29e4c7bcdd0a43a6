using System.Text.RegularExpressions;
using Doorway.Tests.Support;
using Doorway.Tests.Udp;

namespace Doorway.Tests.Cli;

/// <summary><c>doorway ping</c> with ping(8)'s options and the shapes of its lines.</summary>
public sealed class PingHabitTests
{
    [Fact]
    public async Task Short_options_and_ping_shaped_lines_with_the_bytes_really_sent()
    {
        await using var door = UdpTestDoors.Open();
        string server = UdpTestDoors.Target(door).ToString();
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["ping", "--server", server, "-c", "3", "-i", "0.05", "-W", "2", "-s", "100"]);
        Assert.True(code == 0, stderr);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal($"PING {server} ({server}) 100 bytes of data.", lines[0]);
        for (int seq = 1; seq <= 3; seq++)
        {
            Assert.Matches($@"^100 bytes from {Regex.Escape(server)}: seq={seq} time=\d+\.\d{{3}} ms$", lines[seq]);
        }

        Assert.Equal("", lines[4]);
        Assert.Equal($"--- {server} ping statistics ---", lines[5]);
        Assert.Matches(@"^3 datagrams transmitted, 3 received, 0% packet loss, time \d+ms$", lines[6]);
        Assert.Matches(@"^rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms$", lines[7]);
        Assert.Equal(8, lines.Length);
    }

    [Fact]
    public async Task Quiet_prints_only_the_first_line_and_the_summary_and_one_is_singular()
    {
        await using var door = UdpTestDoors.Open();
        string server = UdpTestDoors.Target(door).ToString();
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["ping", "--server", server, "-q", "-c", "1"]);
        Assert.True(code == 0, stderr);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal($"PING {server} ({server}) 64 bytes of data.", lines[0]);
        Assert.Equal("", lines[1]);
        Assert.Matches(@"^1 datagram transmitted, 1 received, 0% packet loss, time \d+ms$", lines[3]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public async Task A_size_below_the_header_is_a_usage_error_not_a_smaller_count()
    {
        // Each datagram carries "ping SEQ UNIX-MS": a size below that cannot be sent, so saying it would be a lie.
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["ping", "-s", "1", "-c", "20"]);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Matches(@"^doorway: -s/--size is at least \d+ bytes for -c 20 \(each datagram carries 'ping SEQ UNIX-MS'\), not 1\.\n", stderr);
    }
}

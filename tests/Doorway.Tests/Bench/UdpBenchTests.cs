using Doorway.Bench;
using Doorway.Tests.Support;

namespace Doorway.Tests.Bench;

// Alone: these measure loss against a server in the test host, whose replies a busy host (the
// suite's first seconds, with every collection starting) can delay past the run (seen: 0 messages in 0.5 s).
[Collection(HeavyTests.Name)]
public sealed class UdpBenchTests
{
    [Fact]
    public async Task Bench_udp_counts_the_datagrams_a_door_drops_as_lost()
    {
        await using var server = new TestUdpServer(dropEvery: 5);
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "udp", "--server", $"127.0.0.1:{server.Port}", "--connections", "4", "--duration", "1.5", "--warmup", "0.2",
             "--timeout", "0.2", "--json"]);

        Assert.True(code == 0, stderr);
        var json = BenchJson.Parse(stdout);
        double messages = json.Number("messages");
        double lost = json.Number("lost");
        double late = json.Number("late");
        Assert.True(messages > 20, stdout);
        Assert.Equal(0, json.Number("mismatches"));
        Assert.Equal(0, json.Number("errors"));
        // One in five dropped: of what was measured, about a fifth is lost. A reply a busy machine
        // delays past the timeout is counted lost, then late (seen: 15 of 23 lost at a load of 12,
        // the test server sharing the test host's thread pool), so the drops are the lost that never came.
        double dropped = Math.Max(0, lost - late);
        double share = dropped / (messages + dropped);
        Assert.True(share is > 0.12 and < 0.35, $"lost share {share:0.000}: {stdout}");
    }

    [Fact]
    public async Task Bench_udp_against_a_door_that_drops_nothing_loses_nothing()
    {
        await using var server = new TestUdpServer();
        // The test server shares the test host's thread pool: a long timeout, so only a real drop could count.
        var result = await LoadGenerator.RunAsync(TcpBenchTests.Options(server.Port) with
        {
            Mode = BenchMode.Udp,
            Connections = 3,
            Duration = TimeSpan.FromSeconds(1.5),
            LossTimeout = TimeSpan.FromSeconds(5),
        }).WithDeadline();

        Assert.True(result.Messages > 10, $"{result.Messages} messages");
        Assert.Equal(0, result.Lost + result.Errors + result.Mismatches);
    }

    [Fact]
    public async Task A_udp_door_that_does_not_upper_case_is_a_mismatch_per_datagram()
    {
        await using var server = new TestUdpServer(upperCase: false);
        var result = await LoadGenerator.RunAsync(TcpBenchTests.Options(server.Port) with { Mode = BenchMode.Udp, Size = 300 }).WithDeadline();

        Assert.True(result.Messages > 10, $"{result.Messages} messages");
        // Echoed tags are lowercase: a wrong reply to this datagram, not a late one.
        Assert.Equal(0, result.Late);
        Assert.InRange(result.Mismatches, result.Messages, (result.Messages * 1.5) + 10);
    }

    [Fact]
    public async Task Udp_with_a_pipeline_is_a_usage_error()
    {
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(["bench", "udp", "--pipeline", "2"]);
        Assert.Equal(2, code);
        Assert.Contains("--pipeline 1", stderr, StringComparison.Ordinal);
    }
}

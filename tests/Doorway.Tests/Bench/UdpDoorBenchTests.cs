using Doorway.Tests.Support;

namespace Doorway.Tests.Bench;

public sealed class UdpDoorBenchTests
{
    [Fact]
    public async Task Bench_udp_drives_a_real_doorway_udp_door_with_no_mismatches()
    {
        await using var serve = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "0", "--files", "off", "--log-level", "warning");
        int port = await serve.WaitForReadyAsync("udp");

        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "udp", "--server", $"127.0.0.1:{port}", "--connections", "4", "--size", "512",
             "--duration", "1", "--warmup", "0.2", "--timeout", "2", "--json"]);

        Assert.True(code == 0, stderr);
        var json = BenchJson.Parse(stdout);
        Assert.True(json.Number("messages") > 100, stdout);
        Assert.Equal(0, json.Number("mismatches"));
        Assert.Equal(0, json.Number("errors"));
        // Loopback drops nothing, and a 2 s timeout outlasts any pause of a busy machine.
        Assert.Equal(0, json.Number("lost"));
    }
}

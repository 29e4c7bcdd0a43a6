using Doorway.Bench;
using Doorway.Tests.Support;

namespace Doorway.Tests.Bench;

/// <summary>A paced load keeps to its rate: timing-bound, so it runs alone (a loaded test host slows the generator).</summary>
[Collection(HeavyTests.Name)]
public sealed class TcpBenchRateTests
{
    [Fact]
    public async Task With_a_rate_the_load_keeps_to_it()
    {
        // A server in its own process, so the test host's other tests can't slow the replies.
        var (server, port) = await NativeBaseline.StartTcpAsync();
        await using var _ = server;
        var result = await LoadGenerator.RunAsync(TcpBenchTests.Options(port) with
        {
            Connections = 5,
            Rate = 400,
            Duration = TimeSpan.FromSeconds(3),
            Warmup = TimeSpan.FromSeconds(0.2),
        }).WithDeadline();

        Assert.Equal(0, result.Errors + result.Mismatches);
        // Unpaced, this load would be tens of thousands a second. The margin is for a busy machine
        // stalling the generator near the end of the window, before it can catch up.
        Assert.InRange(result.MessagesPerSecond, 400 * 0.8, 400 * 1.2);
    }
}

using System.Net.Sockets;
using Doorway.Tests.Support;
using Xunit.Abstractions;

namespace Doorway.Tests.Capitalize;

/// <summary>
/// The capitalize door's hot path (socket connection, timeouts, byte counters, handler,
/// upper-caser) allocates nothing per message, with the socket engine running continuations inline
/// as <c>serve</c> runs it (test.runsettings). The count is process-wide, so this runs alone, with
/// a client that allocates nothing per message either.
/// </summary>
[Collection(Doorway.Tests.Files.AllocationTests.Alone)]
public sealed class CapitalizeAllocationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_capitalize_exchange_allocates_nothing_per_message()
    {
        await using var door = TestDoors.OpenCapitalize();
        using var socket = await Sockets.ConnectAsync(door.LocalEndPoint);
        byte[] message = "hello, straße and ﬁ: all of it upper-cased"u8.ToArray();
        byte[] reply = new byte[1024];
        int expected = System.Text.Encoding.UTF8.GetByteCount("HELLO, STRASSE AND FI: ALL OF IT UPPER-CASED");

        async Task RoundsAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                await socket.SendAsync(message.AsMemory(), SocketFlags.None);
                int got = 0;
                while (got < expected)
                {
                    int n = await socket.ReceiveAsync(reply.AsMemory(got), SocketFlags.None);
                    Assert.True(n > 0, "closed");
                    got += n;
                }
            }
        }

        await RoundsAsync(2_000).WithDeadline();
        const int rounds = 50_000;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await RoundsAsync(rounds).WithDeadline();
        long during = GC.GetTotalAllocatedBytes(precise: true) - before;
        var elapsed = clock.Elapsed;

        // The count is process-wide and the test host allocates as time passes (its own messaging):
        // the same time spent idle says how much of the count is not the exchanges'.
        long idleStart = GC.GetTotalAllocatedBytes(precise: true);
        await Task.Delay(elapsed); // the scenario: the same span of time with no exchange
        long idle = GC.GetTotalAllocatedBytes(precise: true) - idleStart;
        double perMessage = (double)(during - idle) / rounds;
        output.WriteLine($"{during} bytes allocated over {rounds} exchanges in {elapsed.TotalSeconds:0.00} s; {idle} bytes in as long idle; {perMessage:0.00} B per exchange");
        // The smallest object is 24 bytes: one per exchange would be 24 B per exchange.
        Assert.True(perMessage < 12, $"{perMessage:0.00} B allocated per exchange");
    }
}

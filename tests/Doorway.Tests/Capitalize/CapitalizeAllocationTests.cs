using Doorway.Transport;
using System.Net.Sockets;
using Doorway.Tests.Support;
using Xunit.Abstractions;

namespace Doorway.Tests.Capitalize;

/// <summary>
/// The capitalize door's hot path (socket connection, timeouts, byte counters, handler,
/// upper-caser) allocates nothing per message. The count is process-wide, so this runs alone, with
/// a client that allocates nothing per message either.
/// </summary>
[Collection(Doorway.Tests.Files.AllocationTests.Alone)]
public sealed class CapitalizeAllocationTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_capitalize_exchange_allocates_nothing_per_message(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(transport: transport);
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

        // The count is process-wide, and the test host allocates in bursts of its own (reflection,
        // its messaging) that land in some windows: the least of five windows is the door's.
        const int rounds = 10_000;
        double least = double.MaxValue;
        for (int window = 0; window < 5; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await RoundsAsync(rounds).WithDeadline();
            double perMessage = (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / rounds;
            output.WriteLine($"window {window}: {perMessage:0.00} B per exchange");
            least = Math.Min(least, perMessage);
        }

        // The smallest object is 24 bytes: one per exchange would be 24 B per exchange.
        Assert.True(least < 12, $"{least:0.00} B allocated per exchange in the best of five windows");
    }
}

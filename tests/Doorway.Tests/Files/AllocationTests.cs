using System.Net.Sockets;
using System.Text;
using Doorway.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Doorway.Tests.Files;

/// <summary>
/// What one small-file request costs the process in allocated bytes, server and a lean client
/// together. Not zero (a request resolves its path into strings and opens a FileStream), but
/// bounded and independent of the file's size. The count is process-wide, so these run alone.
/// </summary>
[Collection(AllocationTests.Alone)]
public sealed class AllocationTests : IDisposable
{
    /// <summary>The budget per request. Measured in a Debug build: about 2 KiB for a 1 KiB file (read and
    /// sent with its head), 5.5 KiB for a 4 MiB one (sendfile through SendPacketsAsync).</summary>
    private const long BudgetBytes = 8 * 1024;

    public const string Alone = "Files allocation counting (no parallel tests)";

    private readonly TempTree _tree = new();
    private readonly ITestOutputHelper _output;

    public AllocationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData(1024)]
    [InlineData(4 * 1024 * 1024)]
    public async Task A_kept_alive_GET_allocates_a_bounded_amount(int size)
    {
        _tree.MakeFile("f.bin", size);
        await using var door = FileClients.Open(_tree.Root);
        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        byte[] request = Encoding.ASCII.GetBytes("GET /f.bin HTTP/1.1\r\nHost: t\r\n\r\n");
        byte[] buffer = new byte[1024 * 1024];

        // The first answer tells the exact length of every answer (same head, same body).
        await socket.SendAsync(request).WithDeadline();
        var first = await FileClients.ReadResponseAsync(socket, new MemoryStream());
        int headLength = Encoding.UTF8.GetByteCount(first.StatusLine) + 2
            + first.Headers.Sum(h => Encoding.UTF8.GetByteCount($"{h.Key}: {h.Value}\r\n")) + 2;
        long answer = headLength + size;

        async Task RoundsAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                await socket.SendAsync(request, SocketFlags.None);
                long left = answer;
                while (left > 0)
                {
                    int n = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), SocketFlags.None);
                    Assert.True(n > 0, "closed");
                    left -= n;
                }
            }
        }

        await RoundsAsync(50).WithDeadline();
        const int rounds = 200;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await RoundsAsync(rounds).WithDeadline();
        long perRequest = (GC.GetTotalAllocatedBytes(precise: true) - before) / rounds;
        _output.WriteLine($"{size} bytes: {perRequest} bytes allocated per request");
        Assert.InRange(perRequest, 0, BudgetBytes);
    }
}

[CollectionDefinition(AllocationTests.Alone, DisableParallelization = true)]
public sealed class AllocationCountingCollection
{
}

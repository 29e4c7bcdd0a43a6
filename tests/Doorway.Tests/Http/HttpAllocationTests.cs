using System.Net;
using System.Net.Sockets;
using System.Text;
using Doorway.Http;
using Doorway.Tests.Files;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Xunit.Abstractions;

namespace Doorway.Tests.Http;

/// <summary>
/// What the HTTP session itself costs per request: a keep-alive small GET answered by a responder
/// that allocates nothing, over a real socket, server and a lean client together. The count is
/// process-wide, so these run alone (with the file door's allocation tests).
/// </summary>
[Collection(AllocationTests.Alone)]
public sealed class HttpAllocationTests
{
    /// <summary>
    /// The budget per request: parsing, the header table, the rented head buffer, framing and the
    /// socket operations. A Release build measures 0 bytes: the async methods' state machines are
    /// structs in pooled boxes. A Debug build (what `dotnet test` runs) compiles each state machine
    /// as a class, one allocation per call: seven per request here (the session's ReadHeadAsync,
    /// FillAsync, AnswerAsync and SendAsync, the socket's WaitForDataAsync, ReceiveAsync and
    /// SendAsync), 768 bytes measured. Anything per request beyond those breaks the bound.
    /// </summary>
    private static readonly long BudgetBytes = Repo.Configuration == "Release" ? 32 : 1024;

    private readonly ITestOutputHelper _output;

    public HttpAllocationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [InlineData("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")]
    [InlineData("GET /photos/beach.jpg HTTP/1.1\r\nHost: files.example.org:8080\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\nAccept: image/avif,image/webp,*/*\r\nAccept-Language: en-GB,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\nIf-None-Match: \"abc\"\r\n\r\n")]
    public async Task A_kept_alive_small_GET_allocates_next_to_nothing_per_request(string text)
    {
        var handler = new Http1ConnectionHandler(TestResponder.Hello, HttpLimits.Default, NullLogger.Instance);
        await using var door = WelcomeDoor.Bind("http", WelcomeDoorOptions.Default with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, handler, NullLogger.Instance);
        door.Start();
        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        byte[] request = Encoding.ASCII.GetBytes(text);
        byte[] buffer = new byte[4096];

        await socket.SendAsync(request).WithDeadline();
        var first = await FileClients.ReadResponseAsync(socket, new MemoryStream());
        Assert.Equal(200, first.Status);
        // Every answer has the same length: the Date is always 29 bytes.
        int answer = Encoding.UTF8.GetByteCount(first.StatusLine) + 2
            + first.Headers.Sum(h => Encoding.UTF8.GetByteCount($"{h.Key}: {h.Value}\r\n")) + 2 + first.Body.Length;

        async Task RoundsAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                // The Memory overload: the ArraySegment one allocates a Task per send on the client's side.
                await socket.SendAsync(request.AsMemory(), SocketFlags.None, CancellationToken.None);
                int left = answer;
                while (left > 0)
                {
                    int n = await socket.ReceiveAsync(buffer.AsMemory(0, left), SocketFlags.None);
                    Assert.True(n > 0, "closed");
                    left -= n;
                }
            }
        }

        // Long enough for the JIT's tiering to finish with these methods: it allocates too.
        await RoundsAsync(5000).WithDeadline();

        // The least of several windows: what else the process allocates meanwhile (tiering, timers,
        // the test runner) only adds, so the smallest window is the closest to the session's own cost.
        const int rounds = 1000;
        long perRequest = long.MaxValue;
        for (int window = 0; window < 5; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await RoundsAsync(rounds).WithDeadline();
            perRequest = Math.Min(perRequest, (GC.GetTotalAllocatedBytes(precise: true) - before) / rounds);
        }

        _output.WriteLine($"{perRequest} bytes allocated per request ({request.Length}-byte request)");
        Assert.InRange(perRequest, 0, BudgetBytes);
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Doorway.Tests.Bench;
using Doorway.Tests.Support;

namespace Doorway.Tests.Files;

/// <summary>
/// One door must not stall another (issue 8): file-system work runs off the socket engine's
/// threads, so capitalize clients keep their latency while a client fetches a huge listing.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class ListingLoadTests : IDisposable
{
    private readonly TempTree _tree = new();

    [Fact]
    public async Task Capitalize_keeps_p99_under_50_ms_while_four_clients_fetch_a_10000_entry_listing_in_a_loop()
    {
        string big = _tree.PathOf("big");
        Directory.CreateDirectory(big);
        for (int i = 0; i < 10_000; i++)
        {
            File.WriteAllBytes(Path.Combine(big, $"file-{i:D5}.txt"), []);
        }

        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--files", "0", "--udp", "off",
            "--bind", "127.0.0.1", "--root", _tree.Root, "--log-level", "warning");
        int tcpPort = await server.WaitForReadyAsync("tcp");
        int filesPort = await server.WaitForReadyAsync("files");

        using var stop = new CancellationTokenSource();
        int listings = 0;
        var loads = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var socket = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, filesPort));
            byte[] request = Encoding.ASCII.GetBytes("GET /big/ HTTP/1.1\r\nHost: t\r\n\r\n");
            byte[] buffer = new byte[256 * 1024];
            while (!stop.IsCancellationRequested)
            {
                await socket.SendAsync(request);
                // Read one whole response: the head, then Content-Length bytes.
                var head = new StringBuilder();
                int length = -1, body = 0;
                while (length < 0 || body < length)
                {
                    int n = await socket.ReceiveAsync(buffer).WithDeadline();
                    Assert.True(n > 0, "the file door closed the listing connection");
                    int start = 0;
                    if (length < 0)
                    {
                        head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        string text = head.ToString();
                        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                        if (end < 0)
                        {
                            continue;
                        }

                        int at = text.IndexOf("Content-Length: ", StringComparison.OrdinalIgnoreCase) + 16;
                        length = int.Parse(text[at..text.IndexOf('\r', at)], System.Globalization.CultureInfo.InvariantCulture);
                        body = text.Length - (end + 4);
                        continue;
                    }

                    body += n - start;
                }

                Interlocked.Increment(ref listings);
            }
        })).ToArray();

        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "tcp", "--server", $"127.0.0.1:{tcpPort}", "--connections", "8", "--duration", "4", "--warmup", "1", "--json"]);
        await stop.CancelAsync();
        await Task.WhenAll(loads).WithDeadline();

        Assert.True(code == 0, stderr);
        var json = BenchJson.Parse(stdout);
        Assert.True(listings >= 5, $"only {listings} listings were fetched during the run");
        Assert.Equal(0, json.Number("errors"));
        // The defect (listings built on the engine's threads) put capitalize's p99 at 614 ms; fixed, it
        // is 4-5 ms on this 2-core machine under a load of 12-18 (5.1 ms once, failing a 5 ms bound).
        // 50 ms is an order of magnitude under the defect and an order over a busy host's noise.
        Assert.True(json.Number("p99Us") <= 50_000, $"capitalize p99 {json.Number("p99Us")} µs with {listings} listings fetched meanwhile: {stdout}");
    }

    public void Dispose() => _tree.Dispose();
}

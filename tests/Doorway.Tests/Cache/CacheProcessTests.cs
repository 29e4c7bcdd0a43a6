using System.Net;
using System.Security.Cryptography;
using Doorway.Tests.Files;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cache;

/// <summary>
/// The cache door as users run it, <c>doorway serve --cache PORT</c>: a 200 MiB object streamed
/// through within a memory bound, 50 concurrent misses against nginx, the disk store across a
/// restart and with a damaged entry. Heavy: they run alone.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class CacheProcessTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static RunningProcess StartCache(params string[] args) =>
        RunningProcess.StartDoorway(["serve", "--tcp", "off", "--udp", "off", "--reply", "off", "--files", "off", "--cache", "0", "--bind", "127.0.0.1", .. args]);

    private static HttpClient Through(int cachePort) =>
        new(new SocketsHttpHandler { Proxy = new WebProxy($"http://127.0.0.1:{cachePort}"), UseProxy = true }) { Timeout = TimeSpan.FromSeconds(120) };

    /// <summary>The most resident memory the process has had (VmHWM), in bytes.</summary>
    private static long PeakMemory(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    [Fact]
    public async Task A_200_MiB_object_passes_through_with_its_SHA256_while_memory_stays_bounded()
    {
        const long size = 200L * 1024 * 1024;
        string sha = _tree.MakeFile("big.bin", size);
        await using var origin = FileClients.Open(_tree.Root, Doorway.Files.FileDoorOptions.Default with { MaxAge = TimeSpan.FromSeconds(600) });
        await using var cache = StartCache();
        int port = await cache.WaitForReadyAsync("cache");
        using var client = Through(port);
        string url = $"http://127.0.0.1:{origin.LocalEndPoint.Port}/big.bin";

        // Warm up (the first request loads the code paths), then measure the big one.
        (await client.GetAsync($"http://127.0.0.1:{origin.LocalEndPoint.Port}/")).Dispose();
        long before = PeakMemory(cache.Id);
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("doorway; fwd=miss; fwd-status=200", response.Headers.GetValues("Cache-Status").Last());
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            byte[] buffer = new byte[1024 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer).AsTask().WithDeadline(TimeSpan.FromSeconds(60))) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        Assert.Equal(sha, Convert.ToHexStringLower(hash.GetHashAndReset()));
        long after = PeakMemory(cache.Id);
        // Over the 64 MiB object limit: sent on through one buffer, never held; the peak grows by far less than the object.
        Assert.True(after - before < 48L * 1024 * 1024, $"peak resident memory grew by {(after - before) >> 20} MiB for a 200 MiB object");
    }

    [Fact]
    public async Task Fifty_concurrent_misses_make_one_request_to_nginx()
    {
        Directory.CreateDirectory(_tree.PathOf("slow"));
        string sha = _tree.MakeFile("slow/half.bin", 512 * 1024);
        string work = Path.Combine(_tree.Base, "nginx");
        Directory.CreateDirectory(work);
        await using var nginx = await NginxOrigin.StartAsync(_tree.Root, work);
        await using var cache = StartCache();
        int port = await cache.WaitForReadyAsync("cache");
        using var client = Through(port);

        // nginx sends it at 256 KiB/s: two seconds in which all fifty arrive.
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await client.GetAsync(nginx.Url("/slow/half.bin"));
            return (Sha: Convert.ToHexStringLower(SHA256.HashData(await response.Content.ReadAsByteArrayAsync())),
                Status: response.Headers.GetValues("Cache-Status").Last());
        })).WithDeadline(TimeSpan.FromSeconds(60));

        Assert.All(responses, response => Assert.Equal(sha, response.Sha));
        Assert.Single(nginx.Requests("/slow/half.bin"));
        Assert.Contains(responses, response => response.Status.EndsWith("; collapsed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_disk_store_survives_a_restart_and_a_damaged_entry_is_discarded_never_served()
    {
        await File.WriteAllTextAsync(_tree.PathOf("kept.txt"), "kept across a restart\n");
        await using var origin = FileClients.Open(_tree.Root, Doorway.Files.FileDoorOptions.Default with { MaxAge = TimeSpan.FromSeconds(600) });
        string url = $"http://127.0.0.1:{origin.LocalEndPoint.Port}/kept.txt";
        string store = Path.Combine(_tree.Base, "store");

        async Task<(HttpStatusCode Status, string Body, string CacheStatus, string Stderr)> RunOnceAsync(bool onlyIfCached)
        {
            await using var cache = StartCache("--cache-dir", store);
            int port = await cache.WaitForReadyAsync("cache");
            using var client = Through(port);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (onlyIfCached)
            {
                request.Headers.TryAddWithoutValidation("Cache-Control", "only-if-cached");
            }

            using var response = await client.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            string status = response.Headers.GetValues("Cache-Status").Last();
            cache.Signal(15);
            Assert.Equal(0, await cache.WaitForExitAsync());
            return (response.StatusCode, body, status, cache.Stderr);
        }

        var first = await RunOnceAsync(onlyIfCached: false);
        Assert.StartsWith("doorway; fwd=miss; fwd-status=200; stored", first.CacheStatus);
        string entry = Assert.Single(Directory.GetFiles(store, "*.entry"));

        var restarted = await RunOnceAsync(onlyIfCached: true);
        Assert.Equal(HttpStatusCode.OK, restarted.Status);
        Assert.Equal("kept across a restart\n", restarted.Body);
        Assert.StartsWith("doorway; hit", restarted.CacheStatus);

        // One byte of the content flipped: the checksum no longer matches.
        byte[] bytes = await File.ReadAllBytesAsync(entry);
        int at = Array.IndexOf(bytes, (byte)'k', bytes.Length - 64);
        bytes[at] ^= 0x20;
        await File.WriteAllBytesAsync(entry, bytes);
        var damaged = await RunOnceAsync(onlyIfCached: true);
        Assert.Equal(HttpStatusCode.GatewayTimeout, damaged.Status);
        Assert.Contains("discarded", damaged.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(entry));

        // Truncated: likewise.
        await RunOnceAsync(onlyIfCached: false);
        entry = Assert.Single(Directory.GetFiles(store, "*.entry"));
        bytes = await File.ReadAllBytesAsync(entry);
        await File.WriteAllBytesAsync(entry, bytes[..(bytes.Length / 2)]);
        var truncated = await RunOnceAsync(onlyIfCached: true);
        Assert.Equal(HttpStatusCode.GatewayTimeout, truncated.Status);
    }
}

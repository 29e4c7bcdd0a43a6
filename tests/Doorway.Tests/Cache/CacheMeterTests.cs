using Doorway.Tests.Support;
using Doorway.Transport;
using static Doorway.Tests.Cache.ScriptedOrigin;

namespace Doorway.Tests.Cache;

/// <summary>The cache's counters on the house's "Doorway" meter, and its flags on <c>serve</c> reaching the door.</summary>
public sealed class CacheMeterTests
{
    [Fact]
    public async Task The_meter_counts_hits_misses_validations_and_bytes_saved()
    {
        using var house = new House();
        using var measured = new MeterTotals(house);

        await using var origin = new ScriptedOrigin(request => request.Headers.ContainsKey("If-None-Match")
            ? Respond(304, "ETag: \"m\"\r\nCache-Control: max-age=0")
            : Respond(200, "ETag: \"m\"\r\nCache-Control: max-age=0", "0123456789"));
        await using var door = CacheDoors.Open(null, out _, house);
        using var client = new HttpClient(new SocketsHttpHandler { Proxy = new System.Net.WebProxy(CacheDoors.Proxy(door)), UseProxy = true });
        (await client.GetAsync(origin.Url("/m"))).Dispose();
        (await client.GetAsync(origin.Url("/m"))).Dispose();
        (await client.GetAsync(origin.Url("/m"), HttpCompletionOption.ResponseContentRead)).Dispose();

        // The counters are recorded as each answer ends, which may be just after the client has read it.
        await Deadline.UntilAsync(() => measured.Count("doorway.cache.validations") >= 2 && measured.Count("doorway.cache.bytes_saved") >= 20, "the third answer's counts");
        Assert.Equal(1, measured["doorway.cache.misses"]);
        Assert.Equal(2, measured["doorway.cache.validations"]);
        Assert.Equal(20, measured["doorway.cache.bytes_saved"]);
        Assert.False(measured.Has("doorway.cache.hits"));
    }

    [Fact]
    public async Task Serve_flags_reach_the_cache_door()
    {
        await using var origin = new ScriptedOrigin(request => Respond(200, "Cache-Control: max-age=600", new string('x', request.Target == "/big" ? 2000 : 500)));
        await using (var strict = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--reply", "off", "--files", "off", "--cache", "0", "--bind", "127.0.0.1",
            "--cache-allow", "10.0.0.0/8"))
        {
            int port = await strict.WaitForReadyAsync("cache");
            var (code, stdout, _) = await RunningProcess.RunAsync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", $"http://127.0.0.1:{port}", origin.Url("/small")]);
            Assert.Equal(0, code);
            Assert.Equal("403", stdout.Trim());
            Assert.Empty(origin.Requests);
        }

        await using var small = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--reply", "off", "--files", "off", "--cache", "0", "--bind", "127.0.0.1",
            "--cache-max-object", "1K", "--cache-size", "1M");
        int smallPort = await small.WaitForReadyAsync("cache");
        async Task<string> StatusAsync(string path)
        {
            var (_, head, _) = await RunningProcess.RunAsync("curl", ["-s", "-D", "-", "-o", "/dev/null", "-x", $"http://127.0.0.1:{smallPort}", origin.Url(path)]);
            return head.Split('\n').Single(line => line.StartsWith("Cache-Status:", StringComparison.Ordinal)).Trim();
        }

        Assert.StartsWith("Cache-Status: doorway; fwd=miss; fwd-status=200; stored", await StatusAsync("/small"));
        Assert.StartsWith("Cache-Status: doorway; hit", await StatusAsync("/small"));
        Assert.Equal("Cache-Status: doorway; fwd=miss; fwd-status=200", await StatusAsync("/big"));
        Assert.Equal("Cache-Status: doorway; fwd=miss; fwd-status=200", await StatusAsync("/big"));
        // The access log says what the cache did, per request.
        await Deadline.UntilAsync(() => small.Stderr.Contains("/big\" 200 2000", StringComparison.Ordinal), "the access log's lines");
        Assert.Matches("\"GET http://127.0.0.1:\\d+/small\" 200 500 [\\d.]+ ms miss", small.Stderr);
        Assert.Matches("\"GET http://127.0.0.1:\\d+/small\" 200 500 [\\d.]+ ms hit", small.Stderr);
    }
}

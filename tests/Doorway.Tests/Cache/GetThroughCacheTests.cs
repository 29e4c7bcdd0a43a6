using Doorway.Tests.Files;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cache;

/// <summary><c>doorway get</c> through the cache door (the book's scenario with Doorway at both ends): <c>--proxy URL</c>, <c>http_proxy</c>, <c>no_proxy</c>.</summary>
public sealed class GetThroughCacheTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private async Task<string> GetAsync(string url, Dictionary<string, string> environment, params string[] args)
    {
        string saved = Path.Combine(_tree.Base, "saved.txt");
        await using var get = RunningProcess.Start("dotnet", [Repo.DoorwayDll, "get", url, "-o", saved, "--force", .. args], environment: environment);
        Assert.True(await get.WaitForExitAsync() == 0, get.Stderr);
        Assert.Equal("through the cache\n", await File.ReadAllTextAsync(saved));
        return get.Stderr;
    }

    [Fact]
    public async Task Get_goes_through_the_cache_with_proxy_or_http_proxy_and_prints_its_Cache_Status()
    {
        await File.WriteAllTextAsync(_tree.PathOf("book.txt"), "through the cache\n");
        await using var origin = FileClients.Open(_tree.Root, Doorway.Files.FileDoorOptions.Default with { MaxAge = TimeSpan.FromSeconds(600) });
        await using var door = CacheDoors.Open(null, out var responder);
        string url = $"http://127.0.0.1:{origin.LocalEndPoint.Port}/book.txt";
        string proxy = CacheDoors.Proxy(door);
        var none = new Dictionary<string, string> { ["http_proxy"] = "", ["no_proxy"] = "" };

        string first = await GetAsync(url, none, "--proxy", proxy);
        Assert.Contains("Cache-Status: doorway; fwd=miss; fwd-status=200; stored; ttl=600", first, StringComparison.Ordinal);

        string second = await GetAsync(url, new Dictionary<string, string> { ["http_proxy"] = proxy, ["no_proxy"] = "" });
        Assert.Contains("Cache-Status: doorway; hit; ttl=", second, StringComparison.Ordinal);

        // no_proxy naming the server, or --proxy off: straight to the origin, the cache sees nothing.
        string bypassed = await GetAsync(url, new Dictionary<string, string> { ["http_proxy"] = proxy, ["no_proxy"] = "127.0.0.1" });
        string off = await GetAsync(url, new Dictionary<string, string> { ["http_proxy"] = proxy, ["no_proxy"] = "" }, "--proxy", "off");
        Assert.DoesNotContain("Cache-Status", bypassed, StringComparison.Ordinal);
        Assert.DoesNotContain("Cache-Status", off, StringComparison.Ordinal);
        Assert.Equal(1, responder.Meter.Misses);
        Assert.Equal(1, responder.Meter.Hits);
    }
}

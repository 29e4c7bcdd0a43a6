using System.Net;
using System.Security.Cryptography;
using Doorway.Cache;
using Doorway.Tests.Files;
using Doorway.Tests.Support;
using Doorway.Transport;

namespace Doorway.Tests.Cache;

/// <summary>
/// The cache door with clients the project did not write (curl -x, wget with http_proxy, Python
/// requests with proxies=, headless Chromium with --proxy-server) and real origins (nginx with
/// Cache-Control per location, Doorway's own file door). nginx's access log proves what reached the origin.
/// </summary>
public sealed class CacheRealClientTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static Task<(int Code, string Stdout, string Stderr)> CurlAsync(params string[] args) =>
        RunningProcess.RunAsync("curl", ["-sS", .. args], limit: TimeSpan.FromSeconds(60));

    private async Task<NginxOrigin> StartNginxAsync()
    {
        foreach (var location in new[] { "fresh", "stale", "nostore", "slow" })
        {
            Directory.CreateDirectory(_tree.PathOf(location));
            await File.WriteAllTextAsync(Path.Combine(_tree.PathOf(location), "a.txt"), $"the {location} object\n");
        }

        string work = Path.Combine(_tree.Base, "nginx");
        Directory.CreateDirectory(work);
        return await NginxOrigin.StartAsync(_tree.Root, work);
    }

    private static string Field(string head, string name) =>
        head.Split('\n').Select(line => line.TrimEnd('\r')).Last(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))[(name.Length + 1)..].Trim();

    [Fact]
    public async Task Curl_through_the_cache_to_nginx_fresh_hits_stale_revalidates_no_store_fetches()
    {
        await using var nginx = await StartNginxAsync();
        await using var door = CacheDoors.Open(null, out _);
        string proxy = CacheDoors.Proxy(door);

        var heads = new List<string>();
        foreach (var path in new[] { "/fresh/a.txt", "/fresh/a.txt", "/stale/a.txt", "/stale/a.txt", "/nostore/a.txt", "/nostore/a.txt", "/nostore/a.txt" })
        {
            var (code, stdout, stderr) = await CurlAsync("-x", proxy, "-D", "-", nginx.Url(path));
            Assert.True(code == 0, stderr);
            Assert.Contains($"the {path.Split('/')[1]} object", stdout, StringComparison.Ordinal);
            heads.Add(stdout);
        }

        // A fresh hit makes no origin request.
        Assert.Single(nginx.Requests("/fresh/a.txt"));
        Assert.StartsWith("doorway; hit; ttl=", Field(heads[1], "Cache-Status"));
        Assert.Contains("Age:", heads[1], StringComparison.Ordinal);

        // A stale hit makes exactly one conditional request, answered 304.
        var stale = nginx.Requests("/stale/a.txt");
        Assert.Equal(2, stale.Count);
        Assert.Matches("^GET /stale/a.txt 200 inm= ims=$", stale[0]);
        Assert.Matches("^GET /stale/a.txt 304 inm=\"[^\"]+\" ims=", stale[1]);
        Assert.StartsWith("doorway; fwd=stale; fwd-status=304", Field(heads[3], "Cache-Status"));

        // no-store is fetched every time.
        Assert.Equal(3, nginx.Requests("/nostore/a.txt").Count);
        Assert.Equal("doorway; fwd=miss; fwd-status=200", Field(heads[6], "Cache-Status"));
    }

    [Fact]
    public async Task Wget_with_http_proxy_and_python_requests_with_proxies_get_hits_from_the_cache()
    {
        await using var nginx = await StartNginxAsync();
        await using var door = CacheDoors.Open(null, out var responder);
        string proxy = CacheDoors.Proxy(door);
        string url = nginx.Url("/fresh/a.txt");

        for (int i = 0; i < 2; i++)
        {
            string saved = Path.Combine(_tree.Base, $"wget{i}.txt");
            await using var wget = RunningProcess.Start("wget", ["-S", "-O", saved, url], environment: new Dictionary<string, string> { ["http_proxy"] = proxy, ["no_proxy"] = "" });
            Assert.Equal(0, await wget.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("the fresh object\n", await File.ReadAllTextAsync(saved));
            Assert.Contains(i == 0 ? "Cache-Status: doorway; fwd=miss" : "Cache-Status: doorway; hit", wget.Stderr, StringComparison.Ordinal);
        }

        string script = """
            import sys, requests
            proxies = {"http": sys.argv[1]}
            for _ in range(2):
                r = requests.get(sys.argv[2], proxies=proxies, timeout=20)
                print(r.status_code, r.headers["Cache-Status"], r.text.strip())
            """;
        var (code, stdout, stderr) = await RunningProcess.RunAsync("/usr/bin/python3", ["-c", script, proxy, url], limit: TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.Matches("^200 doorway; hit; ttl=\\d+ the fresh object$", line));
        Assert.Single(nginx.Requests("/fresh/a.txt"));
        Assert.Equal(3, responder.Meter.Hits);
    }

    [Fact]
    public async Task Chromium_loads_a_page_and_its_images_through_the_cache_from_the_file_door()
    {
        byte[] png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
        await File.WriteAllBytesAsync(_tree.PathOf("one.png"), png);
        await File.WriteAllBytesAsync(_tree.PathOf("two.png"), png);
        await File.WriteAllTextAsync(_tree.PathOf("page.html"), """
            <!doctype html><html><body><img id="a" src="one.png"><img id="b" src="two.png">
            <script>
              window.onload = () => { document.body.setAttribute("data-loaded", [a.naturalWidth, b.naturalWidth].join(",")); };
            </script></body></html>
            """);
        await using var origin = FileClients.Open(_tree.Root, Doorway.Files.FileDoorOptions.Default with { MaxAge = TimeSpan.FromSeconds(600) });
        await using var door = CacheDoors.Open(null, out var responder);
        string page = $"http://127.0.0.1:{origin.LocalEndPoint.Port}/page.html";
        string profile = Path.Combine(_tree.Base, "chromium-profile");

        var (code, dom, stderr) = await RunningProcess.RunAsync("chromium",
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
            // Chromium sends loopback around a proxy unless told not to.
            "--proxy-server=" + CacheDoors.Proxy(door), "--proxy-bypass-list=<-loopback>",
            "--virtual-time-budget=5000", "--dump-dom", page,
        ], limit: TimeSpan.FromSeconds(90));

        Assert.True(code == 0, stderr);
        Assert.Contains("data-loaded=\"1,1\"", dom, StringComparison.Ordinal);
        var stored = new[] { "/page.html", "/one.png", "/two.png" }.Select(path => responder.Store.Variants($"http://127.0.0.1:{origin.LocalEndPoint.Port}{path}"));
        Assert.All(stored, variants => Assert.NotNull(variants));
    }

    [Fact]
    public async Task Connect_tunnels_only_to_the_allowed_ports()
    {
        await using var nginx = await StartNginxAsync();
        await using var allowed = CacheDoors.Open(CacheOptions.Default with { ConnectPorts = [nginx.Port] }, out _);
        await using var strict = CacheDoors.Open(null, out _);

        // -p: curl asks for a CONNECT tunnel and speaks HTTP to nginx inside it.
        var (code, stdout, stderr) = await CurlAsync("-p", "-x", CacheDoors.Proxy(allowed), nginx.Url("/fresh/a.txt"));
        Assert.True(code == 0, stderr);
        Assert.Equal("the fresh object\n", stdout);

        (code, _, stderr) = await CurlAsync("-p", "-x", CacheDoors.Proxy(strict), nginx.Url("/fresh/a.txt"));
        Assert.NotEqual(0, code);
        Assert.Contains("403", stderr, StringComparison.Ordinal);
        Assert.Single(nginx.Requests("/fresh/a.txt"));
    }

    [Fact]
    public async Task Curl_through_the_cache_to_itself_is_a_loop_and_gets_508()
    {
        await using var door = CacheDoors.Open(null, out _);
        var (code, stdout, stderr) = await CurlAsync("-x", CacheDoors.Proxy(door), "-o", "/dev/null", "-w", "%{http_code}", CacheDoors.Proxy(door) + "/loop");
        Assert.True(code == 0, stderr);
        Assert.Equal("508", stdout.Trim());
    }

    [Fact]
    public async Task A_large_object_streams_to_the_first_client_while_it_is_stored()
    {
        // The origin sends 1 MiB of a 2 MiB object, then waits: the client has bytes before the origin has finished.
        var release = new TaskCompletionSource();
        byte[] content = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        await using var origin = new ScriptedOrigin(_ => async (stream, token) =>
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: {content.Length}\r\n\r\n"), token);
            await stream.WriteAsync(content.AsMemory(0, content.Length / 2), token);
            await release.Task.WaitAsync(token);
            await stream.WriteAsync(content.AsMemory(content.Length / 2), token);
        });
        await using var door = CacheDoors.Open(null, out var responder);
        using var client = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy(CacheDoors.Proxy(door)), UseProxy = true });
        using var response = await client.GetAsync(origin.Url("/big"), HttpCompletionOption.ResponseHeadersRead).WithDeadline();
        var body = await response.Content.ReadAsStreamAsync();
        byte[] first = new byte[content.Length / 2];
        await body.ReadExactlyAsync(first).WithDeadline();
        Assert.Equal(content.AsSpan(0, first.Length).ToArray(), first);
        Assert.Null(responder.Store.Variants(origin.Url("/big")));

        release.SetResult();
        using var rest = new MemoryStream();
        await body.CopyToAsync(rest).WithDeadline();
        Assert.Equal(content.AsSpan(first.Length).ToArray(), rest.ToArray());
        await Deadline.UntilAsync(() => responder.Store.Variants(origin.Url("/big")) is not null, "the object to be stored");
        var again = await client.GetAsync(origin.Url("/big")).WithDeadline();
        Assert.StartsWith("doorway; hit", again.Headers.GetValues("Cache-Status").Last());
        Assert.Equal(content, await again.Content.ReadAsByteArrayAsync());
        Assert.Single(origin.Requests);
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Doorway.Tests.Files;
using Doorway.Tests.Support;
using Doorway.Transport;
using Xunit;

namespace Doorway.Tests.Conformance;

/// <summary>
/// Clients the project did not write against the file door (issue 9): curl (ranges, -C -, -z,
/// --http1.0), wget (-c, -N, -r over a listing of awkward names), aria2c with four connections,
/// Python's requests and urllib, and Chromium following every link of a listing.
/// </summary>
public sealed class RealClientTests : IDisposable
{
    /// <summary>Names a listing must link so that the link fetches the file, each with its own content.</summary>
    private static readonly string[] Awkward =
    [
        "100%41.txt", "sp ace#1?.txt", "a&b \"q\" 'x'.txt", "<b>bold<b>.txt", "中文.txt", "%2e%2e", "50% off", "plus+sign.txt",
    ];

    private static readonly byte[] Latin1Name = [.. "caf"u8, 0xE9, .. ".txt"u8];

    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static string Url(WelcomeDoor door, string path) => $"http://127.0.0.1:{door.LocalEndPoint.Port}{path}";

    private static Task<(int Code, string Stdout, string Stderr)> RunAsync(string tool, string? directory, params string[] args) =>
        RunningProcess.RunAsync(tool, args, limit: TimeSpan.FromSeconds(120), workingDirectory: directory);

    private static string Sha(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The awkward names, a non-UTF-8 one and a subdirectory with an awkward name of its own; returns every file's content.</summary>
    private List<string> LayOutAwkwardNames()
    {
        var contents = new List<string>();
        foreach (var name in Awkward)
        {
            File.WriteAllText(_tree.PathOf(name), "content of " + name);
            contents.Add("content of " + name);
        }

        TestFileSystem.WriteFile(_tree.Root, Latin1Name, "content of a latin-1 name"u8);
        contents.Add("content of a latin-1 name");
        Directory.CreateDirectory(_tree.PathOf("dir #2 ?"));
        File.WriteAllText(Path.Combine(_tree.PathOf("dir #2 ?"), "in%20side.txt"), "content inside");
        contents.Add("content inside");
        return contents;
    }

    [Fact]
    public async Task Curl_ranges_resume_conditional_and_HTTP_1_0()
    {
        string sha = _tree.MakeFile("big.bin", 3 * 1024 * 1024);
        byte[] whole = await File.ReadAllBytesAsync(_tree.PathOf("big.bin"));
        await using var door = FileClients.Open(_tree.Root);
        string work = _tree.Base;

        var (code, stdout, stderr) = await RunAsync("curl", work, "-sS", "-r", "0-4", Url(door, "/a.txt"));
        Assert.True(code == 0, stderr);
        Assert.Equal("hello\n", stdout); // the runner ends each line it read with "\n"

        // Two ranges: a multipart/byteranges body holding both parts.
        (code, stdout, stderr) = await RunAsync("curl", work, "-sS", "-D", "-", "-r", "0-1,2000000-2000001", Url(door, "/big.bin"));
        Assert.True(code == 0, stderr);
        Assert.Contains("HTTP/1.1 206 Partial Content", stdout, StringComparison.Ordinal);
        Assert.Contains("Content-Type: multipart/byteranges; boundary=", stdout, StringComparison.Ordinal);
        Assert.Contains($"Content-Range: bytes 2000000-2000001/{whole.Length}", stdout, StringComparison.Ordinal);

        // -C -: a cut-off download resumed from where the file ends.
        string part = Path.Combine(work, "big.part");
        await File.WriteAllBytesAsync(part, whole[..1_000_000]);
        (code, _, stderr) = await RunAsync("curl", work, "-sS", "--fail", "-C", "-", "-o", part, Url(door, "/big.bin"));
        Assert.True(code == 0, stderr);
        Assert.Equal(sha, Sha(part));

        // -z: If-Modified-Since from a date (304, nothing written) and from an older date (200).
        File.SetLastWriteTimeUtc(_tree.PathOf("a.txt"), new DateTime(2021, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        (code, stdout, _) = await RunAsync("curl", work, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-z", "Thu, 06 May 2021 07:08:09 GMT", Url(door, "/a.txt"));
        Assert.Equal((0, "304\n"), (code, stdout));
        (code, stdout, _) = await RunAsync("curl", work, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-z", "Wed, 05 May 2021 00:00:00 GMT", Url(door, "/a.txt"));
        Assert.Equal((0, "200\n"), (code, stdout));

        // --http1.0: an HTTP/1.1 status line, the content, and the connection closed after it.
        (code, stdout, stderr) = await RunAsync("curl", work, "-sS", "--http1.0", "-D", "-", Url(door, "/a.txt"));
        Assert.True(code == 0, stderr);
        Assert.StartsWith("HTTP/1.1 200 OK\n", stdout, StringComparison.Ordinal);
        Assert.Contains("\nConnection: close\n", stdout, StringComparison.Ordinal);
        Assert.EndsWith("\n\nhello\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wget_continues_and_timestamps()
    {
        string sha = _tree.MakeFile("big.bin", 2 * 1024 * 1024);
        byte[] whole = await File.ReadAllBytesAsync(_tree.PathOf("big.bin"));
        var modified = new DateTime(2022, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(_tree.PathOf("big.bin"), modified);
        await using var door = FileClients.Open(_tree.Root);
        string work = Path.Combine(_tree.Base, "wget");
        Directory.CreateDirectory(work);

        // -c: half a file on disk, the rest asked for with a range.
        await File.WriteAllBytesAsync(Path.Combine(work, "big.bin"), whole[..700_000]);
        var (code, _, stderr) = await RunAsync("wget", work, "-c", "-nv", Url(door, "/big.bin"));
        Assert.True(code == 0, stderr);
        Assert.Equal(sha, Sha(Path.Combine(work, "big.bin")));

        // -N: the local copy takes the server's Last-Modified; asked again, nothing is fetched.
        File.Delete(Path.Combine(work, "big.bin"));
        (code, _, stderr) = await RunAsync("wget", work, "-N", "-nv", Url(door, "/big.bin"));
        Assert.True(code == 0, stderr);
        Assert.Equal(modified, File.GetLastWriteTimeUtc(Path.Combine(work, "big.bin")));
        (code, _, stderr) = await RunAsync("wget", work, "-N", Url(door, "/big.bin"));
        Assert.True(code == 0, stderr);
        Assert.True(stderr.Contains("not retrieving", StringComparison.Ordinal) || stderr.Contains("not modified on server", StringComparison.Ordinal), stderr);

        // A newer file on the server is fetched again.
        await File.WriteAllTextAsync(_tree.PathOf("big.bin"), "changed");
        File.SetLastWriteTimeUtc(_tree.PathOf("big.bin"), modified.AddDays(1));
        (code, _, stderr) = await RunAsync("wget", work, "-N", "-nv", Url(door, "/big.bin"));
        Assert.True(code == 0, stderr);
        Assert.Equal("changed", await File.ReadAllTextAsync(Path.Combine(work, "big.bin")));
    }

    [Fact]
    public async Task Wget_recursive_fetches_every_file_a_listing_of_awkward_names_links()
    {
        var contents = LayOutAwkwardNames();
        await using var door = FileClients.Open(_tree.Root);
        string work = Path.Combine(_tree.Base, "mirror");
        Directory.CreateDirectory(work);
        var (code, _, stderr) = await RunAsync("wget", work, "-r", "-np", "-nH", "-nv", "-e", "robots=off", "--restrict-file-names=ascii", Url(door, "/"));
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain(" 404", stderr, StringComparison.Ordinal);
        var fetched = Directory.EnumerateFiles(work, "*", SearchOption.AllDirectories)
            .Where(path => !path.EndsWith("index.html", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToHashSet();
        foreach (var content in contents)
        {
            Assert.Contains(content, fetched);
        }
    }

    [Fact]
    public async Task Aria2c_with_four_connections_gets_the_file_byte_exact()
    {
        string sha = _tree.MakeFile("split.bin", 12 * 1024 * 1024);
        await using var door = FileClients.Open(_tree.Root);
        string work = Path.Combine(_tree.Base, "aria");
        Directory.CreateDirectory(work);
        var (code, stdout, stderr) = await RunAsync("aria2c", work, "-x", "4", "-s", "4", "-k", "1M", "--file-allocation=none",
            "--summary-interval=0", "--console-log-level=warn", "-d", work, "-o", "split.bin", Url(door, "/split.bin"));
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(sha, Sha(Path.Combine(work, "split.bin")));
    }

    [Fact]
    public async Task Python_requests_and_urllib_see_the_RFC_answers()
    {
        await using var door = FileClients.Open(_tree.Root);
        const string Script = """
            import json, sys, urllib.request, urllib.error
            import requests
            base = sys.argv[1]
            out = {}
            r = requests.get(base + "/a.txt")
            out["get"] = [r.status_code, r.text, r.raw.version]
            etag = r.headers["ETag"]
            out["inm"] = requests.get(base + "/a.txt", headers={"If-None-Match": etag}).status_code
            out["if_match"] = requests.get(base + "/a.txt", headers={"If-Match": '"stale"'}).status_code
            r = requests.get(base + "/a.txt", headers={"Range": "bytes=1-3"})
            out["range"] = [r.status_code, r.text, r.headers["Content-Range"]]
            r = requests.post(base + "/a.txt", data={"k": "v"})
            out["post"] = [r.status_code, r.headers.get("Allow")]
            with requests.Session() as s:
                out["session"] = [s.post(base + "/a.txt", data="x" * 5000).status_code, s.get(base + "/a.txt").text]
            with urllib.request.urlopen(base + "/sub/inner.txt") as f:
                out["urllib"] = [f.status, f.read().decode()]
            try:
                urllib.request.urlopen(base + "/%zz")
            except urllib.error.HTTPError as e:
                out["bad_escape"] = e.code
            print(json.dumps(out, separators=(",", ":")))
            """;
        var (code, stdout, stderr) = await RunningProcess.RunAsync("/usr/bin/python3", ["-c", Script, Url(door, "")], limit: TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stderr);
        using var result = JsonDocument.Parse(stdout);
        var root = result.RootElement;
        Assert.Equal("[200,\"hello\\n\",11]", root.GetProperty("get").GetRawText());
        Assert.Equal(304, root.GetProperty("inm").GetInt32());
        Assert.Equal(412, root.GetProperty("if_match").GetInt32());
        Assert.Equal("[206,\"ell\",\"bytes 1-3/6\"]", root.GetProperty("range").GetRawText());
        Assert.Equal("[405,\"GET, HEAD, OPTIONS\"]", root.GetProperty("post").GetRawText());
        Assert.Equal("[405,\"hello\\n\"]", root.GetProperty("session").GetRawText());
        Assert.Equal("[200,\"inner\\n\"]", root.GetProperty("urllib").GetRawText());
        Assert.Equal(400, root.GetProperty("bad_escape").GetInt32());
    }

    [Fact]
    public async Task Chromium_follows_every_link_of_a_listing_of_awkward_names_and_gets_200()
    {
        LayOutAwkwardNames();
        // A page on the door itself (same origin), that fetches the listing, follows each link as
        // the browser resolves it, and writes what it got into the page for --dump-dom.
        await File.WriteAllTextAsync(_tree.PathOf("probe.html"), """
            <!DOCTYPE html><html><body><pre id="out">pending</pre><script>
            (async () => {
              const results = [];
              async function walk(url) {
                const listing = await fetch(url);
                const page = new DOMParser().parseFromString(await listing.text(), "text/html");
                for (const a of page.querySelectorAll("a")) {
                  const href = a.getAttribute("href");
                  if (href === "../") continue;
                  const target = new URL(href, url).href;
                  if (href.endsWith("/")) { await walk(target); continue; }
                  const response = await fetch(target);
                  results.push([a.textContent, response.status, await response.text()]);
                }
              }
              await walk(new URL("./", location).href);
              document.getElementById("out").textContent = JSON.stringify(results);
            })().catch(e => { document.getElementById("out").textContent = "error: " + e; });
            </script></body></html>
            """);
        await using var door = FileClients.Open(_tree.Root);
        string profile = Path.Combine(_tree.Base, "chromium-profile");
        var (code, dom, stderr) = await RunningProcess.RunAsync("chromium",
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=30000", "--dump-dom", Url(door, "/probe.html"),
        ], limit: TimeSpan.FromSeconds(90));
        Assert.True(code == 0, stderr);
        int start = dom.IndexOf("<pre id=\"out\">", StringComparison.Ordinal) + "<pre id=\"out\">".Length;
        string json = WebUtility.HtmlDecode(dom[start..dom.IndexOf("</pre>", start, StringComparison.Ordinal)]);
        Assert.StartsWith("[", json, StringComparison.Ordinal);
        using var results = JsonDocument.Parse(json);
        var got = results.RootElement.EnumerateArray().Select(r => (Name: r[0].GetString()!, Status: r[1].GetInt32(), Text: r[2].GetString()!)).ToList();
        foreach (var name in Awkward)
        {
            Assert.Equal((200, "content of " + name), got.Where(r => r.Name == name).Select(r => (r.Status, r.Text)).Single());
        }

        Assert.Equal((200, "content of a latin-1 name"), got.Where(r => r.Name == "caf\\xE9.txt").Select(r => (r.Status, r.Text)).Single());
        Assert.Equal((200, "content inside"), got.Where(r => r.Name == "in%20side.txt").Select(r => (r.Status, r.Text)).Single());
        // Every link of every page, the tree's own files too (sub/, link-in, 中文.txt...).
        Assert.True(got.Count > Awkward.Length + 5, $"{got.Count} links followed");
        Assert.All(got, result => Assert.Equal(200, result.Status));
    }
}

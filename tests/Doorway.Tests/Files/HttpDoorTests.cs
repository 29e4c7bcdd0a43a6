using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Doorway.Files;
using Doorway.Tests.Support;
using Doorway.Transport;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>HTTP/1.1 on the file door over loopback, with raw sockets and curl as clients.</summary>
public sealed class HttpDoorTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static string Get(string target, string extra = "") =>
        $"GET {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{extra}\r\n";

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_client_refused_at_the_connection_limit_gets_a_503_with_retry_after_not_a_reset(TcpTransport transport)
    {
        await using var door = FileClients.Open(_tree.Root, tcp: WelcomeDoorOptions.Default with { MaxConnections = 1 }, transport: transport);
        using var holder = await FileClients.ConnectAsync(door.LocalEndPoint);
        await holder.SendAsync(System.Text.Encoding.ASCII.GetBytes("GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n"));
        var first = await FileClients.ReadResponseAsync(holder, new MemoryStream());
        Assert.Contains("200", first.StatusLine, StringComparison.Ordinal);
        var (code, stdout, stderr) = await CurlAsync("-i", $"http://127.0.0.1:{door.LocalEndPoint.Port}/a.txt");
        Assert.True(code == 0, stderr);
        Assert.StartsWith("HTTP/1.1 503 ", stdout, StringComparison.Ordinal);
        Assert.Contains("Retry-After: 1", stdout, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> CurlAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunningProcess.RunAsync("curl", ["--silent", "--show-error", "--max-time", "60", .. args], limit: TimeSpan.FromSeconds(90));
        return (code, stdout, stderr);
    }

    private static string Url(WelcomeDoor door, string path) => $"http://127.0.0.1:{door.LocalEndPoint.Port}{path}";

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(1024L * 1024)]
    [InlineData(100L * 1024 * 1024)]
    public async Task Curl_downloads_every_size_whole_and_the_digest_matches(long size)
    {
        string sha = _tree.MakeFile("f.bin", size);
        await using var door = FileClients.Open(_tree.Root);
        string output = Path.Combine(_tree.Base, "curl.out");
        string headers = Path.Combine(_tree.Base, "curl.headers");
        var (code, _, stderr) = await CurlAsync("--fail", "-o", output, "-D", headers, Url(door, "/f.bin"));
        Assert.True(code == 0, stderr);
        Assert.Equal(size, new FileInfo(output).Length);
        using (var stream = File.OpenRead(output))
        {
            Assert.Equal(sha, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)));
        }

        string head = await File.ReadAllTextAsync(headers);
        Assert.Contains($"Content-Length: {size}\r\n", head, StringComparison.Ordinal);
        Assert.Contains($"Repr-Digest: sha-256=:{Convert.ToBase64String(Convert.FromHexString(sha))}:\r\n", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UTF8_names_work_encoded_and_raw()
    {
        await using var door = FileClients.Open(_tree.Root);
        var reply = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/%E4%B8%AD%E6%96%87.txt")));
        Assert.Equal(200, reply.Status);
        Assert.Equal("你好，世界\n", reply.Text);
        Assert.Equal("text/plain; charset=utf-8", reply.Headers["Content-Type"]);
        var (code, stdout, stderr) = await CurlAsync("--fail", Url(door, "/中文.txt"));
        Assert.True(code == 0, stderr);
        Assert.Equal("你好，世界\n", stdout);
    }

    [Fact]
    public async Task Missing_is_404_and_empty_is_200_with_length_0()
    {
        await using var door = FileClients.Open(_tree.Root);
        var missing = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/no-such-file")));
        Assert.Equal(404, missing.Status);
        var empty = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/empty")));
        Assert.Equal(200, empty.Status);
        Assert.Equal("0", empty.Headers["Content-Length"]);
        Assert.Empty(empty.Body);
        Assert.Equal("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", empty.Headers["Repr-Digest"]);
    }

    [Fact]
    public async Task Every_traversal_target_is_refused()
    {
        await using var door = FileClients.Open(_tree.Root);
        foreach (var target in TraversalCorpus.HttpTargets)
        {
            string raw = await FileClients.RawAsync(door.LocalEndPoint, Get(target));
            var reply = HttpReply.Parse(raw);
            Assert.True(reply.Status is 400 or 404, $"{target}: {reply.StatusLine}");
            Assert.DoesNotContain(TempTree.Secret, raw, StringComparison.Ordinal);
        }

        // Also as curl sends them when told to leave the path alone.
        foreach (var target in new[] { "/../secret.txt", "/%2e%2e/secret.txt", "/link-out", "/link-sibling/secret.txt" })
        {
            var (code, stdout, _) = await CurlAsync("--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", Url(door, target));
            Assert.Equal(0, code);
            Assert.Equal("404", stdout.TrimEnd('\n'));
        }
    }

    [Fact]
    public async Task Symlinks_inside_the_root_are_followed()
    {
        await using var door = FileClients.Open(_tree.Root);
        Assert.Equal("hello\n", HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/link-in"))).Text);
        Assert.Equal("inner\n", HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/link-dir-in/inner.txt"))).Text);
    }

    [Fact]
    public async Task A_FIFO_in_the_root_is_refused_without_blocking_the_door()
    {
        var (code, _, stderr) = await RunningProcess.RunAsync("mkfifo", [_tree.PathOf("pipe")]);
        Assert.True(code == 0, stderr);
        await using var door = FileClients.Open(_tree.Root);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(404, HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/pipe"))).Status);
            Assert.Empty(await FileClients.SeedAsync(door.LocalEndPoint, "pipe"));
        }

        Assert.Equal(200, HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt"))).Status);
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Head_sends_the_headers_of_GET_without_a_body(TcpTransport transport)
    {
        _tree.MakeFile("f.bin", 100_000);
        await using var door = FileClients.Open(_tree.Root, transport: transport);
        string raw = await FileClients.RawAsync(door.LocalEndPoint, "HEAD /f.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        var reply = HttpReply.Parse(raw);
        Assert.Equal(200, reply.Status);
        Assert.Equal("100000", reply.Headers["Content-Length"]);
        Assert.Empty(reply.Body);
        Assert.StartsWith("sha-256=:", reply.Headers["Repr-Digest"], StringComparison.Ordinal);
        Assert.Equal("bytes", reply.Headers["Accept-Ranges"]);
        Assert.True(reply.Headers.ContainsKey("Last-Modified"));
        Assert.True(reply.Headers.ContainsKey("ETag"));

        var (code, stdout, stderr) = await CurlAsync("-I", Url(door, "/f.bin"));
        Assert.True(code == 0, stderr);
        Assert.Contains("HTTP/1.1 200 OK", stdout, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 100000", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Ranges_give_206_and_unsatisfiable_ones_416(TcpTransport transport)
    {
        await using var door = FileClients.Open(_tree.Root, transport: transport);
        var part = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", "Range: bytes=1-3\r\n")));
        Assert.Equal(206, part.Status);
        Assert.Equal("ell", part.Text);
        Assert.Equal("bytes 1-3/6", part.Headers["Content-Range"]);
        Assert.Equal("3", part.Headers["Content-Length"]);

        var suffix = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", "Range: bytes=-2\r\n")));
        Assert.Equal("o\n", suffix.Text);

        var beyond = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", "Range: bytes=6-\r\n")));
        Assert.Equal(416, beyond.Status);
        Assert.Equal("bytes */6", beyond.Headers["Content-Range"]);

        // Ranges close together are sent as one (RFC 9110 §15.3.7.2).
        var near = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", "Range: bytes=0-1,3-4\r\n")));
        Assert.Equal(206, near.Status);
        Assert.Equal("bytes 0-4/6", near.Headers["Content-Range"]);
        Assert.Equal("hello", near.Text);

        var (code, stdout, _) = await CurlAsync("-r", "2-4", Url(door, "/a.txt"));
        Assert.Equal(0, code);
        Assert.Equal("llo\n", stdout); // the runner ends what it read with a newline
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_large_range_goes_out_with_sendfile_from_its_offset(TcpTransport transport)
    {
        string sha = _tree.MakeFile("r.bin", 3L * 1024 * 1024);
        byte[] whole = await File.ReadAllBytesAsync(_tree.PathOf("r.bin"));
        await using var door = FileClients.Open(_tree.Root, transport: transport);
        string output = Path.Combine(_tree.Base, "range.out");
        var (code, _, stderr) = await CurlAsync("-r", "1000000-", "-o", output, Url(door, "/r.bin"));
        Assert.True(code == 0, stderr);
        Assert.Equal(whole[1_000_000..], await File.ReadAllBytesAsync(output));
        Assert.NotEmpty(sha);
    }

    [Fact]
    public async Task If_Range_honours_the_range_only_for_the_current_version()
    {
        await using var door = FileClients.Open(_tree.Root);
        var first = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt")));
        string etag = first.Headers["ETag"];
        var same = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"Range: bytes=2-\r\nIf-Range: {etag}\r\n")));
        Assert.Equal(206, same.Status);
        var sameDate = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"Range: bytes=2-\r\nIf-Range: {first.Headers["Last-Modified"]}\r\n")));
        Assert.Equal(206, sameDate.Status);
        var other = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", "Range: bytes=2-\r\nIf-Range: \"old\"\r\n")));
        Assert.Equal(200, other.Status);
        Assert.Equal("hello\n", other.Text);
    }

    [Fact]
    public async Task Conditional_GET_gives_304()
    {
        await using var door = FileClients.Open(_tree.Root);
        var first = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt")));
        string etag = first.Headers["ETag"];
        string lastModified = first.Headers["Last-Modified"];

        var byTag = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"If-None-Match: \"x\", {etag}\r\n")));
        Assert.Equal(304, byTag.Status);
        Assert.Empty(byTag.Body);
        Assert.Equal(etag, byTag.Headers["ETag"]);

        var byDate = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"If-Modified-Since: {lastModified}\r\n")));
        Assert.Equal(304, byDate.Status);

        var older = DateTimeOffset.Parse(lastModified, CultureInfo.InvariantCulture).AddHours(-1).ToString("r", CultureInfo.InvariantCulture);
        var changed = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"If-Modified-Since: {older}\r\n")));
        Assert.Equal(200, changed.Status);

        // curl's own conditional GET (-z sends If-Modified-Since).
        var (curlCode, curlStatus, _) = await CurlAsync("-o", "/dev/null", "-w", "%{http_code}", "-z", lastModified, Url(door, "/a.txt"));
        Assert.Equal(0, curlCode);
        Assert.Equal("304", curlStatus.TrimEnd('\n'));

        // If-None-Match wins over If-Modified-Since.
        var tagWins = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"If-None-Match: \"x\"\r\nIf-Modified-Since: {lastModified}\r\n")));
        Assert.Equal(200, tagWins.Status);

        File.SetLastWriteTimeUtc(_tree.PathOf("a.txt"), DateTime.UtcNow.AddMinutes(1));
        var modified = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"If-None-Match: {etag}\r\n")));
        Assert.Equal(200, modified.Status);
        Assert.NotEqual(etag, modified.Headers["ETag"]);
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Keep_alive_serves_several_requests_on_one_connection_pipelined_or_not(TcpTransport transport)
    {
        _tree.MakeFile("mid.bin", 200_000);
        await using var door = FileClients.Open(_tree.Root, transport: transport);
        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        var pending = new MemoryStream();
        foreach (var target in new[] { "/a.txt", "/empty", "/mid.bin", "/missing", "/sub/inner.txt" })
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: t\r\n\r\n")).WithDeadline();
            var reply = await FileClients.ReadResponseAsync(socket, pending);
            Assert.Equal(target == "/missing" ? 404 : 200, reply.Status);
            Assert.False(reply.Headers.ContainsKey("Connection"));
        }

        // Three at once, answered in order.
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\nHEAD /mid.bin HTTP/1.1\r\nHost: t\r\n\r\nGET /sub/inner.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")).WithDeadline();
        Assert.Equal("hello\n", (await FileClients.ReadResponseAsync(socket, pending)).Text);
        Assert.Equal("200000", (await FileClients.ReadResponseAsync(socket, pending, head: true)).Headers["Content-Length"]);
        var last = await FileClients.ReadResponseAsync(socket, pending);
        Assert.Equal("inner\n", last.Text);
        Assert.Equal("close", last.Headers["Connection"]);
        Assert.Empty(await FileClients.ReadToEndAsync(socket));
    }

    [Fact]
    public async Task Curl_reuses_one_connection_for_several_urls()
    {
        await using var door = FileClients.Open(_tree.Root);
        var (code, stdout, stderr) = await CurlAsync("-v", Url(door, "/a.txt"), Url(door, "/sub/inner.txt"), Url(door, "/a.txt"));
        Assert.True(code == 0, stderr);
        Assert.Equal("hello\ninner\nhello\n", stdout);
        Assert.Contains("Re-using existing connection", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task HTTP_1_0_closes_unless_asked_to_keep_alive()
    {
        await using var door = FileClients.Open(_tree.Root);
        string raw = await FileClients.RawAsync(door.LocalEndPoint, "GET /a.txt HTTP/1.0\r\n\r\n");
        // RFC 9110 §2.5, §6.2: the server's own version, HTTP/1.1, in every status line.
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", raw, StringComparison.Ordinal);

        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        var pending = new MemoryStream();
        await socket.SendAsync("GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"u8.ToArray()).WithDeadline();
        var reply = await FileClients.ReadResponseAsync(socket, pending);
        Assert.Equal("keep-alive", reply.Headers["Connection"]);
        await socket.SendAsync("GET /empty HTTP/1.0\r\n\r\n"u8.ToArray()).WithDeadline();
        Assert.Equal(200, (await FileClients.ReadResponseAsync(socket, pending)).Status);
        Assert.Empty(await FileClients.ReadToEndAsync(socket));
    }

    [Theory]
    [InlineData("GET /a.txt HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /a.txt HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", 400)]
    [InlineData("GET /a.txt HTTP/1.1\r\nHost: t\r\n folded: x\r\n\r\n", 400)]
    [InlineData("GET /a.txt HTTP/3.0\r\nHost: t\r\n\r\n", 505)]
    [InlineData("GET /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("GET /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501)]
    [InlineData("POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", 405)]
    [InlineData("GET /%zz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 400)]
    [InlineData("GET /a.txt HTTP/1.1\r\nHost: a b\r\n\r\n", 400)]
    public async Task Malformed_requests_get_their_status(string request, int status)
    {
        await using var door = FileClients.Open(_tree.Root);
        string raw = await FileClients.RawAsync(door.LocalEndPoint, request);
        Assert.Equal(status, HttpReply.Parse(raw).Status);
        Assert.DoesNotContain("hello", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_on_a_door_that_takes_none_is_dropped_so_nothing_is_smuggled()
    {
        await using var door = FileClients.Open(_tree.Root);
        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        var pending = new MemoryStream();
        // The "body" is a second request; it must never be answered.
        const string Smuggled = "GET /sub/inner.txt HTTP/1.1\r\nHost: t\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: {Smuggled.Length}\r\n\r\n{Smuggled}")).WithDeadline();
        Assert.Equal("hello\n", (await FileClients.ReadResponseAsync(socket, pending)).Text);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /one HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")).WithDeadline();
        var next = await FileClients.ReadResponseAsync(socket, pending);
        Assert.Equal(200, next.Status);
        Assert.Equal("B", next.Text);
        Assert.Empty(await FileClients.ReadToEndAsync(socket));

        // Chunked content on a door that takes none cannot be skipped: answered, then closed.
        string raw = await FileClients.RawAsync(door.LocalEndPoint,
            $"POST /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n{Smuggled.Length:x}\r\n{Smuggled}\r\n0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 405 ", raw, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("inner", raw, StringComparison.Ordinal);
        Assert.Equal(1, raw.Split("HTTP/1.1 ").Length - 1);
    }

    [Fact]
    public async Task Other_methods_get_405_with_Allow_and_the_connection_stays_open()
    {
        await using var door = FileClients.Open(_tree.Root);
        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        var pending = new MemoryStream();
        await socket.SendAsync("DELETE /a.txt HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray()).WithDeadline();
        var reply = await FileClients.ReadResponseAsync(socket, pending);
        Assert.Equal(405, reply.Status);
        Assert.Equal("GET, HEAD, OPTIONS", reply.Headers["Allow"]);
        await socket.SendAsync("GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray()).WithDeadline();
        Assert.Equal("hello\n", (await FileClients.ReadResponseAsync(socket, pending)).Text);
        Assert.True(File.Exists(_tree.PathOf("a.txt")));
    }

    [Fact]
    public async Task An_over_long_request_line_gets_414_and_an_over_large_head_431()
    {
        var limits = FileDoorOptions.Default with { MaxRequestLineBytes = 256, MaxHeaderBytes = 512 };
        await using var door = FileClients.Open(_tree.Root, limits);
        var longLine = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/" + new string('a', 300))));
        Assert.Equal(414, longLine.Status);
        var bigHead = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"X-Big: {new string('b', 600)}\r\n")));
        Assert.Equal(431, bigHead.Status);
        var fits = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"X-Big: {new string('b', 400)}\r\n")));
        Assert.Equal(200, fits.Status);
        // The defaults: 8 KiB of request line is fine, 9 KiB is not.
        await using var defaults = FileClients.Open(_tree.Root);
        Assert.Equal(404, HttpReply.Parse(await FileClients.RawAsync(defaults.LocalEndPoint, Get("/" + new string('a', 8000)))).Status);
        Assert.Equal(414, HttpReply.Parse(await FileClients.RawAsync(defaults.LocalEndPoint, Get("/" + new string('a', 9000)))).Status);
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_request_that_does_not_arrive_in_time_gets_408(TcpTransport transport)
    {
        var limits = FileDoorOptions.Default with { RequestTimeout = TimeSpan.FromMilliseconds(300) };
        await using var door = FileClients.Open(_tree.Root, limits, transport: transport);
        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        await socket.SendAsync("GET /a.txt HTTP/1.1\r\nHost: t\r\n"u8.ToArray()).WithDeadline();
        string raw = Encoding.UTF8.GetString(await FileClients.ReadToEndAsync(socket));
        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_that_stalls_before_its_dialect_is_known_is_closed_at_the_request_timeout()
    {
        var limits = FileDoorOptions.Default with { RequestTimeout = TimeSpan.FromMilliseconds(300) };
        await using var door = FileClients.Open(_tree.Root, limits);
        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        await socket.SendAsync("GET"u8.ToArray()).WithDeadline();
        Assert.Empty(await FileClients.ReadToEndAsync(socket));
    }

    [Fact]
    public async Task The_request_clock_restarts_for_each_request_on_a_kept_connection()
    {
        var limits = FileDoorOptions.Default with { RequestTimeout = TimeSpan.FromMilliseconds(500) };
        await using var door = FileClients.Open(_tree.Root, limits);
        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        var pending = new MemoryStream();
        for (int i = 0; i < 3; i++)
        {
            await socket.SendAsync("GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray()).WithDeadline();
            Assert.Equal(200, (await FileClients.ReadResponseAsync(socket, pending)).Status);
            // Quiet between requests for longer than the request timeout: still open.
            await Task.Delay(700);
        }

        await socket.SendAsync("GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray()).WithDeadline();
        Assert.Equal(200, (await FileClients.ReadResponseAsync(socket, pending)).Status);
    }

    [Fact]
    public async Task A_directory_without_its_slash_is_redirected_and_with_it_listed()
    {
        await using var door = FileClients.Open(_tree.Root);
        var redirect = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/sub")));
        Assert.Equal(301, redirect.Status);
        Assert.Equal("/sub/", redirect.Headers["Location"]);
        var listing = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/sub/")));
        Assert.Equal(200, listing.Status);
        Assert.Equal("text/html; charset=utf-8", listing.Headers["Content-Type"]);
        Assert.Contains("<a href=\"inner.txt\">inner.txt</a>", listing.Text, StringComparison.Ordinal);
        var root = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/")));
        Assert.Contains("a.txt", root.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(".hidden", root.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("link-out", root.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("link-sibling", root.Text, StringComparison.Ordinal);
        Assert.Contains("link-in", root.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_digest_is_computed_once_per_version()
    {
        _tree.MakeFile("d.bin", 10_000);
        var handler = new FileConnectionHandler(new FileRoot(_tree.Root), FileDoorOptions.Default with { DigestCacheEntries = 2 }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await using var door = FileDoor.Bind(handler, WelcomeDoorOptions.Default with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        door.Start();
        var first = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/d.bin")));
        var second = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/d.bin")));
        Assert.Equal(first.Headers["Repr-Digest"], second.Headers["Repr-Digest"]);
        Assert.Equal(1, handler.Digests.Count);

        // A new version gets a new digest; the cache stays within its bound.
        await File.WriteAllTextAsync(_tree.PathOf("d.bin"), "changed");
        File.SetLastWriteTimeUtc(_tree.PathOf("d.bin"), DateTime.UtcNow.AddMinutes(2));
        var third = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/d.bin")));
        Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData("changed"u8))}:", third.Headers["Repr-Digest"]);
        HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt")));
        HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/one")));
        Assert.Equal(2, handler.Digests.Count);
    }

    [Fact]
    public async Task Concurrent_requests_for_a_new_version_share_one_hashing()
    {
        string sha = _tree.MakeFile("c.bin", 30_000_000);
        var handler = new FileConnectionHandler(new FileRoot(_tree.Root), FileDoorOptions.Default, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await using var door = FileDoor.Bind(handler, WelcomeDoorOptions.Default with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        door.Start();
        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            FileClients.RawAsync(door.LocalEndPoint, "HEAD /c.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")));
        string expected = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(sha))}:";
        Assert.All(replies, raw => Assert.Equal(expected, HttpReply.Parse(raw).Headers["Repr-Digest"]));
        Assert.Equal(1, handler.Digests.Computations);
    }

    [Fact]
    public async Task IPv6_loopback_works()
    {
        await using var door = FileClients.Open(_tree.Root, address: IPAddress.IPv6Loopback);
        var (code, stdout, stderr) = await CurlAsync("-g", $"http://[::1]:{door.LocalEndPoint.Port}/a.txt");
        Assert.True(code == 0, stderr);
        Assert.Equal("hello\n", stdout);
    }

    [Fact]
    public async Task The_serve_command_opens_the_files_door_on_its_root()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "0", "--bind", "127.0.0.1", "--root", _tree.Root);
        int port = await server.WaitForReadyAsync("files");
        var (code, stdout, stderr) = await CurlAsync($"http://127.0.0.1:{port}/sub/inner.txt");
        Assert.True(code == 0, stderr);
        Assert.Equal("inner\n", stdout);
        byte[] seed = await FileClients.SeedAsync(new IPEndPoint(IPAddress.Loopback, port), "a.txt");
        Assert.Equal("hello\n", Encoding.UTF8.GetString(seed));
        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task Serve_refuses_a_root_that_is_not_a_directory()
    {
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(["serve", "--tcp", "0", "--udp", "off", "--files", "0", "--root", _tree.PathOf("nope")]);
        Assert.Equal(1, code);
        Assert.Contains("--root", stderr, StringComparison.Ordinal);
    }
}

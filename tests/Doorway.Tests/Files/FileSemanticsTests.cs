using System.Net;
using System.Text;
using Doorway.Files;
using Doorway.Tests.Support;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>
/// What the file responder means by a file (issue 9): validators that change whenever the bytes
/// can have changed, the preconditions that guard a resume, caching metadata, listings that stay
/// answerable while their directory changes, and the sniffer's last word on a name that stalls.
/// </summary>
public sealed class FileSemanticsTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static string Get(string target, string extra = "") =>
        $"GET {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{extra}\r\n";

    [Fact]
    public async Task A_file_rewritten_with_its_old_size_and_mtime_gets_a_new_ETag_and_a_stale_If_Match_gets_412()
    {
        await using var door = FileClients.Open(_tree.Root);
        var modified = File.GetLastWriteTimeUtc(_tree.PathOf("a.txt"));
        var before = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt")));
        string etag = before.Headers["ETag"];

        // Same size, same mtime (set back, as rsync -t or tar would): only the ctime says it changed.
        await File.WriteAllTextAsync(_tree.PathOf("a.txt"), "HELLO\n");
        File.SetLastWriteTimeUtc(_tree.PathOf("a.txt"), modified);
        var after = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt")));
        Assert.Equal(before.Headers["Last-Modified"], after.Headers["Last-Modified"]);
        Assert.NotEqual(etag, after.Headers["ETag"]);

        // A resume guarded by the old ETag is refused instead of splicing new bytes onto old ones.
        var guarded = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"Range: bytes=3-\r\nIf-Match: {etag}\r\n")));
        Assert.Equal(412, guarded.Status);
        var ranged = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"Range: bytes=3-\r\nIf-Range: {etag}\r\n")));
        Assert.Equal(200, ranged.Status);
        Assert.Equal("HELLO\n", ranged.Text);
        var current = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"Range: bytes=3-\r\nIf-Match: {after.Headers["ETag"]}\r\n")));
        Assert.Equal(206, current.Status);
        Assert.Equal("LO\n", current.Text);
    }

    [Fact]
    public async Task Max_age_is_sent_when_set_and_no_cache_otherwise()
    {
        await using (var door = FileClients.Open(_tree.Root))
        {
            var reply = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt")));
            Assert.Equal("no-cache", reply.Headers["Cache-Control"]);
        }

        await using (var door = FileClients.Open(_tree.Root, FileDoorOptions.Default with { MaxAge = TimeSpan.FromHours(1) }))
        {
            var reply = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt")));
            Assert.Equal("max-age=3600", reply.Headers["Cache-Control"]);
            var notModified = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/a.txt", $"If-None-Match: {reply.Headers["ETag"]}\r\n")));
            Assert.Equal(304, notModified.Status);
            Assert.Equal("max-age=3600", notModified.Headers["Cache-Control"]);
            // Listings have no validator: always revalidated.
            Assert.Equal("no-cache", HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/"))).Headers["Cache-Control"]);
        }
    }

    [Fact]
    public async Task The_serve_command_takes_max_age_and_max_ranges()
    {
        await File.WriteAllTextAsync(_tree.PathOf("kilo.bin"), string.Concat(Enumerable.Repeat("0123456789", 100)));
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1",
            "--root", _tree.Root, "--max-age", "60", "--max-ranges", "2");
        int port = await server.WaitForReadyAsync("files");
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        var reply = HttpReply.Parse(await FileClients.RawAsync(endPoint, Get("/kilo.bin", "Range: bytes=0-1,500-501\r\n")));
        Assert.Equal(206, reply.Status);
        Assert.Equal("max-age=60", reply.Headers["Cache-Control"]);
        Assert.StartsWith("multipart/byteranges; boundary=", reply.Headers["Content-Type"], StringComparison.Ordinal);
        var three = HttpReply.Parse(await FileClients.RawAsync(endPoint, Get("/kilo.bin", "Range: bytes=0-1,500-501,900-901\r\n")));
        Assert.Equal(200, three.Status);
        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task Several_ranges_come_as_multipart_byteranges_with_a_length_counted_up_front()
    {
        string sha = _tree.MakeFile("big.bin", 100_000);
        byte[] whole = await File.ReadAllBytesAsync(_tree.PathOf("big.bin"));
        await using var door = FileClients.Open(_tree.Root);
        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        var pending = new MemoryStream();
        // A small part read with the head, a large one sent by sendfile, and the connection kept for the next request.
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=90000-90009, 10-30009\r\n\r\n")).WithDeadline();
        var reply = await FileClients.ReadResponseAsync(socket, pending);
        Assert.Equal(206, reply.Status);
        string type = reply.Headers["Content-Type"];
        string boundary = type["multipart/byteranges; boundary=".Length..];
        byte[] body = reply.Body;
        var parts = SplitParts(body, boundary);
        Assert.Equal(2, parts.Count);
        Assert.Equal("bytes 90000-90009/100000", parts[0].Range);
        Assert.Equal(whole[90000..90010], parts[0].Data);
        Assert.Equal("bytes 10-30009/100000", parts[1].Range);
        Assert.Equal(whole[10..30010], parts[1].Data);
        Assert.All(parts, part => Assert.Equal("application/octet-stream", part.Type));
        Assert.False(reply.Headers.ContainsKey("Content-Range"));
        Assert.NotEmpty(sha);

        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n")).WithDeadline();
        Assert.Equal("hello\n", (await FileClients.ReadResponseAsync(socket, pending)).Text);
    }

    [Fact]
    public async Task A_listing_stays_answerable_while_its_entries_come_and_go()
    {
        // Issue 9: a name that vanished while the listing was read once cost the client its response.
        string crowd = _tree.PathOf("crowd");
        Directory.CreateDirectory(crowd);
        await using var door = FileClients.Open(_tree.Root);
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            for (int round = 0; round < 2000 && !stop.IsCancellationRequested; round++)
            {
                string path = Path.Combine(crowd, $"f{round % 50}");
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
                else
                {
                    File.WriteAllText(path, "x");
                }
            }
        });
        int answered = 0;
        for (int i = 0; i < 40 && !churn.IsCompleted; i++)
        {
            var reply = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/crowd/")));
            Assert.Equal(200, reply.Status);
            answered++;
        }

        await stop.CancelAsync();
        await churn.WithDeadline();
        Assert.True(answered > 0);
    }

    [Fact]
    public async Task A_directory_holding_a_name_that_is_not_UTF8_is_listed_and_the_name_fetched_by_its_link()
    {
        Directory.CreateDirectory(_tree.PathOf("latin"));
        TestFileSystem.WriteFile(_tree.PathOf("latin"), [.. "caf"u8, 0xE9, .. ".txt"u8], "latin-1"u8);
        await using var door = FileClients.Open(_tree.Root);
        var listing = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/latin/")));
        Assert.Equal(200, listing.Status);
        Assert.Contains("<a href=\"caf%E9.txt\">caf\\xE9.txt</a>", listing.Text, StringComparison.Ordinal);
        var file = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, Get("/latin/caf%E9.txt")));
        Assert.Equal(200, file.Status);
        Assert.Equal("latin-1", file.Text);
        Assert.Equal(200, HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, "HEAD /latin/ HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")).Status);
    }

    [Fact]
    public async Task A_raw_name_of_capitals_sent_without_a_newline_is_served_when_the_sniffer_gives_up_waiting()
    {
        // It could be a method being typed, so the sniffer waits; at its timeout it decides on what came.
        await File.WriteAllTextAsync(_tree.PathOf("README"), "read me\n");
        await using var door = FileClients.Open(_tree.Root, FileDoorOptions.Default with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.Equal("read me\n", Encoding.UTF8.GetString(await FileClients.SeedAsync(door.LocalEndPoint, "README")));
        // The book's client, a lower-case name and no newline, is served at once as before.
        Assert.Equal("hello\n", Encoding.UTF8.GetString(await FileClients.SeedAsync(door.LocalEndPoint, "a.txt")));
    }

    private static List<(string Type, string Range, byte[] Data)> SplitParts(byte[] body, string boundary)
    {
        var parts = new List<(string, string, byte[])>();
        byte[] delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        int at = body.AsSpan().IndexOf(delimiter);
        Assert.Equal(0, at);
        while (true)
        {
            int after = at + delimiter.Length;
            if (body.AsSpan(after).StartsWith("--\r\n"u8))
            {
                Assert.Equal(body.Length, after + 4);
                return parts;
            }

            int headEnd = after + body.AsSpan(after).IndexOf("\r\n\r\n"u8);
            var fields = Encoding.ASCII.GetString(body, after + 2, headEnd - after - 2).Split("\r\n")
                .Select(line => line.Split(": ", 2)).ToDictionary(p => p[0], p => p[1]);
            int next = headEnd + 4 + body.AsSpan(headEnd + 4).IndexOf(delimiter);
            parts.Add((fields["Content-Type"], fields["Content-Range"], body[(headEnd + 4)..next]));
            at = next;
        }
    }
}

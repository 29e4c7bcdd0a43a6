using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Doorway.Files;
using Doorway.Tests.Support;
using Doorway.Transport;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>
/// The file door on the epoll transport answers on the event loop that read the request (issue
/// 11), and the loop never waits for a disk: it opens with RESOLVE_CACHED and reads with
/// RWF_NOWAIT, and what the kernel cannot answer from its caches is done on the thread pool.
/// </summary>
public sealed partial class FileDoorLoopTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void An_open_that_may_not_wait_leaves_a_walk_the_lookup_cache_cannot_answer()
    {
        using var root = new FileRoot(_tree.Root);
        Assert.True(root.OpensWithoutWaiting, "openat2 here takes RESOLVE_CACHED (Linux 5.12)");
        byte[] unseen = Encoding.ASCII.GetBytes("unseen-" + Guid.NewGuid().ToString("N"));

        // Nobody ever looked this name up: the kernel must ask the file system, which may read the disk.
        Assert.Equal(FileOpenKind.NotCached, root.Open(unseen, withoutWaiting: true).Kind);
        Assert.Equal(FileOpenKind.Missing, root.Open(unseen).Kind);
        // The walk that could wait left its answer (a negative entry) in the cache.
        Assert.Equal(FileOpenKind.Missing, root.Open(unseen, withoutWaiting: true).Kind);

        var warm = root.Open("sub/inner.txt"u8, withoutWaiting: true);
        Assert.Equal(FileOpenKind.File, warm.Kind);
        warm.File!.Dispose();
    }

    [Fact]
    public void Where_no_open_can_promise_not_to_wait_every_open_that_may_not_wait_is_left_to_the_pool()
    {
        using var root = new FileRoot(_tree.Root);
        root.UseCheckedFallback();
        AssertOpensOnlyOffTheLoop(root, "a.txt"u8);
    }

    /// <summary>
    /// RESOLVE_CACHED makes only the walk wait for nothing: the file system's own open still runs,
    /// and FUSE or NFS ask a daemon or a server (found in review). A root on any file system not
    /// known to be local opens only off the loop; procfs stands in for them here.
    /// </summary>
    [Fact]
    public void A_root_on_a_file_system_not_known_to_be_local_opens_only_off_the_loop()
    {
        using var root = new FileRoot("/proc/sys");
        AssertOpensOnlyOffTheLoop(root, "kernel/hostname"u8);
    }

    /// <summary>The root promises no open on the loop: one asked not to wait is left to the pool, which opens the file.</summary>
    private static void AssertOpensOnlyOffTheLoop(FileRoot root, ReadOnlySpan<byte> file)
    {
        Assert.False(root.OpensWithoutWaiting);
        Assert.Equal(FileOpenKind.NotCached, root.Open(file, withoutWaiting: true).Kind);
        var opened = root.Open(file);
        Assert.Equal(FileOpenKind.File, opened.Kind);
        opened.File!.Dispose();
    }

    /// <summary>A walk on the loop never leaves the root's file system (RESOLVE_NO_XDEV): a mount under the root is opened off the loop.</summary>
    [Fact]
    public void A_walk_into_another_mount_is_left_to_the_pool()
    {
        // /dev/shm is a tmpfs mounted under the root file system: a local one, but another mount.
        string name = "doorway-test-" + Guid.NewGuid().ToString("N");
        string onShm = Path.Combine("/dev/shm", name);
        File.WriteAllText(onShm, "x");
        try
        {
            using var root = new FileRoot("/");
            Assert.True(root.OpensWithoutWaiting, "this machine's root file system is a local one (ext4 here)");
            byte[] other = Encoding.ASCII.GetBytes("dev/shm/" + name);
            foreach (var path in new[] { "etc/passwd"u8.ToArray(), other })
            {
                // Opened once where it may wait, so the walk is in the lookup cache.
                var warm = root.Open(path);
                Assert.Equal(FileOpenKind.File, warm.Kind);
                warm.File!.Dispose();
            }

            var local = root.Open("etc/passwd"u8, withoutWaiting: true);
            Assert.Equal(FileOpenKind.File, local.Kind);
            local.File!.Dispose();
            Assert.Equal(FileOpenKind.NotCached, root.Open(other, withoutWaiting: true).Kind);
        }
        finally
        {
            File.Delete(onShm);
        }
    }

    [Fact]
    public void The_page_cache_is_asked_whether_it_holds_every_page_a_send_would_read()
    {
        byte[] content = RandomNumberGenerator.GetBytes(64 * 1024);
        string path = _tree.PathOf("pages.bin");
        File.WriteAllBytes(path, content);
        using (var file = File.OpenHandle(path))
        {
            Assert.True(PageCache.Holds(file, 0, content.Length), "pages just written are cached (cachestat, Linux 6.5)");
            Assert.True(PageCache.Holds(file, 5000, 100));
            TestFileSystem.DropCachedPages(path);
            Assert.False(PageCache.Holds(file, 0, content.Length));
            Assert.False(PageCache.Holds(file, 5000, 100));
            _ = File.ReadAllBytes(path);
            Assert.True(PageCache.Holds(file, 0, content.Length));
        }

        // procfs answers from memory too, but is not a file system known not to wait: never "held".
        using var proc = File.OpenHandle("/proc/self/status");
        Assert.False(PageCache.Holds(proc, 0, 100));
    }

    [Fact]
    public void A_read_that_may_not_wait_takes_only_what_the_page_cache_holds()
    {
        byte[] content = RandomNumberGenerator.GetBytes(64 * 1024);
        string path = _tree.PathOf("cold.bin");
        File.WriteAllBytes(path, content);
        TestFileSystem.DropCachedPages(path);
        using var file = File.OpenHandle(path);
        byte[] buffer = new byte[content.Length];

        Assert.True(PositionalRead.ReadWithoutWaiting(file, buffer, 0) < content.Length, "pages just dropped are not all cached");
        Assert.Equal(content.Length, PositionalRead.Read(file, buffer, 0));
        Array.Clear(buffer);
        Assert.Equal(content.Length, PositionalRead.ReadWithoutWaiting(file, buffer, 0));
        Assert.Equal(content, buffer);
    }

    /// <summary>
    /// strace -f on a running <c>doorway serve</c> with one loop: on one kept-alive connection, a
    /// small file whose pages were dropped, the same file again, a name never looked up, a large
    /// file cached and then with its pages dropped, and a listing. The loop's thread tries each
    /// without waiting; what needed the disk (the read, the walk, the uncached sendfile) and the
    /// listing ran on other threads, and every answer is whole.
    /// </summary>
    [Fact]
    public async Task On_the_event_loop_the_file_door_waits_for_no_disk()
    {
        byte[] cold = RandomNumberGenerator.GetBytes(12_000);
        File.WriteAllBytes(_tree.PathOf("cold.bin"), cold);
        string bigSha = _tree.MakeFile("big.bin", 300_000);
        string unseen = "unseen-" + Guid.NewGuid().ToString("N");
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1",
            "--root", _tree.Root, "--transport", "epoll", "--transport-loops", "1");
        var door = new IPEndPoint(IPAddress.Loopback, await server.WaitForReadyAsync("files"));
        using var socket = await FileClients.ConnectAsync(door);
        var pending = new MemoryStream();

        // A connection's first request may be served where its handler started (the thread pool),
        // and a file's first digest is hashed there too, so the request goes on there: each file
        // is asked for once before the trace. The loop
        // reads the requests that arrive while the handler waits for them: each comes after a pause.
        Assert.Equal(200, (await GetAsync(socket, pending, "/a.txt")).Status);
        Assert.Equal(cold, (await GetAsync(socket, pending, "/cold.bin")).Body);
        Assert.Equal(300_000, (await GetAsync(socket, pending, "/big.bin")).Body.Length);
        TestFileSystem.DropCachedPages(_tree.PathOf("cold.bin"));
        string output = Path.Combine(_tree.Base, "strace.out");
        using (var strace = await AttachAsync(server.Id, output))
        {
            var first = await GetAsync(socket, pending, "/cold.bin");
            var again = await GetAsync(socket, pending, "/cold.bin");
            // Right after a request the loop answered all by itself, so this one is read and
            // answered there too (after one that moved to the pool, the next request finds the
            // handler on the pool if it arrives before the handler waits again).
            var big = await GetAsync(socket, pending, "/big.bin");
            var missing = await GetAsync(socket, pending, "/" + unseen);
            TestFileSystem.DropCachedPages(_tree.PathOf("big.bin"));
            var bigCold = await GetAsync(socket, pending, "/big.bin");
            var listing = await GetAsync(socket, pending, "/sub/");
            TestFileSystem.Interrupt(strace.Id);
            await strace.WaitForExitAsync().WaitAsync(Deadline.Default);

            Assert.Equal(cold, first.Body);
            Assert.Equal(cold, again.Body);
            Assert.Equal(404, missing.Status);
            Assert.Equal(bigSha, Convert.ToHexStringLower(SHA256.HashData(big.Body)));
            Assert.Equal(bigSha, Convert.ToHexStringLower(SHA256.HashData(bigCold.Body)));
            Assert.Equal(200, listing.Status);
            Assert.Contains("inner.txt", listing.Text, StringComparison.Ordinal);
        }

        var calls = ReadTrace(output, server.Id);
        string all = string.Join('\n', calls.Select(c => $"{c.Thread}: {c.Text}"));
        var onLoop = calls.Where(c => c.Thread.StartsWith("Doorway epoll", StringComparison.Ordinal)).Select(c => c.Text).ToList();
        var offLoop = calls.Where(c => !c.Thread.StartsWith("Doorway epoll", StringComparison.Ordinal)).Select(c => c.Text).ToList();

        // The loop tried the cold read without waiting, was told the pages were not there, and a
        // pool thread read them; once cached, the loop read them itself.
        Assert.True(onLoop.Any(c => c.StartsWith("preadv2(", StringComparison.Ordinal) && c.Contains("RWF_NOWAIT", StringComparison.Ordinal) && c.EndsWith("EAGAIN (Resource temporarily unavailable)", StringComparison.Ordinal)), all);
        Assert.True(offLoop.Any(c => c.StartsWith("pread64(", StringComparison.Ordinal) && c.EndsWith("= 12000", StringComparison.Ordinal)), all);
        Assert.True(onLoop.Any(c => c.StartsWith("preadv2(", StringComparison.Ordinal) && c.EndsWith("= 12000", StringComparison.Ordinal)), all);
        // The walk to a name never looked up: tried from the cache on the loop, made on the pool.
        Assert.True(onLoop.Any(c => c.Contains(unseen, StringComparison.Ordinal) && c.Contains("RESOLVE_CACHED", StringComparison.Ordinal) && c.Contains("EAGAIN", StringComparison.Ordinal)), all);
        Assert.True(offLoop.Any(c => c.Contains(unseen, StringComparison.Ordinal) && c.Contains("ENOENT", StringComparison.Ordinal)), all);
        // The large file, cached, was sent by the loop itself; once its pages were dropped, by a pool thread.
        Assert.True(onLoop.Any(c => c.StartsWith("sendfile(", StringComparison.Ordinal)), all);
        Assert.True(offLoop.Any(c => c.StartsWith("sendfile(", StringComparison.Ordinal)), all);
        Assert.True(offLoop.Any(c => c.StartsWith("getdents64(", StringComparison.Ordinal)), all);
        // Nothing on the loop could wait: every open there asked the cache only, and it made no blocking read or listing.
        Assert.True(onLoop.Where(c => c.StartsWith("openat2(", StringComparison.Ordinal)).All(c => c.Contains("RESOLVE_CACHED", StringComparison.Ordinal)), all);
        Assert.False(onLoop.Any(c => c.StartsWith("pread64(", StringComparison.Ordinal) || c.StartsWith("getdents64(", StringComparison.Ordinal)), all);
        Assert.True(onLoop.Count >= 4, all);
    }

    /// <summary>
    /// One request after the client's think time: the scenario is a client that pauses between
    /// requests, so the server's handler is parked in its wait, on the loop, when the request comes.
    /// </summary>
    private static async Task<HttpReply> GetAsync(Socket socket, MemoryStream pending, string target)
    {
        // Time for a handler still on the pool from the last request to wait again: the server shows
        // nothing when it does (the wait is no system call), so there is no event to wait on.
        await Task.Delay(300);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: t\r\n\r\n"), SocketFlags.None);
        return await FileClients.ReadResponseAsync(socket, pending);
    }

    /// <summary>strace -f attached to every thread of <paramref name="pid"/>, writing the file calls to <paramref name="output"/>.</summary>
    private static Task<Process> AttachAsync(int pid, string output) =>
        // "Process N attached with K threads": every thread of the process is traced from there.
        TestFileSystem.AttachStraceAsync(
            ["-f", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", output, "-e", "trace=openat2,preadv2,pread64,sendfile,getdents64"], "attached with");

    /// <summary>The traced calls in order, each whole (an unfinished call joined to its resumption) with its thread's name.</summary>
    private static List<(string Thread, string Text)> ReadTrace(string output, int pid)
    {
        var calls = new List<(string, string)>();
        var unfinished = new Dictionary<string, string>();
        var names = new Dictionary<string, string>();
        foreach (string line in File.ReadAllLines(output))
        {
            var match = TraceLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            string tid = match.Groups[1].Value;
            string text = match.Groups[2].Value;
            if (text.EndsWith(" <unfinished ...>", StringComparison.Ordinal))
            {
                unfinished[tid] = text[..^" <unfinished ...>".Length];
                continue;
            }

            if (Resumed().Match(text) is { Success: true } resumed)
            {
                text = unfinished.Remove(tid, out string? start) ? start + resumed.Groups[1].Value : text;
            }

            if (!names.TryGetValue(tid, out string? name))
            {
                string comm = $"/proc/{pid}/task/{tid}/comm";
                name = File.Exists(comm) ? File.ReadAllText(comm).TrimEnd('\n') : "exited";
                names[tid] = name;
            }

            calls.Add((name, text));
        }

        return calls;
    }

    [GeneratedRegex(@"^(\d+)\s+(.*)$")]
    private static partial Regex TraceLine();

    [GeneratedRegex(@"^<\.\.\. [a-z0-9_]+ resumed>(.*)$")]
    private static partial Regex Resumed();
}

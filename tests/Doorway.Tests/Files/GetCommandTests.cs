using System.Net;
using System.Net.Sockets;
using Doorway.Tests.Support;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary><c>doorway get</c> as a user runs it: the real process, in a directory of its own.</summary>
public sealed class GetCommandTests : IDisposable
{
    private readonly TempTree _tree = new();
    private readonly string _work;

    public GetCommandTests()
    {
        _work = Path.Combine(_tree.Base, "work");
        Directory.CreateDirectory(_work);
    }

    public void Dispose() => _tree.Dispose();

    private Task<(int ExitCode, string Stdout, string Stderr)> GetAsync(params string[] args) =>
        RunningProcess.RunAsync("dotnet", [Repo.DoorwayDll, "get", .. args], limit: TimeSpan.FromSeconds(60), workingDirectory: _work);

    private static string Server(IPEndPoint door) => $"127.0.0.1:{door.Port}";

    private string Work(string name) => Path.Combine(_work, name);

    [Fact]
    public async Task Downloads_verifies_and_saves_under_the_base_name()
    {
        string sha = _tree.MakeFile("sub/data.bin", 3_000_000);
        await using var door = FileClients.Open(_tree.Root);
        var (code, _, stderr) = await GetAsync("sub/data.bin", "--server", Server(door.LocalEndPoint));
        Assert.True(code == 0, stderr);
        Assert.Contains("SHA-256 verified", stderr, StringComparison.Ordinal);
        Assert.Equal(sha, TempTree.Sha256(File.ReadAllBytes(Work("data.bin"))));
        Assert.False(File.Exists(Work("data.bin.part")));
        Assert.False(File.Exists(Work("data.bin.part.etag")));
    }

    [Fact]
    public async Task UTF8_names_and_o_work()
    {
        await using var door = FileClients.Open(_tree.Root);
        var (code, _, stderr) = await GetAsync("中文.txt", "--server", Server(door.LocalEndPoint));
        Assert.True(code == 0, stderr);
        Assert.Equal("你好，世界\n", File.ReadAllText(Work("中文.txt")));
        Directory.CreateDirectory(Work("out"));
        (code, _, stderr) = await GetAsync("a.txt", "--server", Server(door.LocalEndPoint), "-o", "out/renamed.txt");
        Assert.True(code == 0, stderr);
        Assert.Equal("hello\n", File.ReadAllText(Work("out/renamed.txt")));
        (code, _, stderr) = await GetAsync("sub/inner.txt", "--server", Server(door.LocalEndPoint), "-o", "out");
        Assert.True(code == 0, stderr);
        Assert.Equal("inner\n", File.ReadAllText(Work("out/inner.txt")));
    }

    [Fact]
    public async Task A_name_with_dot_dots_is_saved_in_the_current_directory_only()
    {
        await using var door = FileClients.Open(_tree.Root);
        var (code, _, stderr) = await GetAsync("../secret.txt", "--server", Server(door.LocalEndPoint));
        Assert.Equal(1, code);
        Assert.Contains("not found", stderr, StringComparison.Ordinal);
        Assert.Equal(TempTree.Secret, File.ReadAllText(Path.Combine(_tree.Base, "secret.txt")));
        Assert.Empty(Directory.GetFiles(_work));

        (code, _, stderr) = await GetAsync("..", "--server", Server(door.LocalEndPoint));
        Assert.Equal(1, code);
        Assert.Contains("-o FILE", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_complete_file_is_not_overwritten_without_force()
    {
        File.WriteAllText(Work("a.txt"), "mine");
        await using var door = FileClients.Open(_tree.Root);
        var (code, _, stderr) = await GetAsync("a.txt", "--server", Server(door.LocalEndPoint));
        Assert.Equal(1, code);
        Assert.Contains("--force", stderr, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(Work("a.txt")));
        (code, _, stderr) = await GetAsync("a.txt", "--server", Server(door.LocalEndPoint), "--force");
        Assert.True(code == 0, stderr);
        Assert.Equal("hello\n", File.ReadAllText(Work("a.txt")));
    }

    [Fact]
    public async Task Resumes_after_the_connection_is_cut_mid_file()
    {
        const long size = 5_000_000;
        string sha = _tree.MakeFile("big.bin", size);
        await using var door = FileClients.Open(_tree.Root);
        await using (var cutter = TestServer.Cutting(door.LocalEndPoint, cutAfter: 2_000_000))
        {
            var (cutCode, _, cutErr) = await GetAsync("big.bin", "--server", cutter.Address);
            Assert.Equal(1, cutCode);
            Assert.Contains("to resume", cutErr, StringComparison.Ordinal);
            Assert.Single(cutErr.Trim().Split('\n'));
        }

        long kept = new FileInfo(Work("big.bin.part")).Length;
        Assert.InRange(kept, 1, size - 1);
        Assert.False(File.Exists(Work("big.bin")));

        var (code, _, stderr) = await GetAsync("big.bin", "--server", Server(door.LocalEndPoint));
        Assert.True(code == 0, stderr);
        Assert.Contains($"resumed at {kept}", stderr, StringComparison.Ordinal);
        Assert.Contains("SHA-256 verified", stderr, StringComparison.Ordinal);
        Assert.Equal(sha, TempTree.Sha256(File.ReadAllBytes(Work("big.bin"))));
        Assert.False(File.Exists(Work("big.bin.part")));
    }

    [Fact]
    public async Task A_file_changed_on_the_server_restarts_cleanly()
    {
        _tree.MakeFile("big.bin", 4_000_000, seed: 1);
        await using var door = FileClients.Open(_tree.Root);
        await using (var cutter = TestServer.Cutting(door.LocalEndPoint, cutAfter: 1_000_000))
        {
            Assert.Equal(1, (await GetAsync("big.bin", "--server", cutter.Address)).ExitCode);
        }

        Assert.True(File.Exists(Work("big.bin.part")));
        string sha = _tree.MakeFile("big.bin", 3_000_000, seed: 2);
        File.SetLastWriteTimeUtc(_tree.PathOf("big.bin"), DateTime.UtcNow.AddMinutes(5));

        var (code, _, stderr) = await GetAsync("big.bin", "--server", Server(door.LocalEndPoint));
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("resumed", stderr, StringComparison.Ordinal);
        Assert.Equal(sha, TempTree.Sha256(File.ReadAllBytes(Work("big.bin"))));
    }

    [Fact]
    public async Task A_part_as_long_as_the_file_gets_416_and_restarts()
    {
        await using var door = FileClients.Open(_tree.Root);
        var head = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, "HEAD /a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
        await File.WriteAllTextAsync(Work("a.txt.part"), "HELLO\n");
        await File.WriteAllTextAsync(Work("a.txt.part.etag"), head.Headers["ETag"] + "\n");
        var (code, _, stderr) = await GetAsync("a.txt", "--server", Server(door.LocalEndPoint));
        Assert.True(code == 0, stderr);
        Assert.Equal("hello\n", File.ReadAllText(Work("a.txt")));
        Assert.False(File.Exists(Work("a.txt.part.etag")));
    }

    [Fact]
    public async Task A_part_without_its_validator_is_not_trusted()
    {
        await using var door = FileClients.Open(_tree.Root);
        await File.WriteAllTextAsync(Work("a.txt.part"), "XYZ");
        var (code, _, stderr) = await GetAsync("a.txt", "--server", Server(door.LocalEndPoint));
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("resumed", stderr, StringComparison.Ordinal);
        Assert.Equal("hello\n", File.ReadAllText(Work("a.txt")));
    }

    [Fact]
    public async Task A_digest_mismatch_keeps_the_part_says_so_and_fails()
    {
        byte[] body = "these bytes do not hash to zero"u8.ToArray();
        await using var liar = TestServer.Lying(body);
        var (code, _, stderr) = await GetAsync("x.bin", "--server", liar.Address);
        Assert.Equal(1, code);
        Assert.Contains("SHA-256 mismatch", stderr, StringComparison.Ordinal);
        Assert.Contains("x.bin.part kept", stderr, StringComparison.Ordinal);
        Assert.Equal(body, File.ReadAllBytes(Work("x.bin.part")));
        Assert.False(File.Exists(Work("x.bin")));
    }

    [Fact]
    public async Task Not_found_refused_and_timed_out_are_one_line_each()
    {
        await using var door = FileClients.Open(_tree.Root);
        var (code, _, stderr) = await GetAsync("missing.txt", "--server", Server(door.LocalEndPoint));
        Assert.Equal(1, code);
        Assert.Equal("doorway: missing.txt: not found on " + Server(door.LocalEndPoint), stderr.Trim());

        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        (code, _, stderr) = await GetAsync("a.txt", "--server", $"127.0.0.1:{closedPort}");
        Assert.Equal(1, code);
        Assert.Equal($"doorway: 127.0.0.1:{closedPort}: connection refused", stderr.Trim());

        await using var silent = TestServer.Silent();
        (code, _, stderr) = await GetAsync("a.txt", "--server", silent.Address, "--timeout", "0.5");
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("no data from", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interrupted_before_any_byte_is_one_line_and_exit_130()
    {
        await using var silent = TestServer.Silent();
        await using var process = RunningProcess.Start("dotnet", [Repo.DoorwayDll, "get", "a.txt", "--server", silent.Address, "--timeout", "30"], _work);
        await Deadline.UntilAsync(() => silent.Connections > 0, "the get to connect");
        process.Signal(2);
        Assert.Equal(130, await process.WaitForExitAsync());
        Assert.Equal("doorway: interrupted; nothing saved", process.Stderr.Trim());
        Assert.Empty(Directory.GetFiles(_work));
    }

    [Fact]
    public async Task Sigint_mid_download_keeps_the_part_exits_130_and_the_same_command_resumes()
    {
        const long size = 4_000_000;
        string sha = _tree.MakeFile("big.bin", size);
        await using var door = FileClients.Open(_tree.Root);
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var staller = TestServer.Stalling(door.LocalEndPoint, stallAfter: 1_500_000, stalled))
        {
            await using var process = RunningProcess.Start("dotnet", [Repo.DoorwayDll, "get", "big.bin", "--server", staller.Address, "--timeout", "60"], _work);
            await stalled.Task.WithDeadline();
            await Deadline.UntilAsync(() => File.Exists(Work("big.bin.part")) && new FileInfo(Work("big.bin.part")).Length > 1_000_000, "the part to fill");
            process.Signal(2);
            Assert.Equal(130, await process.WaitForExitAsync());
            string line = process.Stderr.Trim();
            Assert.Single(line.Split('\n'));
            Assert.StartsWith($"doorway: interrupted; {Work("big.bin.part")} kept (", line, StringComparison.Ordinal);
            Assert.EndsWith("run the same command again to resume", line, StringComparison.Ordinal);
        }

        long kept = new FileInfo(Work("big.bin.part")).Length;
        Assert.InRange(kept, 1_000_001, size - 1);
        Assert.True(File.Exists(Work("big.bin.part.etag")));
        var (code, _, stderr) = await GetAsync("big.bin", "--server", Server(door.LocalEndPoint));
        Assert.True(code == 0, stderr);
        Assert.Contains($"resumed at {kept}", stderr, StringComparison.Ordinal);
        Assert.Equal(sha, TempTree.Sha256(File.ReadAllBytes(Work("big.bin"))));
    }

    [Fact]
    public async Task Raw_speaks_the_seed_dialect_to_the_door_and_to_the_books_server()
    {
        string sha = _tree.MakeFile("r.bin", 700_000);
        await using var door = FileClients.Open(_tree.Root);
        var (code, _, stderr) = await GetAsync("r.bin", "--raw", "--server", Server(door.LocalEndPoint));
        Assert.True(code == 0, stderr);
        Assert.Equal(sha, TempTree.Sha256(File.ReadAllBytes(Work("r.bin"))));

        (code, _, stderr) = await GetAsync("missing", "--raw", "--server", Server(door.LocalEndPoint));
        Assert.Equal(1, code);
        Assert.Contains("sent nothing", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Work("missing")));

        await using var book = RunningProcess.Start("python3", [Repo.Client("seed_server.py"), _tree.Root]);
        string ready = await book.WaitForLineAsync("ready seed ");
        (code, _, stderr) = await GetAsync("r.bin", "--raw", "--force", "--server", "127.0.0.1:" + ready.Split(' ')[2]);
        Assert.True(code == 0, stderr);
        Assert.Equal(sha, TempTree.Sha256(File.ReadAllBytes(Work("r.bin"))));
    }

    [Fact]
    public async Task Progress_shows_on_a_terminal_and_not_in_a_pipe()
    {
        _tree.MakeFile("p.bin", 2_000_000);
        await using var door = FileClients.Open(_tree.Root);
        // script(1) gives the command a terminal.
        string command = $"dotnet '{Repo.DoorwayDll}' get p.bin --server {Server(door.LocalEndPoint)}";
        var (code, stdout, stderr) = await RunningProcess.RunAsync("script", ["-qec", command, "/dev/null"], limit: TimeSpan.FromSeconds(60), workingDirectory: _work);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("100%", stdout, StringComparison.Ordinal);
        // Spectre's default says "MB" for 1024² bytes; the display says what it means.
        Assert.Contains("MiB", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(" MB", stdout, StringComparison.Ordinal);

        File.Delete(Work("p.bin"));
        (code, _, stderr) = await GetAsync("p.bin", "--server", Server(door.LocalEndPoint));
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("%", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_url_names_the_server_and_the_path_like_curl()
    {
        await using var door = FileClients.Open(_tree.Root);
        int port = door.LocalEndPoint.Port;
        var (code, _, stderr) = await GetAsync($"http://127.0.0.1:{port}/sub/inner.txt");
        Assert.True(code == 0, stderr);
        Assert.Equal("inner\n", File.ReadAllText(Work("inner.txt")));

        // Percent-encoded as a browser's address bar copies it.
        (code, _, stderr) = await GetAsync($"http://127.0.0.1:{port}/%E4%B8%AD%E6%96%87.txt?ignored=1");
        Assert.True(code == 0, stderr);
        Assert.Equal("你好，世界\n", File.ReadAllText(Work("中文.txt")));

        (code, _, stderr) = await GetAsync($"http://127.0.0.1:{port}/a.txt", "--server", $"127.0.0.1:{port}");
        Assert.Equal(2, code);
        Assert.Contains("not both", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await GetAsync($"ftp://127.0.0.1:{port}/a.txt");
        Assert.Equal(2, code);
        Assert.Contains("http:// and https://", stderr, StringComparison.Ordinal);

        // https:// to a door without TLS: the handshake fails, one line, exit 1 (issue 12 made https:// a URL get takes).
        (code, _, stderr) = await GetAsync($"https://127.0.0.1:{port}/a.txt");
        Assert.Equal(1, code);
        Assert.Contains("TLS handshake failed", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dash_o_dash_writes_the_bytes_to_stdout_and_nothing_to_disk()
    {
        string sha = _tree.MakeFile("bin.dat", 3_000_000);
        await using var door = FileClients.Open(_tree.Root);
        var (code, stdout, stderr) = await GetAsync("a.txt", "--server", Server(door.LocalEndPoint), "-o", "-");
        Assert.True(code == 0, stderr);
        Assert.Equal("hello\n", stdout);
        Assert.Contains("SHA-256 verified", stderr, StringComparison.Ordinal);

        foreach (string[] raw in new[] { Array.Empty<string>(), ["--raw"] })
        {
            string command = $"dotnet '{Repo.DoorwayDll}' get bin.dat --server {Server(door.LocalEndPoint)} -o - {string.Join(' ', raw)} > '{Path.Combine(_tree.Base, "out.dat")}'";
            (code, _, stderr) = await RunningProcess.RunAsync("sh", ["-c", command], limit: TimeSpan.FromSeconds(60), workingDirectory: _work);
            Assert.True(code == 0, stderr);
            Assert.Equal(sha, TempTree.Sha256(File.ReadAllBytes(Path.Combine(_tree.Base, "out.dat"))));
        }

        Assert.Empty(Directory.GetFileSystemEntries(_work));
    }

    [Fact]
    public async Task A_directory_is_answered_with_a_clear_message()
    {
        await using var door = FileClients.Open(_tree.Root);
        string server = Server(door.LocalEndPoint);
        var (code, _, stderr) = await GetAsync("sub", "--server", server);
        Assert.Equal(1, code);
        Assert.Equal($"doorway: sub is a directory on {server}; its listing is at http://{server}/sub/", stderr.Trim());

        (code, _, stderr) = await GetAsync($"http://{server}/");
        Assert.Equal(1, code);
        Assert.Equal($"doorway: http://{server}/ is a directory; name a file in it (its listing is at http://{server}/)", stderr.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(_work));
    }
}

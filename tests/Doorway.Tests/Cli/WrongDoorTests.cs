using Doorway.Tests.Bench;
using Doorway.Tests.Files;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary>Knocking on the wrong door is a failure the user is told about, never an empty success.</summary>
public sealed class WrongDoorTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task Capitalize_against_the_file_door_is_exit_1_with_a_hint()
    {
        // The file door takes "hello" for a file name, finds none, and closes without a byte.
        await using var door = FileClients.Open(_tree.Root);
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["capitalize", "--server", door.LocalEndPoint.ToString(), "hello"]);
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Equal($"doorway: {door.LocalEndPoint}: the server closed the connection without a reply (is it the capitalize door?)\n", stderr);
    }

    [Fact]
    public async Task Piped_capitalize_against_the_file_door_is_exit_1_too()
    {
        await using var door = FileClients.Open(_tree.Root);
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["capitalize", "--server", door.LocalEndPoint.ToString()], stdin: "some lines\nof text\n");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains("without a reply (is it the capitalize door?)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_input_with_no_reply_is_still_success()
    {
        // Nothing sent, nothing due: an empty reply is the right one.
        await using var door = TestDoors.OpenCapitalize();
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["capitalize", "--server", door.LocalEndPoint.ToString()], stdin: "");
        Assert.True(code == 0, stderr);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Bench_files_says_why_replies_mismatch_status()
    {
        await using var server = new TestHttpServer([]);
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "files", "--server", $"127.0.0.1:{server.Port}", "--path", "/nothing", "--connections", "1", "--duration", "0.3", "--warmup", "0", "--json"]);
        Assert.Equal(1, code);
        Assert.Contains("first mismatch: status 404", stderr, StringComparison.Ordinal);
        Assert.StartsWith("status 404", BenchJson.Parse(stdout).GetProperty("firstMismatch").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_files_says_why_replies_mismatch_length()
    {
        await using var server = new TestHttpServer(new() { ["/six"] = "123456"u8.ToArray() });
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "files", "--server", $"127.0.0.1:{server.Port}", "--path", "/six", "--size", "7", "--connections", "1", "--duration", "0.3", "--warmup", "0"]);
        Assert.Equal(1, code);
        Assert.Contains("first mismatch: Content-Length 6, not the 7 of --size", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_tcp_says_why_replies_mismatch()
    {
        await using var door = TestDoors.OpenTcp(new WrongDoors.Echo());
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "tcp", "--server", door.LocalEndPoint.ToString(), "--connections", "1", "--duration", "0.3", "--warmup", "0"]);
        Assert.Equal(1, code);
        Assert.Contains("first mismatch: a reply that is not the upper case of the message sent", stderr, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Doorway.Capitalize;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary>The real <c>doorway capitalize</c> process in its three modes, against a door in the test.</summary>
public sealed class CapitalizeProcessTests
{
    private static readonly CapitalizeConnectionHandler Streaming = new(CapitalizeOptions.Default);

    [Fact]
    public async Task With_text_it_prints_the_reply_and_exits_0()
    {
        await using var door = TestDoors.OpenCapitalize();
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["capitalize", "--server", door.LocalEndPoint.ToString(), "hello", "straße", "ﬁ"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("HELLO STRASSE FI\n", stdout);
    }

    [Fact]
    public async Task With_text_it_works_against_a_once_server_like_the_books()
    {
        await using var door = TestDoors.OpenCapitalize(CapitalizeOptions.Default with { Once = true });
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["capitalize", "--server", door.LocalEndPoint.ToString(), "just once"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("JUST ONCE\n", stdout);
    }

    [Fact]
    public async Task Piped_stdin_is_streamed_and_the_reply_is_complete()
    {
        await using var door = TestDoors.OpenCapitalize();
        string dir = Directory.CreateTempSubdirectory("doorway-").FullName;
        try
        {
            string input = Path.Combine(dir, "in.txt");
            string output = Path.Combine(dir, "out.txt");
            string line = "streamed through a pipe: ß ΐ ﬃ привет 中文\n";
            await File.WriteAllTextAsync(input, string.Concat(Enumerable.Repeat(line, 200_000))); // ~10 MB
            var (code, _, stderr) = await RunningProcess.RunAsync("sh",
                ["-c", $"dotnet '{Repo.DoorwayDll}' capitalize --server {door.LocalEndPoint} < '{input}' > '{output}'"],
                limit: TimeSpan.FromSeconds(90));
            Assert.True(code == 0, stderr);

            string expectedLine = Encoding.UTF8.GetString(Upper(Encoding.UTF8.GetBytes(line)));
            byte[] expected = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(expectedLine, 200_000)));
            await using var actual = File.OpenRead(output);
            Assert.Equal(SHA256.HashData(expected), await SHA256.HashDataAsync(actual));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task On_a_terminal_it_prompts_like_the_book_line_after_line_on_one_connection()
    {
        await using var door = TestDoors.OpenCapitalize();
        // `script` gives the client a real terminal on stdin, as a user at a shell would have.
        var (code, stdout, stderr) = await RunningProcess.RunAsync("script",
            ["-qec", $"dotnet '{Repo.DoorwayDll}' capitalize --server {door.LocalEndPoint}", "/dev/null"],
            stdin: "first line\nsecond ß\n");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("Input lowercase sentence:", stdout);
        Assert.Contains("From Server: FIRST LINE", stdout);
        Assert.Contains("From Server: SECOND SS", stdout);
    }

    [Fact]
    public async Task A_refused_connection_is_one_line_and_exit_1()
    {
        int port = FreePort();
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["capitalize", "--server", $"127.0.0.1:{port}", "x"]);
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Equal($"doorway: 127.0.0.1:{port}: connection refused\n", stderr);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_with_exit_1()
    {
        // A listening socket that is never accepted from: the handshake completes, no reply ever comes.
        using var mute = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        mute.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        mute.Listen();
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(
            ["capitalize", "--server", mute.LocalEndPoint!.ToString()!, "--timeout", "0.5", "anyone there"]);
        Assert.Equal(1, code);
        Assert.Contains("no reply within 0.5 s", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("--server", "nowhere:99999")]
    [InlineData("--timeout", "0")]
    [InlineData("--bogus", "x")]
    public async Task Usage_errors_exit_2(string option, string value)
    {
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(["capitalize", option, value, "text"]);
        Assert.Equal(2, code);
        Assert.StartsWith("doorway: ", stderr);
    }

    [Theory]
    [InlineData]
    [InlineData("serve")]
    [InlineData("capitalize")]
    public async Task Help_is_complete_and_exits_0(params string[] command)
    {
        var (code, stdout, _) = await RunningProcess.RunDoorwayAsync([.. command, "--help"]);
        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout);
        if (command.Length == 0)
        {
            Assert.Contains("serve", stdout);
            Assert.Contains("capitalize", stdout);
        }
        else
        {
            Assert.Contains("--help", stdout);
        }
    }

    private static byte[] Upper(byte[] input)
    {
        byte[] output = new byte[UpperCaser.MaxOutputLength(input.Length)];
        return output[..UpperCaser.TransformWhole(input, output)];
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}

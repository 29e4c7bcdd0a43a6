using System.Net;
using System.Net.Sockets;
using Doorway.Tests.Support;
using Xunit;

namespace Doorway.Tests.Udp;

/// <summary>The real <c>doorway</c> process, as a user runs it: serve, capitalize --udp, ping, and the book's client.</summary>
public sealed class UdpEndToEndTests
{
    [Fact]
    public async Task ServeAnswersCapitalizePingAndTheBooksClient()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "0", "--files", "off");
        int port = await server.WaitForReadyAsync("udp");
        Assert.DoesNotContain("ready tcp", server.Stdout, StringComparison.Ordinal);

        var text = await RunningProcess.RunDoorwayAsync(["capitalize", "--udp", "--server", $"127.0.0.1:{port}", "hello", "straße"]);
        Assert.Equal((0, "HELLO STRASSE\n"), (text.ExitCode, text.Stdout));

        var lines = await RunningProcess.RunDoorwayAsync(["capitalize", "--udp", "--server", $"[::1]:{port}"], "first\n\nsecond ﬁ\n");
        Assert.Equal((0, "FIRST\n\nSECOND FI\n"), (lines.ExitCode, lines.Stdout));

        var ping = await RunningProcess.RunDoorwayAsync(["ping", "--server", $"127.0.0.1:{port}", "--count", "3", "--interval", "0.05"]);
        Assert.Equal(0, ping.ExitCode);
        Assert.Contains("seq=3 time=", ping.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 datagrams transmitted, 3 received, 0% packet loss", ping.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms", ping.Stdout);

        foreach (string host in new[] { "127.0.0.1", "::1" })
        {
            var book = await RunningProcess.RunAsync("python3", [Repo.Client("udp_book_client.py"), host, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "hello from python"]);
            Assert.Equal((0, "HELLO FROM PYTHON\n"), (book.ExitCode, book.Stdout));
        }

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains("udp door closed: 9 datagrams received, 9 answered", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBooksPromptOnATerminal()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "0", "--files", "off", "--bind", "127.0.0.1");
        int port = await server.WaitForReadyAsync("udp");
        string command = $"dotnet '{Repo.DoorwayDll}' capitalize --udp --server 127.0.0.1:{port}";
        // script(1) gives the client a terminal, so it prompts like the book's client.
        var run = await RunningProcess.RunAsync("script", ["-qec", command, "/dev/null"], "hello\nworld\n");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Input lowercase sentence:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("From Server: HELLO", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("From Server: WORLD", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoReplySaysSoAndFails()
    {
        // A socket that receives and never answers: no ICMP error either, only silence.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)silent.LocalEndPoint!).Port;

        var capitalize = await RunningProcess.RunDoorwayAsync(["capitalize", "--udp", "--server", $"127.0.0.1:{port}", "--timeout", "0.2", "--retries", "1", "anyone?"]);
        Assert.Equal(1, capitalize.ExitCode);
        Assert.Equal("", capitalize.Stdout);
        Assert.Equal($"doorway: no reply from 127.0.0.1:{port} (2 tries, 0.2 s each)\n", capitalize.Stderr);
        Assert.Equal(2, silent.Available > 0 ? CountDatagrams(silent) : 0);

        var tooLong = await RunningProcess.RunDoorwayAsync(["capitalize", "--udp", "--server", $"127.0.0.1:{port}", new string('a', 65_508)]);
        Assert.Equal(1, tooLong.ExitCode);
        Assert.Equal($"doorway: the text is 65508 bytes; one datagram to 127.0.0.1:{port} carries at most 65507\n", tooLong.Stderr);

        var ping = await RunningProcess.RunDoorwayAsync(["ping", "--server", $"127.0.0.1:{port}", "--count", "2", "--interval", "0.05", "--timeout", "0.1"]);
        Assert.Equal(1, ping.ExitCode);
        Assert.Contains("no answer yet for seq=1", ping.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 datagrams transmitted, 0 received, 100% packet loss", ping.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATakenPortIsAClearError()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        var serve = await RunningProcess.RunDoorwayAsync(["serve", "--tcp", "off", "--files", "off", "--udp", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1"]);
        Assert.Equal(1, serve.ExitCode);
        Assert.Contains($"cannot open the udp door on 127.0.0.1:{port}: address already in use", serve.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpStatesBothTimeoutDefaultsAndRetriesNeedUdp()
    {
        var help = await RunningProcess.RunDoorwayAsync(["capitalize", "--help"]);
        Assert.Contains("[default: 10 over TCP, 1 with --udp]", help.Stdout, StringComparison.Ordinal);

        var misuse = await RunningProcess.RunDoorwayAsync(["capitalize", "--retries", "2", "text"]);
        Assert.Equal(2, misuse.ExitCode);
        Assert.Contains("--retries applies to --udp only", misuse.Stderr, StringComparison.Ordinal);
    }

    private static int CountDatagrams(Socket socket)
    {
        byte[] buffer = new byte[2048];
        int count = 0;
        while (socket.Available > 0)
        {
            socket.Receive(buffer);
            count++;
        }

        return count;
    }
}

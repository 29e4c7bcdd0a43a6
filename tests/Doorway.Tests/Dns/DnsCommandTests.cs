using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Doorway.Dns;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Dns;

/// <summary><c>doorway dns</c> as a user runs it, and the scripted hierarchy of docs/dns.md.</summary>
public sealed class DnsCommandTests
{
    private static string S(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static DnsDoor OpenAuthority()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, 0);
        var door = DnsDoor.BindAuthority(UdpDoorOptions.Default with { EndPoint = endPoint }, WelcomeDoorOptions.Default with { EndPoint = endPoint },
            DnsTestQueries.Authority(), DnsOptions.Default, NullLogger.Instance);
        door.Start();
        return door;
    }

    [Fact]
    public async Task PrintsTheReplyAsDigDoes()
    {
        await using var door = OpenAuthority();
        string server = $"127.0.0.1:{door.LocalEndPoint.Port}";
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["dns", "www.example.test", "A", "--server", server]);
        Assert.True(code == 0, stderr);
        Assert.Contains("status: NOERROR", stdout);
        Assert.Contains("flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1", stdout);
        Assert.Contains(";; ANSWER SECTION:\nwww.example.test.\t3600\tIN\tA\t192.0.2.80", stdout);
        Assert.Contains($";; SERVER: 127.0.0.1#{door.LocalEndPoint.Port}(127.0.0.1) (UDP)", stdout);
        Assert.Matches(@";; Query time: \d+ msec", stdout);

        (code, stdout, _) = await RunningProcess.RunDoorwayAsync(["dns", "big.example.test", "TXT", "--server", server, "--tcp"]);
        Assert.Equal(0, code);
        Assert.Contains("ANSWER: 20,", stdout);
        Assert.Contains("(TCP)", stdout);

        (code, stdout, _) = await RunningProcess.RunDoorwayAsync(["dns", "nope.example.test", "MX", "--server", server]);
        Assert.Equal(0, code);
        Assert.Contains("status: NXDOMAIN", stdout);
        Assert.Contains(";; AUTHORITY SECTION:\nexample.test.\t300\tIN\tSOA\tns.example.test. hostmaster.example.test. 1 7200 900 1209600 300", stdout);
    }

    [Fact]
    public async Task SaysWhichServerFailedAndExits1()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)silent.LocalEndPoint!).Port;
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["dns", "www.example.test", "--server", $"127.0.0.1:{port}", "--timeout", "0.5"]);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal($"doorway: no answer from 127.0.0.1#{port} within 0.5 s", stderr.Trim());

    }

    [Fact]
    public async Task ServfailExits1NamingTheServer()
    {
        int port = DnsHierarchy.FreePort("127.0.0.");
        await using var failing = new FakeDnsServer(new IPEndPoint(IPAddress.Loopback, port), query => [FakeDnsServer.Reply(query, (ushort)DnsRcode.ServFail, 0, 0, [])]);
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["dns", "www.example.test", "--server", $"127.0.0.1:{port}"]);
        Assert.Equal(1, code);
        Assert.Contains("status: SERVFAIL", stdout);
        Assert.Equal($"doorway: 127.0.0.1#{port} answered SERVFAIL for www.example.test. A", stderr.Trim());
    }

    [Fact]
    public async Task TheScriptedHierarchyWalksFromRootToAnswer()
    {
        int port = DnsHierarchy.FreePort("127.0.0.");
        await using var script = RunningProcess.Start("bash", [Path.Combine(Repo.Root, "scripts", "dns-hierarchy.sh"), S(port)], Repo.Root,
            new Dictionary<string, string> { ["DOORWAY"] = $"dotnet {Repo.DoorwayDll}" });
        var resolver = new IPEndPoint(IPAddress.Loopback, port);
        // The resolver is often ready before the servers it asks: wait for all four (three
        // authoritative doors and the resolver) rather than for its answers to turn good.
        for (int i = 0; i < 4; i++)
        {
            await script.WaitForLineAsync("ready ");
        }

        await Deadline.UntilAsync(async () => (await DnsExchange.AskAsync(resolver, DnsName.Parse("www.example.test."), DnsType.A, true, false, TimeSpan.FromMilliseconds(500), CancellationToken.None)) is { Message.Answers.Count: 1 },
            $"the scripted hierarchy to answer: {script.Stderr}");

        var (code, dig, _) = await RunningProcess.RunAsync("dig", ["@127.0.0.1", "-p", S(port), "+time=5", "+tries=1", "www.example.test"]);
        Assert.Equal(0, code);
        Assert.Contains("flags: qr rd ra;", dig);
        Assert.Matches(@"www\.example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.80", dig);

        var (traced, trace, stderr) = await RunningProcess.RunDoorwayAsync(["dns", "www.example.test", "--server", $"127.0.0.1:{port}", "--trace"]);
        Assert.True(traced == 0, stderr);
        Assert.Matches($@"\.\s+86400\s+IN\s+NS\s+a\.root-servers\.test\.\n;; Received \d+ bytes from 127\.0\.0\.1#{port}", trace);
        Assert.Matches($@"test\.\s+86400\s+IN\s+NS\s+ns\.tld\.test\.\n;; Received \d+ bytes from 127\.0\.0\.2#{port}\(a\.root-servers\.test\)", trace);
        Assert.Matches($@"example\.test\.\s+86400\s+IN\s+NS\s+ns\.example\.test\.\n;; Received \d+ bytes from 127\.0\.0\.3#{port}\(ns\.tld\.test\)", trace);
        Assert.Matches($@"www\.example\.test\.\s+3600\s+IN\s+A\s+192\.0\.2\.80\n;; Received \d+ bytes from 127\.0\.0\.4#{port}\(ns\.example\.test\)", trace);
    }

    [Fact]
    public async Task AnIdleTcpConnectionIsClosedAfterTheFlagsTimeout()
    {
        string directory = Directory.CreateTempSubdirectory("doorway-dns-idle-").FullName;
        try
        {
            string zone = DnsTestZone.Write(directory);
            await using var serve = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "off", "--bind", "127.0.0.1", "--dns", "0", "--zone", zone, "--dns-tcp-idle-timeout", "1");
            int port = await serve.WaitForReadyAsync("dns");
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            var stream = client.GetStream();
            byte[] query = DnsTestQueries.Make("www.example.test.", DnsType.A);
            byte[] framed = [(byte)(query.Length >> 8), (byte)query.Length, .. query];
            byte[] buffer = new byte[1024];
            for (int i = 0; i < 2; i++)
            {
                await stream.WriteAsync(framed);
                int n = await stream.ReadAtLeastAsync(buffer, 14).AsTask().WithDeadline();
                Assert.True(n >= 14 && buffer[2] == 0x12 && buffer[3] == 0x34, "an answer to the query");
            }

            var quiet = System.Diagnostics.Stopwatch.StartNew();
            int end = await stream.ReadAsync(buffer).AsTask().WithDeadline(TimeSpan.FromSeconds(10));
            Assert.Equal(0, end);
            Assert.InRange(quiet.Elapsed.TotalSeconds, 0.8, 6);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

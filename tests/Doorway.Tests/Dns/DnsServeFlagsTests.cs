using System.Net;
using System.Net.Sockets;
using Doorway.Dns;
using Doorway.Tests.Support;

namespace Doorway.Tests.Dns;

/// <summary>The DNS doors' limits through serve's own flags: the resolver's allow list, the rate limit, bad values refused.</summary>
public sealed class DnsServeFlagsTests
{
    [Fact]
    public async Task TheResolverAnswersOnlyItsAllowListAndSaysSo()
    {
        string hints = Path.Combine(Repo.Root, "examples", "dns", "hints.zone");
        await using var serve = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "off", "--bind", "127.0.0.1",
            "--resolver", "0", "--root-hints", hints, "--resolver-allow", "10.0.0.0/8");
        int port = await serve.WaitForReadyAsync("resolver");
        var reply = await DnsExchange.AskAsync(new IPEndPoint(IPAddress.Loopback, port), DnsName.Parse("www.example.test."), DnsType.A, true, false, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(DnsRcode.Refused, reply!.Message.Rcode);
        Assert.Equal(0x0080, reply.Message.Flags & 0x0080);
    }

    [Fact]
    public async Task TheRateLimitFlagHoldsALoopbackSourceWhenAskedTo()
    {
        string directory = Directory.CreateTempSubdirectory("doorway-dns-rrl-").FullName;
        try
        {
            await using var serve = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "off", "--bind", "127.0.0.1",
                "--dns", "0", "--zone", DnsTestZone.Write(directory), "--dns-rate-limit", "5", "--dns-rate-limit-loopback");
            int port = await serve.WaitForReadyAsync("dns");
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.Connect(new IPEndPoint(IPAddress.Loopback, port));
            const int Sent = 60;
            for (int i = 0; i < Sent; i++)
            {
                client.Send(DnsTestQueries.Make("www.example.test.", DnsType.A, id: (ushort)i));
            }

            int whole = 0;
            byte[] reply = new byte[2048];
            while (await Task.Run(() => client.Poll(500_000, SelectMode.SelectRead)))
            {
                int n = client.Receive(reply);
                if ((reply[2] & 0x02) == 0 && DnsTestQueries.Count(reply.AsSpan(0, n), 1) == 1)
                {
                    whole++;
                }
            }

            // The burst of 5, and a few more refilled while the queries went out (5 a second).
            Assert.InRange(whole, 5, 15);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--resolver", "0" }, "--resolver needs --root-hints FILE")]
    [InlineData(new[] { "--dns", "0" }, "--dns needs at least one --zone FILE")]
    [InlineData(new[] { "--dns", "0", "--zone", "examples/dns/example.test.zone", "--zone", "examples/dns/example.test.zone" }, "the zone example.test. is given twice")]
    public async Task BadSettingsStopServeWithOneLine(string[] flags, string message)
    {
        string[] args = ["serve", "--tcp", "off", "--udp", "off", "--files", "off", "--bind", "127.0.0.1", .. flags.Select(f => f.StartsWith("examples/", StringComparison.Ordinal) ? Path.Combine(Repo.Root, f) : f)];
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(args);
        Assert.Equal(1, code);
        Assert.DoesNotContain("ready", stdout);
        Assert.Contains(message, stderr);
    }
}

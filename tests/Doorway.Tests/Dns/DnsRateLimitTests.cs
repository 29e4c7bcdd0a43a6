using System.Net;
using System.Net.Sockets;
using Doorway.Dns;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Dns;

/// <summary>Response rate limiting per source (--dns-rate-limit): past the rate most answers are dropped, every slip-th goes out truncated.</summary>
public sealed class DnsRateLimitTests
{
    [Fact]
    public async Task ASourcePastTheRateGetsTruncatedAnswersOrNone()
    {
        var options = DnsOptions.Default with { RateLimit = 10, RateLimitSlip = 2, RateLimitLoopback = true };
        await using var door = DnsDoor.BindAuthority(UdpDoorOptions.Default with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) },
            WelcomeDoorOptions.Default with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, DnsTestQueries.Authority(), options, NullLogger.Instance);
        door.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 300 };
        client.Connect(new IPEndPoint(IPAddress.Loopback, door.LocalEndPoint.Port));
        const int Sent = 100;
        byte[] reply = new byte[4096];
        int whole = 0;
        int truncated = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < Sent; i++)
        {
            client.Send(DnsTestQueries.Make("www.example.test.", DnsType.A, id: (ushort)i));
        }

        await Deadline.UntilAsync(() => door.Udp.Received >= Sent, "the door to receive every query");
        while (client.Available > 0 || await Task.Run(() => client.Poll(200_000, SelectMode.SelectRead)))
        {
            int n = client.Receive(reply);
            if ((reply[2] & 0x02) != 0)
            {
                Assert.Equal(0, DnsTestQueries.Count(reply.AsSpan(0, n), 1));
                truncated++;
            }
            else
            {
                whole++;
            }
        }

        // The burst (10) and what the bucket refilled while the queries were sent (10 a second).
        int allowed = 10 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds * 10);
        Assert.InRange(whole, 10, allowed);
        // Every second response over the limit slips out truncated, so a real client can retry over TCP.
        Assert.InRange(truncated, ((Sent - allowed) / 2) - 1, ((Sent - 10) / 2) + 1);
        Assert.Equal(Sent, whole + truncated + (int)door.Udp.Unanswered);

        // Over TCP the same source is answered: a forged source cannot get there.
        var (code, stdout, _) = await RunningProcess.RunAsync("dig", ["@127.0.0.1", "-p", door.LocalEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+tcp", "+short", "+time=5", "+tries=1", "www.example.test", "A"]);
        Assert.Equal(0, code);
        Assert.Equal("192.0.2.80", stdout.Trim());
    }

    [Fact]
    public async Task LoopbackIsExemptByDefault()
    {
        await using var door = DnsDoor.BindAuthority(UdpDoorOptions.Default with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) },
            WelcomeDoorOptions.Default with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, DnsTestQueries.Authority(), DnsOptions.Default with { RateLimit = 1 }, NullLogger.Instance);
        door.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5_000 };
        client.Connect(new IPEndPoint(IPAddress.Loopback, door.LocalEndPoint.Port));
        byte[] reply = new byte[4096];
        for (int i = 0; i < 50; i++)
        {
            client.Send(DnsTestQueries.Make("www.example.test.", DnsType.A, id: (ushort)i));
            int n = client.Receive(reply);
            Assert.Equal(1, DnsTestQueries.Count(reply.AsSpan(0, n), 1));
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Doorway.Dns;
using Doorway.Tests.Support;
using Doorway.Tests.Udp;
using Doorway.Transport;

namespace Doorway.Tests.Dns;

/// <summary>The authoritative door's UDP path allocates nothing per answered query (issue 14), rate limited or not.</summary>
[Collection(HeavyTests.Name)]
public sealed class DnsAllocationTests
{
    private const int WarmUp = 2_000;
    private const int Measured = 10_000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnsweringQueriesAllocatesNothing(bool rateLimited)
    {
        var authority = DnsTestQueries.Authority();
        IDatagramHandler inner = rateLimited
            ? new RateLimitedDnsHandler(authority, ReplyBudget.Create("dns", UdpDoorOptions.Default with { ReplyBytesPerSecondPerSource = 1 << 30, ReplyBurstBytesPerSource = 1 << 30, LimitLoopback = true }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)!, 2)
            : new DnsDatagramHandler(authority);
        var handler = new Doorway.Tests.Udp.AllocationCountingHandler(inner);
        await using var door = UdpTestDoors.Open(handler, options: UdpDoorOptions.Default with { Receivers = 2 });
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5_000 };
        client.Connect(new IPEndPoint(IPAddress.Loopback, door.LocalEndPoint.Port));
        // An answer, a chain, a referral, NXDOMAIN, NODATA with EDNS, MX with additional, 0x20 letters.
        byte[][] queries =
        [
            DnsTestQueries.Make("www.example.test.", DnsType.A),
            DnsTestQueries.Make("FiLeS.example.test.", DnsType.A, ednsSize: 1232),
            DnsTestQueries.Make("x.sub.example.test.", DnsType.AAAA),
            DnsTestQueries.Make("missing.example.test.", DnsType.A),
            DnsTestQueries.Make("www.example.test.", DnsType.MX, ednsSize: 4096),
            DnsTestQueries.Make("example.test.", DnsType.MX),
            DnsTestQueries.Make("big.example.test.", DnsType.TXT),
        ];
        int[] rcodes = [0, 0, 0, 3, 0, 0, 0];
        byte[] reply = new byte[65535];
        await Task.Run(() =>
        {
            RoundTrips(client, queries, rcodes, reply, WarmUp);
            handler.Measuring = true;
            RoundTrips(client, queries, rcodes, reply, Measured);
            handler.Measuring = false;
        }).WithDeadline();

        Assert.Equal(Measured, handler.Measured);
        Assert.True(handler.Allocated < 1024, $"the receivers allocated {handler.Allocated} bytes over {Measured} queries");
    }

    private static void RoundTrips(Socket client, byte[][] queries, int[] rcodes, byte[] reply, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int which = i % queries.Length;
            client.Send(queries[which]);
            int received = client.Receive(reply);
            if (received < 12 || DnsTestQueries.Rcode(reply) != rcodes[which] || reply[0] != 0x12)
            {
                throw new InvalidOperationException($"unexpected reply of {received} bytes to query {which}");
            }
        }
    }
}

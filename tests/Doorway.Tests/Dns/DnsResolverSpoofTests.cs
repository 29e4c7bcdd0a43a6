using System.Net;
using Doorway.Dns;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Dns;

/// <summary>Replies that do not answer the question asked, and records outside a server's zone, never reach the cache.</summary>
public sealed class DnsResolverSpoofTests
{
    [Fact]
    public async Task StraysForgeriesAndOutOfBailiwickRecordsAreIgnored()
    {
        await using var hierarchy = DnsHierarchy.Create();
        var root = new IPEndPoint(hierarchy.Address(2), hierarchy.Port);
        var child = new IPEndPoint(hierarchy.Address(4), hierarchy.Port);
        // The root refers example.test. to the child server, and tries to plant an address for a name outside its referral.
        await using var fakeRoot = new FakeDnsServer(root, query =>
        [
            FakeDnsServer.Reply(query, 0, 0, 1, [FakeDnsServer.NS("example.test.", "ns.example.test."), FakeDnsServer.A("ns.example.test.", child.Address.ToString())]),
        ]);
        // The child sends a stray with another ID, then one for another question, then the answer,
        // with an extra record for a name in another zone.
        await using var fakeChild = new FakeDnsServer(child, query =>
        [
            FakeDnsServer.Reply(query, 0x0400, 1, 0, [FakeDnsServer.A("www.example.test.", "6.6.6.6")], id: (ushort)(DnsMessage.Parse(query)!.Id ^ 0x5555)),
            FakeDnsServer.Reply(query, 0x0400, 1, 0, [FakeDnsServer.A("evil.example.test.", "6.6.6.7")], questionName: "evil.example.test."),
            FakeDnsServer.Reply(query, 0x0400, 2, 0, [FakeDnsServer.A("www.example.test.", "192.0.2.80"), FakeDnsServer.A("www.victim.test.", "6.6.6.8")]),
        ]);
        await using var door = ResolverDoor.Bind(new IPEndPoint(hierarchy.Address(1), 0), WelcomeDoorOptions.Default, hierarchy.Hints,
            ResolverOptions.Default with { UpstreamPort = hierarchy.Port }, DnsOptions.Default, NullLogger.Instance);
        door.Start();
        long ignored = DnsExchange.Ignored;

        var reply = (await DnsExchange.AskAsync(door.LocalEndPoint, DnsName.Parse("www.example.test."), DnsType.A, true, false, TimeSpan.FromSeconds(10), CancellationToken.None))!.Message;

        Assert.Equal("192.0.2.80", Assert.Single(reply.Answers).Data.Format(DnsType.A));
        Assert.True(DnsExchange.Ignored - ignored >= 2, $"{DnsExchange.Ignored - ignored} replies ignored");
        Assert.Null(door.Resolver.Cache.Find(DnsName.Parse("www.victim.test."), DnsType.A));
        Assert.Null(door.Resolver.Cache.Find(DnsName.Parse("evil.example.test."), DnsType.A));
        Assert.Equal("192.0.2.80", Assert.Single(door.Resolver.Cache.Find(DnsName.Parse("www.example.test."), DnsType.A)!.Records).Data.Format(DnsType.A));
        Assert.Equal((1, 1), (fakeRoot.Queries, fakeChild.Queries));
    }
}

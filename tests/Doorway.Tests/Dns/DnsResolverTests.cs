using System.Net;
using Doorway.Dns;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Dns;

/// <summary>The recursive resolver door over the book's hierarchy: the walk, the cache, the budgets, the allow list.</summary>
public sealed class DnsResolverTests
{
    private static ResolverDoor OpenResolver(DnsHierarchy hierarchy, ResolverOptions? options = null, RootHints? hints = null)
    {
        var door = ResolverDoor.Bind(new IPEndPoint(hierarchy.Address(1), 0), WelcomeDoorOptions.Default, hints ?? hierarchy.Hints,
            (options ?? ResolverOptions.Default) with { UpstreamPort = hierarchy.Port }, DnsOptions.Default, NullLogger.Instance);
        door.Start();
        return door;
    }

    private static Task<DnsExchange.Result?> AskAsync(ResolverDoor door, string name, DnsType type, bool tcp = false, double seconds = 10) =>
        DnsExchange.AskAsync(door.LocalEndPoint, DnsName.Parse(name), type, true, tcp, TimeSpan.FromSeconds(seconds), CancellationToken.None);

    [Fact]
    public async Task WalksFromTheRootAndCachesWhatItLearns()
    {
        await using var hierarchy = DnsHierarchy.Create();
        hierarchy.StartDoorway();
        await using var door = OpenResolver(hierarchy);

        var first = (await AskAsync(door, "www.example.test.", DnsType.A))!.Message;
        Assert.Equal(DnsRcode.NoError, first.Rcode);
        Assert.Equal(0x0080, first.Flags & 0x0080);
        Assert.Equal("192.0.2.80", Assert.Single(first.Answers).Data.Format(DnsType.A));
        // Root, TLD, authoritative: one query each.
        Assert.Equal(3, door.Resolver.UpstreamQueries);

        var again = (await AskAsync(door, "www.example.test.", DnsType.A))!.Message;
        Assert.Equal("192.0.2.80", Assert.Single(again.Answers).Data.Format(DnsType.A));
        Assert.Equal(3, door.Resolver.UpstreamQueries);

        // A sibling name: the delegation is cached, so only the authoritative server is asked.
        var chain = (await AskAsync(door, "files.example.test.", DnsType.A))!.Message;
        Assert.Equal(["CNAME", "CNAME", "A"], chain.Answers.Select(r => r.Type.ToString()));
        Assert.Equal(4, door.Resolver.UpstreamQueries);

        // Over TCP, the same answer from the cache.
        var tcp = (await AskAsync(door, "www.example.test.", DnsType.A, tcp: true))!;
        Assert.True(tcp.OverTcp);
        Assert.Equal("192.0.2.80", Assert.Single(tcp.Message.Answers).Data.Format(DnsType.A));
        Assert.Equal(4, door.Resolver.UpstreamQueries);
    }

    [Fact]
    public async Task TtlsCountDownAndNegativeAnswersAreCached()
    {
        await using var hierarchy = DnsHierarchy.Create();
        hierarchy.StartDoorway();
        await using var door = OpenResolver(hierarchy);

        var nx = (await AskAsync(door, "missing.example.test.", DnsType.A))!.Message;
        Assert.Equal(DnsRcode.NxDomain, nx.Rcode);
        Assert.Equal(300u, Assert.Single(nx.Authority).Ttl);
        long upstream = door.Resolver.UpstreamQueries;
        var nodata = (await AskAsync(door, "mail.example.test.", DnsType.AAAA))!.Message;
        Assert.Equal((DnsRcode.NoError, 0), (nodata.Rcode, nodata.Answers.Count));
        Assert.Equal(DnsType.SOA, Assert.Single(nodata.Authority).Type);
        Assert.Equal(upstream + 1, door.Resolver.UpstreamQueries);
        upstream = door.Resolver.UpstreamQueries;

        var nxAgain = (await AskAsync(door, "missing.example.test.", DnsType.A))!.Message;
        var nodataAgain = (await AskAsync(door, "mail.example.test.", DnsType.AAAA))!.Message;
        Assert.Equal(DnsRcode.NxDomain, nxAgain.Rcode);
        Assert.Equal((DnsRcode.NoError, 0), (nodataAgain.Rcode, nodataAgain.Answers.Count));
        Assert.Equal(upstream, door.Resolver.UpstreamQueries);

        uint ttl = (await AskAsync(door, "motd.example.test.", DnsType.TXT))!.Message.Answers[0].Ttl;
        Assert.Equal(300u, ttl);
        await Deadline.UntilAsync(async () => (await AskAsync(door, "motd.example.test.", DnsType.TXT))!.Message.Answers[0].Ttl < ttl, "the cached TTL to count down");
    }

    [Fact]
    public async Task ATimedOutServerIsPassedOverForTheNext()
    {
        await using var hierarchy = DnsHierarchy.Create();
        hierarchy.StartDoorway();
        // A root server that receives and never answers, listed first.
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new IPEndPoint(hierarchy.Address(5), hierarchy.Port));
        var hints = RootHints.Parse($"$TTL 3600\n. NS silent.root.\n. NS a.root-servers.test.\nsilent.root. A {hierarchy.Address(5)}\na.root-servers.test. A {hierarchy.Address(2)}\n", "hints");
        await using var door = OpenResolver(hierarchy, ResolverOptions.Default with { UpstreamTimeout = TimeSpan.FromMilliseconds(300) }, hints);

        var reply = (await AskAsync(door, "www.example.test.", DnsType.A))!.Message;
        Assert.Equal("192.0.2.80", Assert.Single(reply.Answers).Data.Format(DnsType.A));
        Assert.Equal(4, door.Resolver.UpstreamQueries);
        Assert.True(silent.Available > 0, "the silent server was asked first");
    }

    [Fact]
    public async Task TheBudgetAndTheAllowListHold()
    {
        await using var hierarchy = DnsHierarchy.Create();
        hierarchy.StartDoorway();
        await using (var tight = OpenResolver(hierarchy, ResolverOptions.Default with { MaxUpstreamQueries = 2 }))
        {
            var reply = (await AskAsync(tight, "www.example.test.", DnsType.A))!.Message;
            Assert.Equal(DnsRcode.ServFail, reply.Rcode);
            Assert.Equal(2, tight.Resolver.UpstreamQueries);
        }

        await using var closed = OpenResolver(hierarchy, ResolverOptions.Default with { Allow = [IPNetwork.Parse("10.0.0.0/8")] });
        var refused = (await AskAsync(closed, "www.example.test.", DnsType.A))!.Message;
        Assert.Equal(DnsRcode.Refused, refused.Rcode);
        Assert.Equal(0, closed.Resolver.UpstreamQueries);
    }

    [Fact]
    public async Task PastTheConcurrencyLimitAQueryGetsServfailAtOnce()
    {
        await using var hierarchy = DnsHierarchy.Create();
        // The only root server never answers: the first query waits out its timeout.
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        silent.Bind(new IPEndPoint(hierarchy.Address(2), hierarchy.Port));
        await using var door = OpenResolver(hierarchy, ResolverOptions.Default with { MaxConcurrentQueries = 1, UpstreamTimeout = TimeSpan.FromSeconds(3) });
        // Its answer comes after the 3 s upstream timeout; a clean CI run under load once waited more
        // than 10 s for it (unexplained), so the client gives it 30 s: a resolver that never answers still fails.
        var waiting = AskAsync(door, "www.example.test.", DnsType.A, seconds: 30);
        await Deadline.UntilAsync(() => silent.Available > 0, "the first query to reach the silent root");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = (await AskAsync(door, "ftp.example.test.", DnsType.A))!.Message;
        Assert.Equal(DnsRcode.ServFail, refused.Rcode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"SERVFAIL after {clock.Elapsed}");
        Assert.False(waiting.IsCompleted);
        Assert.Equal(DnsRcode.ServFail, (await waiting)!.Message.Rcode);
    }
}

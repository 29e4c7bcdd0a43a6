using Doorway.Dns;

namespace Doorway.Tests.Dns;

/// <summary>The resolver's cache on a clock the test sets: TTLs, negative answers, the entry limit.</summary>
public sealed class DnsCacheTests
{
    private long _now = 1_000_000;

    private static DnsRecord A(string owner, uint ttl) => new(DnsName.Parse(owner), DnsType.A, 1, ttl, new DnsRdata([192, 0, 2, 1]));

    [Fact]
    public void EntriesExpireWithTheirTtlAndCountDown()
    {
        var cache = new DnsCache(100, () => _now);
        cache.AddRecords(DnsName.Parse("a.test."), DnsType.A, [A("a.test.", 60), A("a.test.", 30)], TimeSpan.FromDays(1));
        Assert.Equal(30u, cache.Find(DnsName.Parse("A.TEST."), DnsType.A)!.Records[0].Ttl);
        _now += 10_500;
        Assert.Equal(20u, cache.Find(DnsName.Parse("a.test."), DnsType.A)!.Records[1].Ttl);
        _now += 20_000;
        Assert.Null(cache.Find(DnsName.Parse("a.test."), DnsType.A));
        Assert.Null(cache.Find(DnsName.Parse("a.test."), DnsType.AAAA));
    }

    [Fact]
    public void NegativeAnswersLiveTheSoaMinimumCapped()
    {
        var cache = new DnsCache(100, () => _now);
        byte[] numbers = new byte[20];
        numbers[19] = 200; // MINIMUM 200 s
        var soa = new DnsRecord(DnsName.Parse("test."), DnsType.SOA, 1, 3600, new DnsRdata([], [DnsName.Parse("ns.test."), DnsName.Parse("h.test.")], numbers, compress: true));
        cache.AddNegative(DnsName.Parse("x.test."), DnsType.A, DnsRcode.NxDomain, soa, TimeSpan.FromHours(3));
        var hit = cache.Find(DnsName.Parse("x.test."), DnsType.A)!;
        Assert.Equal((DnsRcode.NxDomain, 0, 200u), (hit.Rcode, hit.Records.Count, hit.Soa!.Ttl));
        cache.AddNegative(DnsName.Parse("y.test."), DnsType.A, DnsRcode.NoError, soa, TimeSpan.FromSeconds(50));
        Assert.Equal(50u, cache.Find(DnsName.Parse("y.test."), DnsType.A)!.Soa!.Ttl);
        _now += 200_001;
        Assert.Null(cache.Find(DnsName.Parse("x.test."), DnsType.A));
    }

    [Fact]
    public void TheCacheNeverHoldsMoreThanItsLimit()
    {
        var cache = new DnsCache(50, () => _now);
        for (int i = 0; i < 1_000; i++)
        {
            cache.AddRecords(DnsName.Parse($"n{i}.test."), DnsType.A, [A($"n{i}.test.", 300)], TimeSpan.FromDays(1));
            Assert.True(cache.Count <= 50);
        }

        Assert.Equal(50, cache.Count);
        // The newest stay, the oldest went.
        Assert.NotNull(cache.Find(DnsName.Parse("n999.test."), DnsType.A));
        Assert.Null(cache.Find(DnsName.Parse("n0.test."), DnsType.A));
    }
}

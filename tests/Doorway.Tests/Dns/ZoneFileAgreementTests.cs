using Doorway.Dns;
using Doorway.Tests.Support;

namespace Doorway.Tests.Dns;

/// <summary>named-checkzone (BIND) and Doorway agree on which zone files are valid; Doorway's refusal names the line.</summary>
public sealed class ZoneFileAgreementTests : IDisposable
{
    private const string Head = "$ORIGIN z.test.\n$TTL 300\n@ SOA ns hostmaster 1 7200 900 1209600 300\n  NS ns\nns A 192.0.2.1\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("doorway-zones-").FullName;

    public static TheoryData<string, string, int> Invalid => new()
    {
        // name, zone text, the line Doorway must name
        { "bad-ipv4", Head + "www A 192.0.2.300\n", 6 },
        { "bad-ipv6", Head + "www AAAA 2001:db8::g\n", 6 },
        { "no-soa", "$ORIGIN z.test.\n$TTL 300\n@ NS ns\nns A 192.0.2.1\n", 3 },
        { "cname-and-other-data", Head + "www CNAME ns\nwww A 192.0.2.2\n", 7 },
        { "two-cnames", Head + "www CNAME ns\nwww CNAME mail\nmail A 192.0.2.3\n", 7 },
        { "paren-not-closed", Head + "www TXT ( \"a\"\n", 6 },
        { "paren-not-opened", Head + "www A 192.0.2.2 )\n", 6 },
        { "label-too-long", Head + new string('a', 64) + " A 192.0.2.2\n", 6 },
        { "unknown-type", Head + "www FOO 1\n", 6 },
        { "ns-without-address", Head + "@ NS ns2\n", 6 },
        { "mx-bad-preference", Head + "@ MX ten mail\nmail A 192.0.2.3\n", 6 },
        { "no-ns-at-top", "$ORIGIN z.test.\n$TTL 300\n@ SOA ns hostmaster 1 7200 900 1209600 300\nns A 192.0.2.1\n", 3 },
        { "quote-not-closed", Head + "www TXT \"open\n", 6 },
        { "second-soa", Head + "@ SOA ns2 hostmaster 2 7200 900 1209600 300\n", 6 },
        { "srv-missing-field", Head + "_x._tcp SRV 0 5 www\n", 6 },
        { "txt-string-too-long", Head + "www TXT \"" + new string('x', 256) + "\"\n", 6 },
        { "bad-ttl", Head + "www 5x A 192.0.2.2\n", 6 },
    };

    public static TheoryData<string, string> Valid => new()
    {
        { "test-zone", DnsTestZone.Text },
        { "parentheses-comments-units", "$ORIGIN z.test.\n$TTL 1h30m\n@ IN SOA ( ns ; the primary\n  hostmaster.z.test. ; who to mail\n  1 2h 15m 1w 5m )\n\tNS ns ; same owner\nns 60 IN A 192.0.2.1\nns IN 60 AAAA 2001:db8::1\n" },
        { "txt-escapes", Head + "t TXT \"a \\\"quoted\\\" word\" \\065BC \"semi;colon\" \"\\255\"\n" },
        { "absolute-and-relative", Head + "www.z.test. A 192.0.2.2\nmail A 192.0.2.3\n@ MX 10 mail\n@ MX 20 mail.z.test.\n" },
        { "every-type", Head + "@ TXT hello\n@ CAA 128 tag \"v\"\n_s._udp SRV 1 2 3 ns\np PTR ns\nc CNAME ns\n" },
        { "generic", Head + "g TYPE65280 \\# 3 abcdef\n" },
        // A delegation without glue is only a warning to named-checkzone: the referral goes without addresses.
        { "delegation-without-glue", Head + "sub NS ns.sub\nsub NS ns2\n" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task BothRefuse(string name, string text, int line)
    {
        string path = Write(name, text);
        var (code, stdout, _) = await RunningProcess.RunAsync("named-checkzone", ["-q", "z.test", path]);
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileParser.Parse(text, path));
        Assert.True(code != 0, $"named-checkzone accepted {name}: {stdout}; Doorway said {e.Message}");
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"{path}:{line}: ", e.Message);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public async Task BothAccept(string name, string text)
    {
        string path = Write(name, text);
        var zone = ZoneFileParser.Parse(text, path);
        var (code, stdout, _) = await RunningProcess.RunAsync("named-checkzone", [zone.Origin.ToString().TrimEnd('.'), path]);
        Assert.True(code == 0, $"named-checkzone refused {name}: {stdout}");
        Assert.True(zone.NodeCount >= 2);
    }

    [Theory]
    [InlineData("root.zone", ".")]
    [InlineData("test.zone", "test.")]
    [InlineData("example.test.zone", "example.test.")]
    public async Task TheShippedZonesLoadInBoth(string file, string origin)
    {
        string path = Path.Combine(Repo.Root, "examples", "dns", file);
        var zone = ZoneFileParser.Load(path);
        Assert.Equal(origin, zone.Origin.ToString());
        var (code, stdout, _) = await RunningProcess.RunAsync("named-checkzone", [origin, path]);
        Assert.True(code == 0, stdout);
    }

    [Fact]
    public void TheParserReadsWhatTheFileSays()
    {
        var zone = ZoneFileParser.Parse(Valid.Get("parentheses-comments-units"), "t.zone");
        Assert.Equal(5400u, zone.Find(DnsName.Parse("z.test."))!.Find(DnsType.NS)!.Ttl);
        Assert.Equal("ns.z.test. hostmaster.z.test. 1 7200 900 604800 300", zone.Soa.Data[0].Format(DnsType.SOA));
        var ns = zone.Find(DnsName.Parse("NS.Z.TEST."))!;
        Assert.Equal(60u, ns.Find(DnsType.A)!.Ttl);
        Assert.Equal("2001:db8::1", ns.Find(DnsType.AAAA)!.Data[0].Format(DnsType.AAAA));

        var txt = ZoneFileParser.Parse(Valid.Get("txt-escapes"), "t.zone").Find(DnsName.Parse("t.z.test."))!.Find(DnsType.TXT)!;
        Assert.Equal("\"a \\\"quoted\\\" word\" \"ABC\" \"semi;colon\" \"\\255\"", txt.Data[0].Format(DnsType.TXT));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name + ".zone");
        File.WriteAllText(path, text);
        return path;
    }
}

file static class TheoryDataExtensions
{
    public static string Get(this TheoryData<string, string> data, string name) => (string)data.First(row => (string)row[0] == name)[1];
}

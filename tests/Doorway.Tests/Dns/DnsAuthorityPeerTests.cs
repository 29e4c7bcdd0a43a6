using Doorway.Tests.Support;

namespace Doorway.Tests.Dns;

/// <summary>The authoritative door as <c>serve</c> runs it, asked by dig, kdig and dnspython.</summary>
public sealed class DnsAuthorityPeerTests(DnsServeFixture door) : IClassFixture<DnsServeFixture>
{
    private async Task<string> DigAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunningProcess.RunAsync("dig", ["@127.0.0.1", "-p", door.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+time=5", "+tries=1", .. args]);
        Assert.True(code == 0, $"dig {string.Join(' ', args)} exited {code}: {stdout}{stderr}");
        return stdout;
    }

    [Fact]
    public async Task DnspythonFindsEveryRecordTypeReferralNegativeAnswerAndTruncation()
    {
        var (code, stdout, stderr) = await RunningProcess.RunAsync("/usr/bin/python3", [Repo.Client("dns_authority_check.py"), "127.0.0.1", door.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], limit: TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"dnspython checks failed ({code}):\n{stdout}\n{stderr}");
        Assert.Contains("all 44 checks passed", stdout);
    }

    [Theory]
    [InlineData("www.example.test", "A", "192.0.2.80")]
    [InlineData("www.example.test", "AAAA", "2001:db8::80")]
    [InlineData("example.test", "NS", "ns.example.test.")]
    [InlineData("example.test", "MX", "10 mail.example.test.")]
    [InlineData("example.test", "TXT", "\"v=spf1 mx -all\"")]
    [InlineData("example.test", "CAA", "0 issue \"ca.example.test\"")]
    [InlineData("example.test", "SOA", "ns.example.test. hostmaster.example.test. 1 7200 900 1209600 300")]
    [InlineData("ftp.example.test", "CNAME", "www.example.test.")]
    [InlineData("80.2.0.192.example.test", "PTR", "www.example.test.")]
    [InlineData("_http._tcp.example.test", "SRV", "0 5 80 www.example.test.")]
    public async Task DigAndKdigGetEachTypeAuthoritatively(string name, string type, string expected)
    {
        string dig = await DigAsync(name, type, "+norec");
        Assert.Contains("flags: qr aa;", dig);
        Assert.Contains("status: NOERROR", dig);
        Assert.Equal(expected, (await DigAsync(name, type, "+short")).Trim());

        var (code, kdig, stderr) = await RunningProcess.RunAsync("kdig", ["@127.0.0.1", "-p", door.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+tcp", "+short", "+time=5", "+retry=0", name, type]);
        Assert.True(code == 0, $"kdig exited {code}: {kdig}{stderr}");
        Assert.Equal(expected, kdig.Trim());
    }

    [Fact]
    public async Task DigFollowsTruncationToTcpAndGetsTheWholeAnswer()
    {
        string output = await DigAsync("big.example.test", "TXT", "+noedns");
        Assert.Contains("Truncated, retrying in TCP mode", output);
        Assert.Contains("ANSWER: 20,", output);
        Assert.Contains("(TCP)", output);
    }

    [Fact]
    public async Task DigSeesReferralNxdomainAndNodata()
    {
        string referral = await DigAsync("www.sub.example.test", "A", "+norec");
        Assert.Contains("flags: qr;", referral);
        Assert.Contains("AUTHORITY: 1, ADDITIONAL: 2", referral);
        Assert.Matches(@"sub\.example\.test\.\s+3600\s+IN\s+NS\s+ns\.sub\.example\.test\.", referral);
        Assert.Matches(@"ns\.sub\.example\.test\.\s+3600\s+IN\s+A\s+192\.0\.2\.53", referral);

        string nx = await DigAsync("missing.example.test", "A");
        Assert.Contains("status: NXDOMAIN", nx);
        Assert.Matches(@"example\.test\.\s+300\s+IN\s+SOA", nx);

        string nodata = await DigAsync("mail.example.test", "AAAA");
        Assert.Contains("status: NOERROR", nodata);
        Assert.Contains("ANSWER: 0, AUTHORITY: 1", nodata);
    }

    [Fact]
    public async Task ServeRefusesAZoneFileWithAnErrorNamingFileAndLine()
    {
        string path = Path.Combine(door.Directory, "broken.zone");
        await File.WriteAllTextAsync(path, "$ORIGIN broken.test.\n$TTL 60\n@ SOA ns hostmaster 1 2 3 4 5\n  NS ns\nns A 10.0.0.300\n");
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["serve", "--tcp", "off", "--udp", "off", "--files", "off", "--bind", "127.0.0.1", "--dns", "0", "--zone", path]);
        Assert.Equal(1, code);
        Assert.DoesNotContain("ready dns", stdout);
        Assert.Contains($"{path}:5: '10.0.0.300' is not an IPv4 address", stderr);
    }
}

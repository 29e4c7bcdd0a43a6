using System.Net;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary>
/// The three flags that name client networks (--proxy-protocol, --cache-allow, --resolver-allow)
/// take the same forms through one option (the CLI's CommonOptions.Networks over ClientNetworks.Parse): CIDR or a bare address,
/// comma-separated or repeated; a bad one is a usage error (exit 2) naming its flag.
/// </summary>
public sealed class NetworkFlagsTests
{
    [Fact]
    public async Task Bare_addresses_lists_and_repeats_are_taken_and_replace_the_defaults()
    {
        // Loopback is in both allow lists' defaults: lists without it refuse a loopback client, so they
        // were taken, bare addresses, comma lists and repeats alike.
        string hints = Path.Combine(Repo.Root, "examples", "dns", "hints.zone");
        await using var serve = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "off", "--bind", "127.0.0.1",
            "--cache", "0", "--cache-allow", "192.0.2.7,10.0.0.0/8", "--cache-allow", "2001:db8::1",
            "--resolver", "0", "--root-hints", hints, "--resolver-allow", "192.0.2.7", "--resolver-allow", "::ffff:198.51.100.1,10.0.0.0/8",
            "--proxy-protocol", "192.0.2.7,::1", "--proxy-protocol", "10.0.0.0/8");
        int cache = await serve.WaitForReadyAsync("cache");
        int resolver = await serve.WaitForReadyAsync("resolver");

        var (code, stdout, _) = await RunningProcess.RunAsync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", $"http://127.0.0.1:{cache}", "http://127.0.0.1:9/"]);
        Assert.Equal(0, code);
        Assert.Equal("403", stdout.Trim());
        var reply = await Doorway.Dns.DnsExchange.AskAsync(new IPEndPoint(IPAddress.Loopback, resolver), Doorway.Dns.DnsName.Parse("www.example.test."), Doorway.Dns.DnsType.A,
            true, false, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(Doorway.Dns.DnsRcode.Refused, reply!.Message.Rcode);
    }

    [Theory]
    [InlineData("--proxy-protocol", "10.0.0.0/33", "--proxy-protocol: '10.0.0.0/33' is not a network")]
    [InlineData("--cache-allow", "10.0.0.1/8", "--cache-allow: '10.0.0.1/8' has bits set past its prefix length")]
    [InlineData("--resolver-allow", "example.test", "--resolver-allow: 'example.test' is not a network")]
    public async Task A_bad_network_is_a_usage_error_naming_its_flag(string flag, string value, string message)
    {
        string hints = Path.Combine(Repo.Root, "examples", "dns", "hints.zone");
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["serve", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1", "--cache", "0", "--resolver", "0", "--root-hints", hints, flag, value]);

        Assert.Equal(2, code);
        Assert.DoesNotContain("ready", stdout, StringComparison.Ordinal);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }
}

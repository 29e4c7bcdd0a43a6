using System.Text.RegularExpressions;
using Doorway.Tests.Support;

namespace Doorway.Tests.Proxy;

/// <summary>Real HAProxy in front of real <c>doorway serve</c> processes speaking the PROXY protocol.</summary>
public sealed partial class HaproxyTests
{
    [GeneratedRegex(@"127\.0\.0\.5:\d+ ""GET /a\.txt\?to=[ab]"" 200")]
    private static partial Regex Served();

    [Theory]
    [InlineData("send-proxy-v2")]
    [InlineData("send-proxy")]
    public async Task A_client_bound_to_127_0_0_5_appears_as_127_0_0_5_in_both_access_logs(string sendProxy)
    {
        await using var doors = new ServedDoors();
        var (a, portA) = await doors.StartAsync(0, "--proxy-protocol", "127.0.0.1");
        var (b, portB) = await doors.StartAsync(0, "--proxy-protocol", "127.0.0.1");
        await using var haproxy = await Haproxy.StartAsync([("a", portA), ("b", portB)], $"check {sendProxy}");
        await haproxy.WaitForAsync("a", "UP");
        await haproxy.WaitForAsync("b", "UP");

        // One request pinned to each door (the config's ?to=NAME).
        foreach (string name in new[] { "a", "b" })
        {
            var (code, stdout, stderr) = await RunningProcess.RunAsync("curl",
                ["--silent", "--show-error", "--interface", "127.0.0.5", $"http://127.0.0.1:{haproxy.Port}/a.txt?to={name}"]);
            Assert.True(code == 0, stderr);
            Assert.Equal("balanced\n", stdout);
        }

        foreach (var door in new[] { a, b })
        {
            await Deadline.UntilAsync(() => Served().IsMatch(door.Stderr), "the access line with the client's address", TimeSpan.FromSeconds(10));
            // The health checks are the balancer's own connections (v2 LOCAL, v1 with its own addresses): logged as 127.0.0.1.
            Assert.Matches(@"127\.0\.0\.1:\d+ ""GET /healthz"" 200", door.Stderr);
            Assert.DoesNotContain("PROXY header", door.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_proxy_header_from_outside_the_trusted_networks_is_refused_and_a_plain_client_from_there_is_served()
    {
        await using var doors = new ServedDoors();
        var (door, port) = await doors.StartAsync(0, "--proxy-protocol", "127.0.0.1/32");
        // HAProxy connects from 127.0.0.9, which the door does not trust; no health check, so it forwards anyway.
        await using var haproxy = await Haproxy.StartAsync([("a", port)], "send-proxy-v2 source 127.0.0.9");

        var (code, stdout, _) = await RunningProcess.RunAsync("curl", ["--silent", "--output", "/dev/null", "--write-out", "%{http_code}", $"http://127.0.0.1:{haproxy.Port}/a.txt"]);
        Assert.Equal(0, code);
        Assert.StartsWith("50", stdout.Trim(), StringComparison.Ordinal);
        await Deadline.UntilAsync(() => door.Stderr.Contains("not a trusted balancer", StringComparison.Ordinal), "the refusal in the log");
        Assert.DoesNotContain("GET /a.txt", door.Stderr, StringComparison.Ordinal);

        // The same address without a header is just a client.
        var direct = await RunningProcess.RunAsync("curl", ["--silent", "--show-error", "--interface", "127.0.0.9", $"http://127.0.0.1:{port}/a.txt"]);
        Assert.True(direct.ExitCode == 0, direct.Stderr);
        Assert.Equal("balanced\n", direct.Stdout);
        // HAProxy's refused connections came from 127.0.0.9 too: wait for the access line itself.
        await Deadline.UntilAsync(() => Regex.IsMatch(door.Stderr, @"127\.0\.0\.9:\d+ ""GET /a\.txt"" 200"), "the plain client's access line", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_balancer_without_the_header_is_closed_and_logged_not_served()
    {
        await using var doors = new ServedDoors();
        var (door, port) = await doors.StartAsync(0, "--proxy-protocol", "127.0.0.1");
        // Trusted but sending no header: the door must not guess (proxy-protocol.txt §2).
        var (code, stdout, _) = await RunningProcess.RunAsync("curl", ["--silent", "--output", "/dev/null", "--write-out", "%{http_code}", $"http://127.0.0.1:{port}/a.txt"]);
        Assert.NotEqual(0, code);
        Assert.Equal("000", stdout.Trim());
        await Deadline.UntilAsync(() => door.Stderr.Contains("sent no valid PROXY header", StringComparison.Ordinal), "the refusal in the log");
        Assert.DoesNotContain("GET /a.txt", door.Stderr, StringComparison.Ordinal);
    }
}

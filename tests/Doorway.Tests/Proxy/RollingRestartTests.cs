using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Doorway.Tests.Support;

namespace Doorway.Tests.Proxy;

/// <summary>
/// Two <c>doorway serve</c> behind HAProxy under wrk's load; each gets SIGTERM and is started again in
/// turn. Nothing may be lost: no socket error, no status other than 2xx, and downloads running
/// across a restart complete with the right SHA-256.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed partial class RollingRestartTests
{
    private static readonly string[] ServeFlags = ["--proxy-protocol", "127.0.0.1", "--drain-delay", "2", "--drain-timeout", "15"];

    [Fact]
    public async Task A_rolling_restart_under_load_loses_no_request_and_no_download()
    {
        // 48 MiB: more than the kernel's and HAProxy's buffers on the way hold, so the door is still
        // sending when it is told to stop, not only the client still receiving.
        await using var doors = new ServedDoors(48 * 1024 * 1024);
        var (a, portA) = await doors.StartAsync(0, ServeFlags);
        var (b, portB) = await doors.StartAsync(0, ServeFlags);
        var servers = new Dictionary<string, (RunningProcess Process, int Port)> { ["a"] = (a, portA), ["b"] = (b, portB) };
        await using var haproxy = await Haproxy.StartAsync([("a", portA), ("b", portB)], "check send-proxy-v2");
        await haproxy.WaitForAsync("a", "UP");
        await haproxy.WaitForAsync("b", "UP");

        // Bounded load: 20 s, 8 connections, a 64 KiB file (so the access logs stay small).
        await using var wrk = RunningProcess.Start("wrk", ["-t1", "-c8", "-d20s", "--timeout", "5s", $"http://127.0.0.1:{haproxy.Port}/small.bin"]);
        await Deadline.UntilAsync(() => a.Stderr.Contains("GET /small.bin", StringComparison.Ordinal) && b.Stderr.Contains("GET /small.bin", StringComparison.Ordinal),
            "wrk's requests on both doors");

        var downloads = new List<(string Path, Task<(int ExitCode, string Stdout, string Stderr)> Run)>();
        foreach (string name in new[] { "a", "b" })
        {
            var (process, port) = servers[name];
            // A download pinned to this door at 8 MiB/s (6 s): in flight when the door is told to stop.
            string path = Path.Combine(doors.Root, $"download-{name}.bin");
            downloads.Add((path, RunningProcess.RunAsync("curl", ["--silent", "--show-error", "--limit-rate", "8M", "--output", path, "--write-out", "%{http_code}",
                $"http://127.0.0.1:{haproxy.Port}/big.bin?to={name}"])));
            await Deadline.UntilAsync(() => File.Exists(path) && new FileInfo(path).Length > 0, $"the download from {name} to start");

            process.Signal(15);
            Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            // Told to stop while the download ran: the door said 503 on /healthz, kept accepting for the delay, then drained.
            Assert.Contains("draining: /healthz answers 503", process.Stderr, StringComparison.Ordinal);

            var (restarted, again) = await doors.StartAsync(port, ServeFlags);
            Assert.Equal(port, again);
            servers[name] = (restarted, port);
            await haproxy.WaitForAsync(name, "UP");
        }

        Assert.Equal(0, await wrk.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        string report = wrk.Stdout;
        // wrk prints these lines only when they are not zero.
        // What HAProxy logged other than a 200, for the failure message.
        string unusual = string.Join('\n', haproxy.Log.Split('\n').Where(line => line.Contains("\"GET", StringComparison.Ordinal) && !line.Contains(" 200 ", StringComparison.Ordinal)).Take(20));
        Assert.False(report.Contains("Socket errors", StringComparison.Ordinal), report + unusual);
        Assert.False(report.Contains("Non-2xx or 3xx responses", StringComparison.Ordinal), report + unusual);
        long requests = long.Parse(Requests().Match(report).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(requests > 1000, report);

        foreach (var (path, run) in downloads)
        {
            var (code, status, stderr) = await run.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(code == 0, stderr);
            Assert.Equal("200", status.Trim());
            Assert.Equal(doors.BigSha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path))));
        }

        // Each stopped door finished its pinned download itself, after it began to drain.
        foreach (var first in new[] { a, b })
        {
            string log = first.Stderr;
            int draining = log.IndexOf("draining: /healthz answers 503", StringComparison.Ordinal);
            int served = log.IndexOf("\"GET /big.bin?to=", StringComparison.Ordinal);
            Assert.True(draining >= 0 && served > draining,
                string.Join('\n', log.Split('\n').Where(line => line.Contains("big.bin", StringComparison.Ordinal) || line.Contains("drain", StringComparison.Ordinal) || line.Contains("stopping", StringComparison.Ordinal))));
        }

        Console.WriteLine($"rolling restart: {requests} requests, 0 socket errors, 0 non-2xx; {downloads.Count} downloads across restarts intact");
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();
}

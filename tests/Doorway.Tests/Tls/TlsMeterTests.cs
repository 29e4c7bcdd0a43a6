using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Doorway.Tests.Support;
using Doorway.Transport;

namespace Doorway.Tests.Tls;

/// <summary>The meter counts every TLS handshake: its duration (tagged with the version, or the error) and each failure by reason.</summary>
public sealed class TlsMeterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "doorway-tls-meter-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Handshakes_that_succeed_fail_or_stall_are_each_counted_once()
    {
        var certificate = DevelopmentCertificate.LoadOrCreate(_directory, out bool made);
        Assert.True(made);
        using var house = new House();
        var failures = new Dictionary<string, long>();
        var durations = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == house.Meter.MeterForTests && instrument.Name.Contains("tls", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (failures)
            {
                string reason = (string)Tag(tags, "doorway.reason")!;
                failures[reason] = failures.GetValueOrDefault(reason) + value;
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            lock (failures)
            {
                durations.Add((string?)Tag(tags, "tls.protocol.version") ?? "error " + Tag(tags, "error.type"));
            }
        });
        listener.Start();

        var tls = new TlsServerOptions(certificate) { HandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        await using var door = TestDoors.OpenCapitalize(options: WelcomeDoorOptions.Default with { Tls = tls }, house: house);
        var endPoint = new IPEndPoint(IPAddress.Loopback, door.LocalEndPoint.Port);

        // One that succeeds.
        using (var socket = await Sockets.ConnectAsync(endPoint))
        await using (var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false)))
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetCertHashString() == certificate.Leaf.GetCertHashString(),
            }).WithDeadline();
            await ssl.WriteAsync("metered\n"u8.ToArray()).WithDeadline();
            byte[] reply = new byte[8];
            await ssl.ReadExactlyAsync(reply).WithDeadline();
            Assert.Equal("METERED\n"u8.ToArray(), reply);
        }

        // One that sends a handshake record holding no ClientHello.
        using (var garbage = await Sockets.ConnectAsync(endPoint))
        {
            await garbage.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x05, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' }).WithDeadline();
            // The server may send an alert first (RFC 8446 §6.2); then it closes.
            byte[] alert = await Sockets.ReceiveToEndAsync(garbage);
            Assert.True(alert.Length == 0 || alert[0] == 0x15, Convert.ToHexString(alert));
        }

        // One that stalls inside its ClientHello.
        using (var stalled = await Sockets.ConnectAsync(endPoint))
        {
            await stalled.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 }).WithDeadline();
            Assert.True(await Sockets.IsClosedByServerAsync(stalled));
        }

        await Deadline.UntilAsync(() => { lock (failures) { return durations.Count == 3; } }, "three handshakes measured");
        lock (failures)
        {
            Assert.Equal(new Dictionary<string, long> { ["protocol"] = 1, ["timeout"] = 1 }, failures);
            Assert.Equal(["1.3", "error protocol", "error timeout"], durations.Order(StringComparer.Ordinal));
        }
    }

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value;
            }
        }

        return null;
    }
}

using System.Diagnostics.Metrics;

namespace Doorway.Transport;

/// <summary>
/// The <c>Meter "Doorway"</c>: what every door counts, for <c>dotnet-counters monitor -n doorway
/// --counters Doorway</c> now and a Prometheus scrape later. Names follow Kestrel's
/// (<c>kestrel.active_connections</c>, <c>kestrel.connection.duration</c>,
/// <c>kestrel.rejected_connections</c>) with a <c>doorway.door</c> tag.
/// </summary>
public sealed class DoorMeter : IDisposable
{
    public const string MeterName = "Doorway";

    private readonly Meter _meter;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly UpDownCounter<long> _active;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _tlsHandshake;
    private readonly Counter<long> _tlsFailed;

    public DoorMeter(ConnectionRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _meter = new Meter(MeterName);
        _accepted = _meter.CreateCounter<long>("doorway.accepted_connections", "{connection}", "Connections accepted and admitted.");
        _rejected = _meter.CreateCounter<long>("doorway.rejected_connections", "{connection}", "Connections refused by a limit (tag doorway.reason).");
        _active = _meter.CreateUpDownCounter<long>("doorway.active_connections", "{connection}", "Connections open now.");
        // Buckets in seconds from 10 ms to 5 min (Kestrel's for kestrel.connection.duration), not an exporter's
        // default milliseconds-shaped ones.
        _duration = _meter.CreateHistogram("doorway.connection.duration", "s", "How long connections stayed open.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300] });
        // Kestrel's kestrel.tls_handshake.duration (with error.type on a failure), and a counter of failures by reason.
        _tlsHandshake = _meter.CreateHistogram<double>("doorway.tls_handshake.duration", "s", "How long TLS handshakes took (tag error.type on a failure).");
        _tlsFailed = _meter.CreateCounter<long>("doorway.failed_tls_handshakes", "{handshake}", "TLS handshakes that failed (tag doorway.reason: timeout, protocol, closed).");
        // "doorway.received" in By: Prometheus's exporter adds the unit and _total (doorway_received_bytes_total), as its naming rules ask.
        _meter.CreateObservableCounter("doorway.received", () => Measure(registry, received: true), "By", "Bytes received by connections.");
        _meter.CreateObservableCounter("doorway.sent", () => Measure(registry, received: false), "By", "Bytes sent by connections.");
    }

    /// <summary>The meter itself, so a test's listener can pick this house's instruments among others of the same name.</summary>
    internal Meter MeterForTests => _meter;

    /// <summary>The meter, for a door that counts more than connections (the cache's hits and misses).</summary>
    internal Meter Instruments => _meter;

    internal void Accepted(string door)
    {
        _accepted.Add(1, new KeyValuePair<string, object?>("doorway.door", door));
        _active.Add(1, new KeyValuePair<string, object?>("doorway.door", door));
    }

    internal void Closed(string door, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("doorway.door", door);
        _active.Add(-1, tag);
        if (_duration.Enabled)
        {
            _duration.Record(duration.TotalSeconds, tag);
        }
    }

    internal void TlsHandshakeDone(string door, TimeSpan duration, string protocol)
    {
        if (_tlsHandshake.Enabled)
        {
            _tlsHandshake.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("doorway.door", door), new KeyValuePair<string, object?>("tls.protocol.version", protocol));
        }
    }

    internal void TlsHandshakeFailed(string door, TimeSpan duration, string reason)
    {
        var tag = new KeyValuePair<string, object?>("doorway.door", door);
        _tlsFailed.Add(1, tag, new KeyValuePair<string, object?>("doorway.reason", reason));
        if (_tlsHandshake.Enabled)
        {
            _tlsHandshake.Record(duration.TotalSeconds, tag, new KeyValuePair<string, object?>("error.type", reason));
        }
    }

    internal void Rejected(string door, string reason) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("doorway.door", door), new KeyValuePair<string, object?>("doorway.reason", reason));

    private static IEnumerable<Measurement<long>> Measure(ConnectionRegistry registry, bool received)
    {
        foreach (var door in registry.Doors())
        {
            yield return new Measurement<long>(received ? door.BytesReceived : door.BytesSent, new KeyValuePair<string, object?>("doorway.door", door.Name));
        }
    }

    public void Dispose() => _meter.Dispose();
}

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

    public DoorMeter(ConnectionRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _meter = new Meter(MeterName);
        _accepted = _meter.CreateCounter<long>("doorway.accepted_connections", "{connection}", "Connections accepted and admitted.");
        _rejected = _meter.CreateCounter<long>("doorway.rejected_connections", "{connection}", "Connections refused by a limit (tag doorway.reason).");
        _active = _meter.CreateUpDownCounter<long>("doorway.active_connections", "{connection}", "Connections open now.");
        _duration = _meter.CreateHistogram<double>("doorway.connection.duration", "s", "How long connections stayed open.");
        _meter.CreateObservableCounter("doorway.bytes_received", () => Measure(registry, received: true), "By", "Bytes received by connections.");
        _meter.CreateObservableCounter("doorway.bytes_sent", () => Measure(registry, received: false), "By", "Bytes sent by connections.");
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

using System.Diagnostics.Metrics;
using Doorway.Transport;

namespace Doorway.Tests.Support;

/// <summary>
/// Listens to a house's meter and sums each long instrument's measurements by name (counters add
/// up; an observable gauge adds what each <see cref="RecordObservable"/> reads). Thread-safe.
/// </summary>
internal sealed class MeterTotals : IDisposable
{
    private readonly Dictionary<string, long> _totals = [];
    private readonly MeterListener _listener = new();

    public MeterTotals(House house)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == house.Meter.MeterForTests)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (_totals)
            {
                _totals[instrument.Name] = _totals.GetValueOrDefault(instrument.Name) + value;
            }
        });
        _listener.Start();
    }

    /// <summary>The total so far; throws <see cref="KeyNotFoundException"/> for an instrument never measured.</summary>
    public long this[string name]
    {
        get
        {
            lock (_totals)
            {
                return _totals[name];
            }
        }
    }

    /// <summary>The total so far, 0 for an instrument never measured.</summary>
    public long Count(string name)
    {
        lock (_totals)
        {
            return _totals.GetValueOrDefault(name);
        }
    }

    public bool Has(string name)
    {
        lock (_totals)
        {
            return _totals.ContainsKey(name);
        }
    }

    /// <summary>Reads the observable instruments (the gauges) now.</summary>
    public void RecordObservable() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();
}

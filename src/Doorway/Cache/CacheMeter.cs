using System.Diagnostics.Metrics;
using Doorway.Transport;

namespace Doorway.Cache;

/// <summary>The cache's counters on the house's <c>Meter "Doorway"</c>, tagged with the door.</summary>
internal sealed class CacheMeter
{
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _validations;
    private readonly Counter<long> _bytesSaved;
    private readonly KeyValuePair<string, object?> _door;

    public CacheMeter(DoorMeter meter, string door)
    {
        var instruments = meter.Instruments;
        _hits = instruments.CreateCounter<long>("doorway.cache.hits", "{request}", "Requests answered from a stored response without asking the origin.");
        _misses = instruments.CreateCounter<long>("doorway.cache.misses", "{request}", "GET and HEAD requests the origin answered with content.");
        _validations = instruments.CreateCounter<long>("doorway.cache.validations", "{request}", "Stored responses checked with the origin by a conditional request (tag doorway.cache.result: 304 or changed).");
        _bytesSaved = instruments.CreateCounter<long>("doorway.cache.bytes_saved", "By", "Content bytes sent from the store that the origin did not send again.");
        _door = new KeyValuePair<string, object?>("doorway.door", door);
    }

    public long Hits;
    public long Misses;
    public long Validations;
    public long BytesSaved;

    public void Hit(long bytes)
    {
        Interlocked.Increment(ref Hits);
        _hits.Add(1, _door);
        Saved(bytes);
    }

    public void Miss()
    {
        Interlocked.Increment(ref Misses);
        _misses.Add(1, _door);
    }

    public void Validated(bool notModified, long bytes)
    {
        Interlocked.Increment(ref Validations);
        _validations.Add(1, _door, new KeyValuePair<string, object?>("doorway.cache.result", notModified ? "304" : "changed"));
        if (notModified)
        {
            Saved(bytes);
        }
    }

    private void Saved(long bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref BytesSaved, bytes);
            _bytesSaved.Add(bytes, _door);
        }
    }
}

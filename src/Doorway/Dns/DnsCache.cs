using System.Diagnostics;

namespace Doorway.Dns;

/// <summary>
/// The resolver's cache: one entry per (name, type, class IN), positive (the RRset) or negative
/// (NXDOMAIN or NODATA with the SOA that says how long, RFC 2308 §5). Entries expire with their
/// TTL; TTLs handed out count down. Bounded: past <see cref="ResolverOptions.CacheEntries"/> the
/// oldest entry is evicted (a FIFO of insertions, so memory stays bounded under any query mix).
/// </summary>
public sealed class DnsCache(int capacity, Func<long>? clock = null)
{
    private readonly Dictionary<(DnsName Name, DnsType Type), Entry> _entries = [];
    private readonly Queue<(DnsName Name, DnsType Type)> _order = new();
    private readonly Func<long> _clock = clock ?? (() => Stopwatch.GetTimestamp() * 1000 / Stopwatch.Frequency);
    private readonly Lock _lock = new();

    /// <summary>A cached answer: records with their remaining TTLs, or a negative answer.</summary>
    public sealed record Hit(DnsRcode Rcode, IReadOnlyList<DnsRecord> Records, DnsRecord? Soa);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public void AddRecords(DnsName name, DnsType type, IReadOnlyList<DnsRecord> records, TimeSpan maxTtl)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        uint ttl = (uint)Math.Min(records.Min(r => r.Ttl), maxTtl.TotalSeconds);
        Add(name, type, new Entry(DnsRcode.NoError, [.. records], null, _clock() + (ttl * 1000L)));
    }

    /// <summary>A negative answer; it lives min(SOA TTL, SOA MINIMUM) (RFC 2308 §5), capped.</summary>
    public void AddNegative(DnsName name, DnsType type, DnsRcode rcode, DnsRecord soa, TimeSpan maxTtl)
    {
        ArgumentNullException.ThrowIfNull(soa);
        uint minimum = soa.Data.Suffix.Length == 20 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(soa.Data.Suffix.AsSpan(16)) : 0;
        uint ttl = (uint)Math.Min(Math.Min(soa.Ttl, minimum), maxTtl.TotalSeconds);
        Add(name, type, new Entry(rcode, [], soa with { Ttl = ttl }, _clock() + (ttl * 1000L)));
    }

    public Hit? Find(DnsName name, DnsType type)
    {
        long now = _clock();
        Entry? entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue((name, type), out entry))
            {
                return null;
            }

            if (entry.Expires <= now)
            {
                _entries.Remove((name, type));
                return null;
            }
        }

        uint left = (uint)((entry.Expires - now + 999) / 1000);
        return new Hit(entry.Rcode, [.. entry.Records.Select(r => r with { Ttl = left })], entry.Soa is null ? null : entry.Soa with { Ttl = left });
    }

    private void Add(DnsName name, DnsType type, Entry entry)
    {
        lock (_lock)
        {
            if (!_entries.ContainsKey((name, type)))
            {
                while (_entries.Count >= capacity && _order.TryDequeue(out var oldest))
                {
                    _entries.Remove(oldest);
                }

                _order.Enqueue((name, type));
            }

            _entries[(name, type)] = entry;
            // The queue may hold keys already removed (expired); keep it from outgrowing the table.
            if (_order.Count > 2 * capacity)
            {
                var live = _order.Where(_entries.ContainsKey).Distinct().ToList();
                _order.Clear();
                foreach (var key in live)
                {
                    _order.Enqueue(key);
                }
            }
        }
    }

    private sealed record Entry(DnsRcode Rcode, DnsRecord[] Records, DnsRecord? Soa, long Expires);
}

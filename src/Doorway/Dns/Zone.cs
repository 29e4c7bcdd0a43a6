using System.Buffers.Binary;

namespace Doorway.Dns;

/// <summary>
/// One zone as the authoritative door serves it: its origin, its SOA, and every name in it
/// (empty non-terminals too, so a name above existing ones is NODATA, not NXDOMAIN: RFC 8020).
/// Built only from records that pass the checks named-checkzone makes of a zone it would load.
/// </summary>
public sealed class Zone
{
    private readonly Dictionary<DnsName, ZoneNode> _nodes;
    private readonly Dictionary<DnsName, ZoneNode>.AlternateLookup<ReadOnlySpan<byte>> _byWire;

    private Zone(DnsName origin, DnsRecordSet soa, Dictionary<DnsName, ZoneNode> nodes)
    {
        Origin = origin;
        Soa = soa;
        _nodes = nodes;
        _byWire = nodes.GetAlternateLookup<ReadOnlySpan<byte>>();
        uint minimum = BinaryPrimitives.ReadUInt32BigEndian(soa.Data[0].Suffix.AsSpan(16));
        // RFC 2308 §3: a negative answer's SOA lives the lesser of its TTL and its MINIMUM field.
        NegativeTtl = Math.Min(soa.Ttl, minimum);
    }

    public DnsName Origin { get; }

    public DnsRecordSet Soa { get; }

    public uint NegativeTtl { get; }

    public int NodeCount => _nodes.Count;

    public IEnumerable<ZoneNode> Nodes => _nodes.Values;

    public ZoneNode? Find(ReadOnlySpan<byte> wire) => _byWire.TryGetValue(wire, out var node) ? node : null;

    public ZoneNode? Find(DnsName name) => _nodes.GetValueOrDefault(name);

    /// <summary>Checks the records as a zone and builds it; throws <see cref="ZoneFileException"/> at the line of the first problem.</summary>
    internal static Zone Build(List<DnsRecord> records, List<int> lines, string file)
    {
        int soaIndex = records.FindIndex(r => r.Type == DnsType.SOA);
        if (soaIndex < 0)
        {
            throw new ZoneFileException(file, records.Count > 0 ? lines[0] : 1, "the zone has no SOA record");
        }

        var origin = records[soaIndex].Owner;
        var byName = new Dictionary<DnsName, List<(DnsRecord Record, int Line)>>(NameComparer.Instance);
        for (int i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (!record.Owner.IsAtOrBelow(origin))
            {
                throw new ZoneFileException(file, lines[i], $"{record.Owner} is outside the zone {origin}");
            }

            if (record.Type == DnsType.SOA && i != soaIndex)
            {
                throw new ZoneFileException(file, lines[i], record.Owner.Equals(origin) ? "a second SOA record" : $"an SOA record at {record.Owner}, not at the zone's top {origin}");
            }

            if (!byName.TryGetValue(record.Owner, out var list))
            {
                byName[record.Owner] = list = [];
            }

            // Identical records are one (RFC 2181 §5): BIND drops the copy too.
            if (!list.Exists(r => r.Record.Type == record.Type && r.Record.Data.SameAs(record.Data)))
            {
                list.Add((record, lines[i]));
            }
        }

        var nodes = new Dictionary<DnsName, ZoneNode>(NameComparer.Instance);
        foreach (var (name, list) in byName)
        {
            var cname = list.FindIndex(r => r.Record.Type == DnsType.CNAME);
            if (cname >= 0)
            {
                // RFC 1034 §3.6.2: a CNAME is alone at its name (no DNSSEC records here to except).
                int other = list.FindIndex(r => r.Record.Type != DnsType.CNAME);
                if (other >= 0)
                {
                    throw new ZoneFileException(file, list[Math.Max(cname, other)].Line, $"{name} has a CNAME and other data");
                }

                if (list.Count > 1)
                {
                    throw new ZoneFileException(file, list[1].Line, $"{name} has more than one CNAME");
                }
            }

            var sets = list.GroupBy(r => r.Record.Type)
                .Select(g => new DnsRecordSet(g.First().Record.Owner, g.Key, g.First().Record.Ttl, [.. g.Select(r => r.Record.Data)]))
                .ToArray();
            nodes[name] = new ZoneNode(name, sets);
        }

        if (nodes[origin].Find(DnsType.NS) is null)
        {
            throw new ZoneFileException(file, lines[soaIndex], $"the zone's top {origin} has no NS records");
        }

        CheckNameServerAddresses(byName, nodes, origin, file);
        foreach (var name in byName.Keys)
        {
            // Empty non-terminals between each name and the origin.
            for (var parent = name.Parent(); !parent.Equals(origin) && parent.IsAtOrBelow(origin); parent = parent.Parent())
            {
                nodes.TryAdd(parent, new ZoneNode(parent, []));
            }
        }

        return new Zone(origin, nodes[origin].Find(DnsType.SOA)!, nodes);
    }

    /// <summary>
    /// A server of the zone itself named inside the zone must have an address there, or nobody could
    /// reach it: named-checkzone refuses such a zone ("has no address records"). A delegation's
    /// servers without glue are only a warning there, and a referral without addresses here.
    /// </summary>
    private static void CheckNameServerAddresses(Dictionary<DnsName, List<(DnsRecord Record, int Line)>> byName, Dictionary<DnsName, ZoneNode> nodes, DnsName origin, string file)
    {
        foreach (var list in byName.Values)
        {
            foreach (var (record, line) in list)
            {
                if (record.Type != DnsType.NS || !record.Owner.Equals(origin))
                {
                    continue;
                }

                var target = record.Data.Names[0];
                if (!target.IsAtOrBelow(origin))
                {
                    continue;
                }

                var node = nodes.GetValueOrDefault(target);
                if (node?.Find(DnsType.A) is null && node?.Find(DnsType.AAAA) is null)
                {
                    throw new ZoneFileException(file, line, $"NS {target} has no address records (A or AAAA) in the zone");
                }
            }
        }
    }
}

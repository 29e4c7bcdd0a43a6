namespace Doorway.Dns;

/// <summary>
/// The authoritative door's answers (RFC 1034 §4.3.2, RFC 1035, RFC 2308, RFC 6891): for a name in
/// one of its zones, an authoritative answer (AA) following CNAMEs inside the zone, a referral with
/// glue at a delegation, NXDOMAIN or NODATA with the zone's SOA; REFUSED for other names. The
/// question goes back with the client's letters (0x20), and every later name that ends in it is a
/// pointer to it. Nothing is allocated per answer: names live in stack buffers, the zones are
/// looked up by wire bytes, and the reply is written in place.
/// </summary>
public sealed class DnsAuthority
{
    /// <summary>CNAMEs followed inside the zone for one answer (BIND follows 16; a chain of 8 is already a mistake).</summary>
    public const int MaxCnameChain = 8;

    /// <summary>The payload size this server advertises in its OPT record (the DNS flag day 2020 value).</summary>
    public const ushort AdvertisedPayloadSize = 1232;

    /// <summary>
    /// The largest reply written over UDP, whatever payload size a client asks for: 4096, the size
    /// RFC 6891 §6.2.5 suggests to start from. A longer answer is truncated and asked again over TCP.
    /// It is also the reply buffer the UDP door gives each datagram (<see cref="Doorway.Transport.IDatagramHandler.MaxReplyLength"/>).
    /// </summary>
    public const int MaxUdpReply = 4096;

    private const int OptLength = 11;

    private readonly Zone[] _zones;

    public DnsAuthority(IEnumerable<Zone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        // Deepest origin first: a query goes to the most specific zone served.
        _zones = [.. zones.OrderByDescending(z => z.Origin.LabelCount)];
        var twice = _zones.GroupBy(z => z.Origin).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new ArgumentException($"the zone {twice.Key} is given twice", nameof(zones));
        }
    }

    public IReadOnlyList<Zone> Zones => _zones;

    /// <summary>
    /// Answers <paramref name="query"/> into <paramref name="reply"/>; returns the reply's length,
    /// or -1 when the message gets no answer (shorter than a header, or itself a response). Over UDP
    /// the reply is cut to the client's EDNS payload size (512 without EDNS) with TC set, so the
    /// client asks again over TCP (RFC 7766 §5).
    /// </summary>
    public int Answer(ReadOnlySpan<byte> query, Span<byte> reply, bool overTcp)
    {
        Span<byte> qname = stackalloc byte[DnsName.MaxLength];
        if (!DnsQuery.TryRead(query, qname, out var q))
        {
            return -1;
        }

        int limit = overTcp ? ushort.MaxValue : q.HasEdns ? q.UdpPayloadSize : DnsFlags.ClassicUdpSize;
        limit = Math.Min(limit, reply.Length);
        int reserve = q.HasEdns ? OptLength : 0;
        if (limit < DnsFlags.HeaderLength + reserve)
        {
            return -1;
        }

        Span<ushort> offsets = stackalloc ushort[64];
        var w = new DnsWriter(reply[..(limit - reserve)], offsets);
        ushort flags = (ushort)(DnsFlags.Response | (q.Flags & (DnsFlags.OpcodeMask | DnsFlags.RecursionDesired | DnsFlags.CheckingDisabled)));
        w.TryWriteUInt16(q.Id);
        w.TryWriteUInt16(0);
        w.TryWriteUInt32(0);
        w.TryWriteUInt32(0);
        if (q.Problem != DnsRcode.NoError)
        {
            // The question only when it could be read; a FORMERR about the OPT record carries no OPT.
            ushort count = 0;
            if (q.NameLength > 0 && w.TryWriteName(qname[..q.NameLength], compress: false) && w.TryWriteUInt16((ushort)q.Type) && w.TryWriteUInt16(q.Class))
            {
                count = 1;
            }

            w.PatchUInt16(2, (ushort)(flags | (ushort)q.Problem));
            w.PatchUInt16(4, count);
            return w.Position;
        }

        var name = qname[..q.NameLength];
        if (!w.TryWriteName(name, compress: false) || !w.TryWriteUInt16((ushort)q.Type) || !w.TryWriteUInt16(q.Class))
        {
            return -1;
        }

        w.PatchUInt16(4, 1);
        var afterQuestion = w.Mark;
        var sections = new Sections();
        DnsRcode rcode;
        if (q.HasEdns && q.EdnsVersion != 0)
        {
            // RFC 6891 §6.1.3: only version 0 is known; BADVERS, with nothing else.
            rcode = DnsRcode.BadVers;
        }
        else if (q.Class != DnsFlags.ClassIn && q.Class != (ushort)DnsType.ANY)
        {
            rcode = DnsRcode.Refused;
        }
        else if (FindZone(name) is not { } zone)
        {
            rcode = DnsRcode.Refused;
        }
        else
        {
            rcode = Resolve(zone, name, q.Type, ref w, ref sections, ref flags);
            if (sections.Truncated)
            {
                // RFC 2181 §9: the answer does not fit; send the header and question with TC.
                w.Reset(afterQuestion);
                sections = new Sections { Truncated = true };
                flags |= DnsFlags.Truncated;
            }
        }

        w.PatchUInt16(2, (ushort)(flags | ((ushort)rcode & DnsFlags.RcodeMask)));
        w.PatchUInt16(6, sections.Answer);
        w.PatchUInt16(8, sections.Authority);
        int length = w.Position;
        ushort additional = sections.Additional;
        if (q.HasEdns)
        {
            WriteOpt(reply[length..], (byte)((int)rcode >> 4), q.DnssecOk);
            length += OptLength;
            additional++;
        }

        w.PatchUInt16(10, additional);
        return length;
    }

    private static void WriteOpt(Span<byte> at, byte extendedRcode, bool dnssecOk)
    {
        // Root owner, TYPE 41, CLASS = our payload size, TTL = extended rcode, version 0, DO copied (RFC 3225 §3), no options.
        var w = new DnsWriter(at[..OptLength], []);
        w.TryWriteBytes([0]);
        w.TryWriteUInt16((ushort)DnsType.OPT);
        w.TryWriteUInt16(AdvertisedPayloadSize);
        w.TryWriteUInt32(((uint)extendedRcode << 24) | (dnssecOk ? DnsFlags.DnssecOk : 0));
        w.TryWriteUInt16(0);
    }

    private Zone? FindZone(ReadOnlySpan<byte> name)
    {
        foreach (var zone in _zones)
        {
            if (DnsName.IsAtOrBelow(name, zone.Origin.Wire))
            {
                return zone;
            }
        }

        return null;
    }

    private static DnsRcode Resolve(Zone zone, ReadOnlySpan<byte> name, DnsType type, ref DnsWriter w, ref Sections sections, ref ushort flags)
    {
        flags |= DnsFlags.Authoritative;
        var current = name;
        for (int chain = 0; ; chain++)
        {
            if (FindCut(zone, current, type) is { } cut)
            {
                if (chain == 0)
                {
                    // A referral: the child's servers, and their addresses where this zone has them (RFC 1034 §4.3.2 step 3b).
                    flags &= unchecked((ushort)~DnsFlags.Authoritative);
                    var ns = cut.Find(DnsType.NS)!;
                    WriteSet(ns, ns.Owner.Wire, ref w, ref sections.Authority, ref sections);
                    AddAddresses(zone, ns, ref w, ref sections, required: true);
                }

                return DnsRcode.NoError;
            }

            var node = zone.Find(current);
            if (node is null)
            {
                // RFC 6604 §2.1: after a CNAME, the rcode is the last name's.
                WriteNegative(zone, ref w, ref sections);
                return DnsRcode.NxDomain;
            }

            if (type == DnsType.ANY && node.Sets.Length > 0)
            {
                foreach (var set in node.Sets)
                {
                    WriteSet(set, current, ref w, ref sections.Answer, ref sections);
                }

                return DnsRcode.NoError;
            }

            if (node.Find(type) is { } answer)
            {
                WriteSet(answer, current, ref w, ref sections.Answer, ref sections);
                if (type is DnsType.NS or DnsType.MX or DnsType.SRV)
                {
                    AddAddresses(zone, answer, ref w, ref sections, required: false);
                }

                return DnsRcode.NoError;
            }

            if (node.Find(DnsType.CNAME) is { } cname)
            {
                WriteSet(cname, current, ref w, ref sections.Answer, ref sections);
                var target = cname.Data[0].Names[0];
                if (chain + 1 >= MaxCnameChain || !target.IsAtOrBelow(zone.Origin))
                {
                    // The resolver follows the rest (RFC 1034 §4.3.2 step 3a).
                    return DnsRcode.NoError;
                }

                current = target.Wire;
                continue;
            }

            WriteNegative(zone, ref w, ref sections);
            return DnsRcode.NoError;
        }
    }

    /// <summary>The delegation the name falls under, if any: the highest name below the zone's top that has NS records.</summary>
    private static ZoneNode? FindCut(Zone zone, ReadOnlySpan<byte> name, DnsType type)
    {
        Span<int> labels = stackalloc int[128];
        int count = 0;
        for (int at = 0; name[at] != 0; at += name[at] + 1)
        {
            labels[count++] = at;
        }

        int originLabels = zone.Origin.LabelCount;
        for (int k = originLabels + 1; k <= count; k++)
        {
            var node = zone.Find(name[labels[count - k]..]);
            if (node is null)
            {
                return null;
            }

            // DS lives in the parent, at the cut itself (RFC 4035 §3.1.4.1).
            if (node.Find(DnsType.NS) is not null && !(k == count && type == DnsType.DS))
            {
                return node;
            }
        }

        return null;
    }

    private static void WriteNegative(Zone zone, ref DnsWriter w, ref Sections sections)
    {
        var soa = zone.Soa;
        if (!w.TryWriteRecord(soa.Owner.Wire, DnsType.SOA, DnsFlags.ClassIn, zone.NegativeTtl, soa.Data[0]))
        {
            sections.Truncated = true;
            return;
        }

        sections.Authority++;
    }

    private static void WriteSet(DnsRecordSet set, ReadOnlySpan<byte> owner, ref DnsWriter w, ref ushort count, ref Sections sections)
    {
        foreach (var data in set.Data)
        {
            if (!w.TryWriteRecord(owner, set.Type, DnsFlags.ClassIn, set.Ttl, data))
            {
                sections.Truncated = true;
                return;
            }

            count++;
        }
    }

    /// <summary>
    /// The A and AAAA records this zone has for the targets of <paramref name="set"/>. Optional ones
    /// that do not fit are left out (RFC 2181 §9); glue a referral needs sets TC (RFC 9471 §3).
    /// </summary>
    private static void AddAddresses(Zone zone, DnsRecordSet set, ref DnsWriter w, ref Sections sections, bool required)
    {
        for (int i = 0; i < set.Data.Length; i++)
        {
            var target = set.Data[i].Target(set.Type);
            if (target is null || !target.IsAtOrBelow(zone.Origin) || IsEarlierTarget(set, i, target))
            {
                continue;
            }

            var node = zone.Find(target);
            if (node is null)
            {
                continue;
            }

            if (!AddAddressSet(node.Find(DnsType.A), ref w, ref sections) || !AddAddressSet(node.Find(DnsType.AAAA), ref w, ref sections))
            {
                sections.Truncated |= required && target.IsAtOrBelow(set.Owner);
                return;
            }
        }
    }

    private static bool AddAddressSet(DnsRecordSet? addresses, ref DnsWriter w, ref Sections sections)
    {
        if (addresses is null)
        {
            return true;
        }

        foreach (var data in addresses.Data)
        {
            if (!w.TryWriteRecord(addresses.Owner.Wire, addresses.Type, DnsFlags.ClassIn, addresses.Ttl, data))
            {
                return false;
            }

            sections.Additional++;
        }

        return true;
    }

    private static bool IsEarlierTarget(DnsRecordSet set, int index, DnsName target)
    {
        for (int i = 0; i < index; i++)
        {
            if (target.Equals(set.Data[i].Target(set.Type)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The counts of the sections written so far, and whether something that must be there did not fit.</summary>
    private struct Sections
    {
        public ushort Answer;
        public ushort Authority;
        public ushort Additional;
        public bool Truncated;
    }
}

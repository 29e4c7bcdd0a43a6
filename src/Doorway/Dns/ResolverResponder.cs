using System.Net;

namespace Doorway.Dns;

/// <summary>
/// The resolver door's answers: reads the client's query, asks the resolver, writes the reply
/// (RA set, the question with the client's letters, the answer, the SOA of a negative answer,
/// EDNS as the client offered it, TC when the client's UDP size is too small). Only clients inside
/// <see cref="ResolverOptions.Allow"/> are served; others get REFUSED (RFC 5358: no open resolvers).
/// </summary>
public sealed class ResolverResponder(DnsResolver resolver, ResolverOptions options)
{
    private long _refused;

    public long Refused => Interlocked.Read(ref _refused);

    public bool Allows(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in options.Allow)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask<int> AnswerAsync(IPAddress client, ReadOnlyMemory<byte> query, Memory<byte> reply, bool overTcp, CancellationToken cancellationToken)
    {
        var question = Read(query.Span, out var problem);
        if (question is null)
        {
            return problem < 0 ? -1 : WriteProblem(query.Span, reply.Span, (DnsRcode)problem);
        }

        if (!Allows(client))
        {
            Interlocked.Increment(ref _refused);
            return Write(question, reply.Span, DnsRcode.Refused, [], null, overTcp);
        }

        if (question.Edns && question.EdnsVersion != 0)
        {
            return Write(question, reply.Span, DnsRcode.BadVers, [], null, overTcp);
        }

        if (question.Class != DnsFlags.ClassIn)
        {
            return Write(question, reply.Span, DnsRcode.Refused, [], null, overTcp);
        }

        var answer = await resolver.ResolveAsync(question.Name, question.Type, cancellationToken);
        return Write(question, reply.Span, answer.Rcode, answer.Answers, answer.Soa, overTcp);
    }

    /// <summary>
    /// Answers from the cache alone, on the receiving thread, when the whole answer (CNAMEs
    /// included) is cached; returns -2 when the query needs the network (or is not for this path).
    /// </summary>
    public int TryAnswerFromCache(IPAddress client, ReadOnlySpan<byte> query, Span<byte> reply)
    {
        var question = Read(query, out _);
        if (question is null || (question.Edns && question.EdnsVersion != 0) || question.Class != DnsFlags.ClassIn || !Allows(client))
        {
            return -2;
        }

        var answer = resolver.TryFromCache(question.Name, question.Type);
        return answer is null ? -2 : Write(question, reply, answer.Rcode, answer.Answers, answer.Soa, overTcp: false);
    }

    /// <summary>An immediate answer with <paramref name="rcode"/> and no records (SERVFAIL when too busy), the question repeated; -1 for what gets no answer.</summary>
    public static int AnswerWith(ReadOnlySpan<byte> query, Span<byte> reply, DnsRcode rcode)
    {
        var question = Read(query, out int problem);
        if (question is null)
        {
            return problem < 0 ? -1 : WriteProblem(query, reply, (DnsRcode)problem);
        }

        return Write(question, reply, rcode, [], null, overTcp: false);
    }

    private sealed record Question(ushort Id, ushort Flags, DnsName Name, DnsType Type, ushort Class, bool Edns, ushort UdpSize, byte EdnsVersion, bool DnssecOk);

    /// <summary>The question, or null with <paramref name="problem"/> -1 (drop) or an rcode to answer.</summary>
    private static Question? Read(ReadOnlySpan<byte> query, out int problem)
    {
        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        if (!DnsQuery.TryRead(query, name, out var q))
        {
            problem = -1;
            return null;
        }

        if (q.Problem != DnsRcode.NoError)
        {
            problem = (int)q.Problem;
            return null;
        }

        problem = 0;
        return new Question(q.Id, q.Flags, DnsName.FromWire(name[..q.NameLength]), q.Type, q.Class, q.HasEdns, q.UdpPayloadSize, q.EdnsVersion, q.DnssecOk);
    }

    private static int WriteProblem(ReadOnlySpan<byte> query, Span<byte> reply, DnsRcode rcode)
    {
        // The authoritative writer's shape: header, no question. An empty zone set answers nothing else.
        if (reply.Length < DnsFlags.HeaderLength)
        {
            return -1;
        }

        reply[..DnsFlags.HeaderLength].Clear();
        query[..2].CopyTo(reply);
        ushort flags = (ushort)(DnsFlags.Response | DnsFlags.RecursionAvailable | (System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(query[2..]) & (DnsFlags.OpcodeMask | DnsFlags.RecursionDesired)) | (int)rcode);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(reply[2..], flags);
        return DnsFlags.HeaderLength;
    }

    private static int Write(Question q, Span<byte> reply, DnsRcode rcode, IReadOnlyList<DnsRecord> answers, DnsRecord? soa, bool overTcp)
    {
        const int OptLength = 11;
        int limit = Math.Min(reply.Length, overTcp ? ushort.MaxValue : q.Edns ? q.UdpSize : DnsFlags.ClassicUdpSize);
        int reserve = q.Edns ? OptLength : 0;
        Span<ushort> offsets = stackalloc ushort[64];
        var w = new DnsWriter(reply[..(limit - reserve)], offsets);
        ushort flags = (ushort)(DnsFlags.Response | DnsFlags.RecursionAvailable | (q.Flags & (DnsFlags.RecursionDesired | DnsFlags.CheckingDisabled)) | ((int)rcode & DnsFlags.RcodeMask));
        w.TryWriteUInt16(q.Id);
        w.TryWriteUInt16(flags);
        w.TryWriteUInt16(1);
        w.TryWriteUInt32(0);
        w.TryWriteUInt16(0);
        w.TryWriteName(q.Name.Wire, compress: false);
        w.TryWriteUInt16((ushort)q.Type);
        w.TryWriteUInt16(q.Class);
        var afterQuestion = w.Mark;
        ushort an = 0;
        ushort ns = 0;
        bool truncated = false;
        foreach (var record in answers)
        {
            if (!w.TryWriteRecord(record.Owner.Wire, record.Type, record.Class, record.Ttl, record.Data))
            {
                truncated = true;
                break;
            }

            an++;
        }

        if (!truncated && soa is not null)
        {
            if (w.TryWriteRecord(soa.Owner.Wire, DnsType.SOA, DnsFlags.ClassIn, soa.Ttl, soa.Data))
            {
                ns++;
            }
            else
            {
                truncated = true;
            }
        }

        if (truncated)
        {
            w.Reset(afterQuestion);
            an = 0;
            ns = 0;
            flags |= DnsFlags.Truncated;
            w.PatchUInt16(2, flags);
        }

        w.PatchUInt16(6, an);
        w.PatchUInt16(8, ns);
        int length = w.Position;
        if (q.Edns)
        {
            var opt = new DnsWriter(reply.Slice(length, OptLength), []);
            opt.TryWriteBytes([0]);
            opt.TryWriteUInt16((ushort)DnsType.OPT);
            opt.TryWriteUInt16(DnsAuthority.AdvertisedPayloadSize);
            opt.TryWriteUInt32(((uint)((int)rcode >> 4) << 24) | (q.DnssecOk ? DnsFlags.DnssecOk : 0));
            opt.TryWriteUInt16(0);
            length += OptLength;
            w.PatchUInt16(10, 1);
        }

        return length;
    }
}

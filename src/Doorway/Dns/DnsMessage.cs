using System.Buffers.Binary;

namespace Doorway.Dns;

/// <summary>
/// A whole DNS message as objects, for the client and the resolver (the authoritative door reads
/// and writes in place instead). Parsing never throws on bad input: it returns null.
/// </summary>
public sealed class DnsMessage
{
    public ushort Id { get; init; }

    public ushort Flags { get; init; }

    public DnsName QuestionName { get; init; } = DnsName.Root;

    public DnsType QuestionType { get; init; }

    public ushort QuestionClass { get; init; } = DnsFlags.ClassIn;

    public int QuestionCount { get; init; }

    public List<DnsRecord> Answers { get; } = [];

    public List<DnsRecord> Authority { get; } = [];

    public List<DnsRecord> Additional { get; } = [];

    /// <summary>The OPT record's payload size, or null when the message has none.</summary>
    public ushort? EdnsPayloadSize { get; init; }

    public byte EdnsVersion { get; init; }

    /// <summary>The rcode with the OPT record's extended bits (RFC 6891 §6.1.3).</summary>
    public DnsRcode Rcode { get; init; }

    public int Length { get; init; }

    public bool IsResponse => (Flags & DnsFlags.Response) != 0;

    public bool Authoritative => (Flags & DnsFlags.Authoritative) != 0;

    public bool Truncated => (Flags & DnsFlags.Truncated) != 0;

    public static DnsMessage? Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length < DnsFlags.HeaderLength)
        {
            return null;
        }

        ushort id = BinaryPrimitives.ReadUInt16BigEndian(message);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        int qd = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        int ns = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        int ar = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        var reader = new DnsReader(message, DnsFlags.HeaderLength);
        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        DnsName questionName = DnsName.Root;
        ushort questionType = 0;
        ushort questionClass = 0;
        for (int i = 0; i < qd; i++)
        {
            int length = reader.ReadName(name);
            if (length < 0 || !reader.TryReadUInt16(out ushort type) || !reader.TryReadUInt16(out ushort @class))
            {
                return null;
            }

            if (i == 0)
            {
                questionName = DnsName.FromWire(name[..length]);
                questionType = type;
                questionClass = @class;
            }
        }

        var sections = new List<DnsRecord>[] { [], [], [] };
        ushort? payload = null;
        byte version = 0;
        int extended = 0;
        for (int i = 0; i < an + ns + ar; i++)
        {
            int length = reader.ReadName(name);
            if (length < 0 || !reader.TryReadUInt16(out ushort type) || !reader.TryReadUInt16(out ushort @class)
                || !reader.TryReadUInt32(out uint ttl) || !reader.TryReadUInt16(out ushort rdlength))
            {
                return null;
            }

            int start = reader.Position;
            if (!reader.TrySkip(rdlength))
            {
                return null;
            }

            if ((DnsType)type == DnsType.OPT)
            {
                payload = @class;
                extended = (int)(ttl >> 24);
                version = (byte)(ttl >> 16);
                continue;
            }

            var data = ReadRdata(message, (DnsType)type, start, rdlength);
            if (data is null)
            {
                return null;
            }

            var section = i < an ? sections[0] : i < an + ns ? sections[1] : sections[2];
            section.Add(new DnsRecord(DnsName.FromWire(name[..length]), (DnsType)type, @class, ttl, data));
        }

        var parsed = new DnsMessage
        {
            Id = id,
            Flags = flags,
            QuestionCount = qd,
            QuestionName = questionName,
            QuestionType = (DnsType)questionType,
            QuestionClass = questionClass,
            EdnsPayloadSize = payload,
            EdnsVersion = version,
            Rcode = (DnsRcode)((extended << 4) | (flags & DnsFlags.RcodeMask)),
            Length = message.Length,
        };
        parsed.Answers.AddRange(sections[0]);
        parsed.Authority.AddRange(sections[1]);
        parsed.Additional.AddRange(sections[2]);
        return parsed;
    }

    /// <summary>Record data with its names decompressed (RFC 3597 §4: only the RFC 1035 types may hold pointers; SRV by practice too).</summary>
    private static DnsRdata? ReadRdata(ReadOnlySpan<byte> message, DnsType type, int start, int length)
    {
        var data = message.Slice(start, length);
        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        switch (type)
        {
            case DnsType.NS or DnsType.CNAME or DnsType.PTR:
                {
                    int n = DnsReader.ReadNameAt(message[..(start + length)], start, name, out int next);
                    return n > 0 && next == start + length ? new DnsRdata([], [DnsName.FromWire(name[..n])], compress: true) : null;
                }

            case DnsType.MX or DnsType.SRV:
                {
                    int fixedLength = type == DnsType.MX ? 2 : 6;
                    if (length < fixedLength + 1)
                    {
                        return null;
                    }

                    int n = DnsReader.ReadNameAt(message[..(start + length)], start + fixedLength, name, out int next);
                    return n > 0 && next == start + length ? new DnsRdata(data[..fixedLength].ToArray(), [DnsName.FromWire(name[..n])], compress: type == DnsType.MX) : null;
                }

            case DnsType.SOA:
                {
                    var bounded = message[..(start + length)];
                    int m = DnsReader.ReadNameAt(bounded, start, name, out int afterM);
                    if (m < 0)
                    {
                        return null;
                    }

                    var mname = DnsName.FromWire(name[..m]);
                    int r = DnsReader.ReadNameAt(bounded, afterM, name, out int afterR);
                    if (r < 0 || start + length - afterR != 20)
                    {
                        return null;
                    }

                    return new DnsRdata([], [mname, DnsName.FromWire(name[..r])], message.Slice(afterR, 20).ToArray(), compress: true);
                }

            case DnsType.A when length != 4:
            case DnsType.AAAA when length != 16:
                return null;
            default:
                return new DnsRdata(data.ToArray());
        }
    }

    /// <summary>A query for <paramref name="name"/>, with an OPT record offering <paramref name="payloadSize"/> bytes when given.</summary>
    public static int WriteQuery(Span<byte> buffer, ushort id, DnsName name, DnsType type, bool recursionDesired, ushort? payloadSize)
    {
        ArgumentNullException.ThrowIfNull(name);
        var w = new DnsWriter(buffer, []);
        w.TryWriteUInt16(id);
        w.TryWriteUInt16(recursionDesired ? DnsFlags.RecursionDesired : (ushort)0);
        w.TryWriteUInt16(1);
        w.TryWriteUInt16(0);
        w.TryWriteUInt16(0);
        w.TryWriteUInt16(payloadSize is null ? (ushort)0 : (ushort)1);
        if (!w.TryWriteName(name.Wire, compress: false) || !w.TryWriteUInt16((ushort)type) || !w.TryWriteUInt16(DnsFlags.ClassIn))
        {
            throw new ArgumentException("the buffer is too small for the query", nameof(buffer));
        }

        if (payloadSize is ushort size)
        {
            w.TryWriteBytes([0]);
            w.TryWriteUInt16((ushort)DnsType.OPT);
            w.TryWriteUInt16(size);
            w.TryWriteUInt32(0);
            w.TryWriteUInt16(0);
        }

        return w.Position;
    }
}

using System.Buffers.Binary;

namespace Doorway.Dns;

/// <summary>What a server reads from a query: header, the one question, and the client's EDNS(0) OPT record (RFC 6891 §6.1).</summary>
public ref struct DnsQuery
{
    public ushort Id;
    public ushort Flags;
    public int NameLength;
    public DnsType Type;
    public ushort Class;

    /// <summary>Where the question ends (the reply copies the question as the client wrote it).</summary>
    public int QuestionEnd;

    public bool HasEdns;
    public ushort UdpPayloadSize;
    public byte EdnsVersion;
    public bool DnssecOk;

    /// <summary>The answer a malformed or unsupported query gets, or <see cref="DnsRcode.NoError"/> when it can be answered.</summary>
    public DnsRcode Problem;

    public readonly int Opcode => (Flags & DnsFlags.OpcodeMask) >> 11;

    /// <summary>
    /// Reads a query. Returns false when it must be dropped unanswered: too short to carry an ID,
    /// or a response (answering responses would let two servers bounce a packet forever). Otherwise
    /// <see cref="Problem"/> says whether to answer FORMERR (a question or record that runs off the
    /// end, a bad label, a compression loop, counts that lie, two OPT records) or NOTIMP (an opcode
    /// other than QUERY).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, Span<byte> name, out DnsQuery query)
    {
        query = default;
        if (message.Length < DnsFlags.HeaderLength)
        {
            return false;
        }

        query.Id = BinaryPrimitives.ReadUInt16BigEndian(message);
        query.Flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if ((query.Flags & DnsFlags.Response) != 0)
        {
            return false;
        }

        if (query.Opcode != 0)
        {
            query.Problem = DnsRcode.NotImp;
            return true;
        }

        ushort qd = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        ushort an = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        ushort ns = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        ushort ar = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (qd != 1)
        {
            query.Problem = DnsRcode.FormErr;
            return true;
        }

        var reader = new DnsReader(message, DnsFlags.HeaderLength);
        query.NameLength = reader.ReadName(name);
        if (query.NameLength < 0 || !reader.TryReadUInt16(out ushort type) || !reader.TryReadUInt16(out query.Class))
        {
            query.Problem = DnsRcode.FormErr;
            query.NameLength = 0;
            return true;
        }

        query.Type = (DnsType)type;
        query.QuestionEnd = reader.Position;
        int records = an + ns + ar;
        for (int i = 0; i < records; i++)
        {
            if (!reader.TrySkipName() || !reader.TryReadUInt16(out ushort rrType) || !reader.TryReadUInt16(out ushort rrClass)
                || !reader.TryReadUInt32(out uint ttl) || !reader.TryReadUInt16(out ushort length) || !reader.TrySkip(length))
            {
                query.Problem = DnsRcode.FormErr;
                return true;
            }

            if ((DnsType)rrType != DnsType.OPT)
            {
                continue;
            }

            // RFC 6891 §6.1.1: one OPT, in the additional section, or the query is FORMERR.
            if (query.HasEdns || i < an + ns)
            {
                query.Problem = DnsRcode.FormErr;
                return true;
            }

            query.HasEdns = true;
            // §6.2.5: a size below 512 is taken as 512.
            query.UdpPayloadSize = Math.Max(rrClass, (ushort)DnsFlags.ClassicUdpSize);
            query.EdnsVersion = (byte)(ttl >> 16);
            query.DnssecOk = (ttl & DnsFlags.DnssecOk) != 0;
        }

        if (query.Type is DnsType.OPT)
        {
            query.Problem = DnsRcode.FormErr;
        }

        return true;
    }
}

using System.Buffers.Binary;
using Doorway.Dns;

namespace Doorway.Tests.Dns;

/// <summary>Queries and reply fields for tests that talk to the codec or a door without a peer.</summary>
internal static class DnsTestQueries
{
    public static DnsAuthority Authority() => new([ZoneFileParser.Parse(DnsTestZone.Text, "example.test.zone")]);

    public static byte[] Make(string name, DnsType type, ushort id = 0x1234, ushort? ednsSize = null, bool recursionDesired = false)
    {
        byte[] buffer = new byte[512];
        var w = new DnsWriter(buffer, new ushort[16]);
        w.TryWriteUInt16(id);
        w.TryWriteUInt16(recursionDesired ? (ushort)0x0100 : (ushort)0);
        w.TryWriteUInt16(1);
        w.TryWriteUInt16(0);
        w.TryWriteUInt16(0);
        w.TryWriteUInt16(ednsSize is null ? (ushort)0 : (ushort)1);
        w.TryWriteName(DnsName.Parse(name).Wire, compress: false);
        w.TryWriteUInt16((ushort)type);
        w.TryWriteUInt16(1);
        if (ednsSize is ushort size)
        {
            w.TryWriteBytes([0]);
            w.TryWriteUInt16((ushort)DnsType.OPT);
            w.TryWriteUInt16(size);
            w.TryWriteUInt32(0);
            w.TryWriteUInt16(0);
        }

        return buffer[..w.Position];
    }

    public static int Rcode(ReadOnlySpan<byte> reply) => reply[3] & 0x0F;

    public static ushort Count(ReadOnlySpan<byte> reply, int section) => BinaryPrimitives.ReadUInt16BigEndian(reply[(4 + (2 * section))..]);
}

using System.Buffers.Binary;
using System.Net;
using System.Numerics;
using System.Text;

namespace Doorway.Tests.Proxy;

/// <summary>PROXY protocol headers built by the tests, byte by byte from HAProxy's doc/proxy-protocol.txt.</summary>
internal static class ProxyHeaders
{
    public static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static byte[] V1(string line) => Encoding.ASCII.GetBytes(line);

    /// <summary>A v2 header: signature, version/command byte, family byte, length, then <paramref name="rest"/> (addresses and TLVs).</summary>
    public static byte[] V2(byte versionCommand, byte family, byte[] rest, int? length = null)
    {
        var header = new byte[16 + rest.Length];
        Signature.CopyTo(header, 0);
        header[12] = versionCommand;
        header[13] = family;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)(length ?? rest.Length));
        rest.CopyTo(header, 16);
        return header;
    }

    /// <summary>The address block for TCP over IPv4 or IPv6 (§2.2: source, destination, source port, destination port).</summary>
    public static byte[] Addresses(IPEndPoint source, IPEndPoint destination)
    {
        byte[] s = source.Address.GetAddressBytes();
        byte[] d = destination.Address.GetAddressBytes();
        var block = new byte[(2 * s.Length) + 4];
        s.CopyTo(block, 0);
        d.CopyTo(block, s.Length);
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(2 * s.Length), (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan((2 * s.Length) + 2), (ushort)destination.Port);
        return block;
    }

    public static byte[] Tlv(byte type, byte[] value)
    {
        var tlv = new byte[3 + value.Length];
        tlv[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(tlv.AsSpan(1), (ushort)value.Length);
        value.CopyTo(tlv, 3);
        return tlv;
    }

    public static byte[] Tcp4(string source, int sourcePort, string destination, int destinationPort, params byte[][] tlvs) =>
        V2(0x21, 0x11, [.. Addresses(new IPEndPoint(IPAddress.Parse(source), sourcePort), new IPEndPoint(IPAddress.Parse(destination), destinationPort)), .. tlvs.SelectMany(t => t)]);

    /// <summary>A TCP4 header whose last TLV is a CRC32C over the whole header (§2.2.3), right or deliberately wrong.</summary>
    public static byte[] Tcp4WithChecksum(bool right)
    {
        byte[] header = Tcp4("203.0.113.7", 1234, "10.0.0.1", 80, Tlv(0x03, new byte[4]));
        uint crc = 0xFFFFFFFF;
        foreach (byte b in header)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        crc ^= 0xFFFFFFFF;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(header.Length - 4), right ? crc : crc ^ 1);
        return header;
    }
}

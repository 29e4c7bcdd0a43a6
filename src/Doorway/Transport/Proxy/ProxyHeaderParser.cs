using System.Buffers.Binary;
using System.Net;
using System.Numerics;
using System.Text;

namespace Doorway.Transport;

/// <summary>
/// Reads a PROXY protocol header, version 1 (one text line) or 2 (binary), as HAProxy's
/// doc/proxy-protocol.txt defines them. Pure: it sees the bytes received so far and says whether
/// they hold a whole, valid header, need more, or can never be one. Anything that does not match
/// the specification exactly is invalid (§2.1: "Any sequence which does not exactly match the
/// protocol must be discarded and cause the receiver to abort the connection").
/// </summary>
internal static class ProxyHeaderParser
{
    /// <summary>§2.1: the longest v1 line, CRLF included ("PROXY UNKNOWN" with two full IPv6 addresses).</summary>
    public const int MaxV1Bytes = 107;

    /// <summary>§2.2: the v2 signature, version and command, family and length.</summary>
    public const int V2FixedBytes = 16;

    /// <summary>§2.2: the 12-byte v2 signature (it holds a NUL, so it is never a C string).</summary>
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    private const byte Tcp4Family = 0x11;
    private const byte Udp4Family = 0x12;
    private const byte Tcp6Family = 0x21;
    private const byte Udp6Family = 0x22;
    private const byte TypeCrc32C = 0x03;

    /// <summary>
    /// Parses the header at the start of <paramref name="bytes"/>. On <see cref="ProxyParseStatus.Incomplete"/>,
    /// <paramref name="needed"/> is the least total byte count that could complete it (the whole v2
    /// header once its length is known). On <see cref="ProxyParseStatus.Invalid"/>, <paramref name="error"/> says why.
    /// </summary>
    public static ProxyParseStatus Parse(ReadOnlySpan<byte> bytes, out ProxyHeader header, out int needed, out string? error)
    {
        header = default;
        error = null;
        needed = bytes.Length + 1;
        if (bytes.IsEmpty)
        {
            return ProxyParseStatus.Incomplete;
        }

        if (bytes[0] == V2Signature[0])
        {
            return ParseV2(bytes, out header, out needed, out error);
        }

        if (bytes[0] == V1Prefix[0])
        {
            return ParseV1(bytes, out header, out needed, out error);
        }

        error = "not a PROXY protocol header";
        return ProxyParseStatus.Invalid;
    }

    /// <summary>
    /// Whether the first bytes start a PROXY header: true or false once they tell, null while they
    /// could still become one. For connections that must not send one (from outside the trusted networks).
    /// </summary>
    public static bool? StartsHeader(ReadOnlySpan<byte> first)
    {
        bool? v2 = Starts(first, V2Signature);
        if (v2 != false)
        {
            return v2;
        }

        // "PROXY " alone is plain text a client may well send; with a family after it, it is a header.
        bool? tcp4 = Starts(first, "PROXY TCP4 "u8);
        if (tcp4 != false)
        {
            return tcp4;
        }

        bool? tcp6 = Starts(first, "PROXY TCP6 "u8);
        return tcp6 != false ? tcp6 : Starts(first, "PROXY UNKNOWN"u8);
    }

    private static bool? Starts(ReadOnlySpan<byte> first, ReadOnlySpan<byte> prefix)
    {
        int n = Math.Min(first.Length, prefix.Length);
        if (!first[..n].SequenceEqual(prefix[..n]))
        {
            return false;
        }

        return n == prefix.Length ? true : null;
    }

    private static ProxyParseStatus ParseV2(ReadOnlySpan<byte> bytes, out ProxyHeader header, out int needed, out string? error)
    {
        header = default;
        error = null;
        needed = V2FixedBytes;
        int signature = Math.Min(bytes.Length, V2Signature.Length);
        if (!bytes[..signature].SequenceEqual(V2Signature[..signature]))
        {
            error = "not a PROXY protocol v2 signature";
            return ProxyParseStatus.Invalid;
        }

        if (bytes.Length > 12 && bytes[12] >> 4 != 2)
        {
            // §2.2: "it must always be sent as \x2 and the receiver must only accept this value".
            error = $"PROXY v2 header with version {bytes[12] >> 4}";
            return ProxyParseStatus.Invalid;
        }

        if (bytes.Length < V2FixedBytes)
        {
            return ProxyParseStatus.Incomplete;
        }

        int command = bytes[12] & 0x0F;
        byte family = bytes[13];
        int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[14..]);
        needed = V2FixedBytes + length;
        if (command > 1)
        {
            error = $"PROXY v2 header with command {command}";
            return ProxyParseStatus.Invalid;
        }

        if (family >> 4 > 3 || (family & 0x0F) > 2)
        {
            error = $"PROXY v2 header with family 0x{family:X2}";
            return ProxyParseStatus.Invalid;
        }

        int addresses = family switch
        {
            Tcp4Family or Udp4Family => 12,
            Tcp6Family or Udp6Family => 36,
            0x31 or 0x32 => 216,
            _ => 0,
        };
        if (command == 1 && length < addresses)
        {
            error = $"PROXY v2 header of {length} bytes is too short for its family (0x{family:X2} needs {addresses})";
            return ProxyParseStatus.Invalid;
        }

        if (bytes.Length < needed)
        {
            return ProxyParseStatus.Incomplete;
        }

        var block = bytes[V2FixedBytes..needed];
        // LOCAL (0x0): "the receiver must use the real connection endpoints and discard the protocol block".
        int tlvStart = command == 1 ? addresses : length;
        if (!CheckTlvs(bytes[..needed], V2FixedBytes + tlvStart, out error))
        {
            return ProxyParseStatus.Invalid;
        }

        IPEndPoint? source = null;
        IPEndPoint? destination = null;
        if (command == 1 && addresses is 12 or 36)
        {
            int size = addresses == 12 ? 4 : 16;
            var sourceAddress = new IPAddress(block[..size]);
            var destinationAddress = new IPAddress(block.Slice(size, size));
            int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(block[(2 * size)..]);
            int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(block[((2 * size) + 2)..]);
            source = Connection.Normalize(new IPEndPoint(sourceAddress, sourcePort));
            destination = Connection.Normalize(new IPEndPoint(destinationAddress, destinationPort));
        }

        header = new ProxyHeader(2, needed, source, destination);
        return ProxyParseStatus.Complete;
    }

    /// <summary>
    /// Walks the TLVs after the addresses (§2.2): each must fit in the header, so a bad length is
    /// seen rather than read past. Types are skipped, except a CRC32C, which is checked (§2.2.3: a
    /// receiver that supports it MUST treat a mismatch as invalid).
    /// </summary>
    private static bool CheckTlvs(ReadOnlySpan<byte> header, int start, out string? error)
    {
        error = null;
        int at = start;
        while (at < header.Length)
        {
            if (header.Length - at < 3)
            {
                error = "PROXY v2 TLV cut short";
                return false;
            }

            byte type = header[at];
            int length = BinaryPrimitives.ReadUInt16BigEndian(header[(at + 1)..]);
            if (length > header.Length - at - 3)
            {
                error = $"PROXY v2 TLV 0x{type:X2} of {length} bytes overruns the header";
                return false;
            }

            if (type == TypeCrc32C)
            {
                if (length != 4 || !Crc32CMatches(header, at + 3))
                {
                    error = "PROXY v2 CRC32C does not match";
                    return false;
                }
            }

            at += 3 + length;
        }

        return true;
    }

    /// <summary>§2.2.3: the CRC32c (RFC 4960 Appendix B) of the whole header with the checksum's own 4 bytes as zeroes.</summary>
    private static bool Crc32CMatches(ReadOnlySpan<byte> header, int checksumAt)
    {
        uint crc = 0xFFFFFFFF;
        for (int i = 0; i < header.Length; i++)
        {
            byte b = i >= checksumAt && i < checksumAt + 4 ? (byte)0 : header[i];
            crc = BitOperations.Crc32C(crc, b);
        }

        crc ^= 0xFFFFFFFF;
        return crc == BinaryPrimitives.ReadUInt32BigEndian(header[checksumAt..]);
    }

    private static ProxyParseStatus ParseV1(ReadOnlySpan<byte> bytes, out ProxyHeader header, out int needed, out string? error)
    {
        header = default;
        error = null;
        needed = bytes.Length + 1;
        int prefix = Math.Min(bytes.Length, V1Prefix.Length);
        if (!bytes[..prefix].SequenceEqual(V1Prefix[..prefix]))
        {
            error = "not a PROXY protocol v1 line";
            return ProxyParseStatus.Invalid;
        }

        int window = Math.Min(bytes.Length, MaxV1Bytes);
        int lf = bytes[..window].IndexOf((byte)'\n');
        if (lf < 0)
        {
            if (bytes.Length >= MaxV1Bytes)
            {
                error = $"PROXY v1 line without CRLF in its first {MaxV1Bytes} bytes";
                return ProxyParseStatus.Invalid;
            }

            int cr = bytes[..window].IndexOf((byte)'\r');
            if (cr >= 0 && cr < window - 1)
            {
                // §2.1: "must not tolerate a single CR or LF character to end the line".
                error = "PROXY v1 line with a CR not followed by LF";
                return ProxyParseStatus.Invalid;
            }

            return ProxyParseStatus.Incomplete;
        }

        if (lf == 0 || bytes[lf - 1] != '\r')
        {
            error = "PROXY v1 line ended by LF without CR";
            return ProxyParseStatus.Invalid;
        }

        var line = bytes[V1Prefix.Length..(lf - 1)];
        if (line.IndexOf((byte)'\r') >= 0)
        {
            error = "PROXY v1 line with a CR inside";
            return ProxyParseStatus.Invalid;
        }

        int length = lf + 1;
        if (line.StartsWith("UNKNOWN"u8) && (line.Length == 7 || line[7] == ' '))
        {
            // §2.1: for UNKNOWN "the receiver must ignore anything presented before the CRLF" and use the real endpoints.
            header = new ProxyHeader(1, length, null, null);
            return ProxyParseStatus.Complete;
        }

        bool v6;
        if (line.StartsWith("TCP4 "u8))
        {
            v6 = false;
        }
        else if (line.StartsWith("TCP6 "u8))
        {
            v6 = true;
        }
        else
        {
            error = "PROXY v1 line with a protocol other than TCP4, TCP6 or UNKNOWN";
            return ProxyParseStatus.Invalid;
        }

        // Exactly four fields after the family, one space apart: source, destination, source port, destination port.
        var fields = line[5..];
        Span<Range> parts = stackalloc Range[5];
        if (Split(fields, (byte)' ', parts) != 4)
        {
            error = "PROXY v1 line without exactly four fields after its protocol, one space apart";
            return ProxyParseStatus.Invalid;
        }

        if (!TryAddress(fields[parts[0]], v6, out var sourceAddress) || !TryAddress(fields[parts[1]], v6, out var destinationAddress))
        {
            error = v6 ? "PROXY v1 TCP6 line with an address that is not IPv6" : "PROXY v1 TCP4 line with an address that is not dotted-quad IPv4 without leading zeroes";
            return ProxyParseStatus.Invalid;
        }

        if (!TryPort(fields[parts[2]], out int sourcePort) || !TryPort(fields[parts[3]], out int destinationPort))
        {
            error = "PROXY v1 line with a port that is not a decimal 0-65535 without leading zeroes";
            return ProxyParseStatus.Invalid;
        }

        header = new ProxyHeader(1, length,
            Connection.Normalize(new IPEndPoint(sourceAddress, sourcePort)), Connection.Normalize(new IPEndPoint(destinationAddress, destinationPort)));
        return ProxyParseStatus.Complete;
    }

    private static bool TryAddress(ReadOnlySpan<byte> text, bool v6, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.IsEmpty || text.Length > 39)
        {
            return false;
        }

        if (!v6)
        {
            // §2.1: exactly four decimal numbers 0-255, one dot apart, no leading zeroes (no octal doubt).
            Span<Range> octets = stackalloc Range[5];
            if (Split(text, (byte)'.', octets) != 4)
            {
                return false;
            }

            Span<byte> value = stackalloc byte[4];
            for (int i = 0; i < 4; i++)
            {
                if (!TryDecimal(text[octets[i]], 255, out int octet))
                {
                    return false;
                }

                value[i] = (byte)octet;
            }

            address = new IPAddress(value);
            return true;
        }

        // §2.1: hexadecimal groups with colons, one "::" allowed, 128 bits; no zone, no dotted tail.
        foreach (byte b in text)
        {
            if (!(char.IsAsciiHexDigit((char)b) || b == ':'))
            {
                return false;
            }
        }

        Span<char> chars = stackalloc char[text.Length];
        Encoding.ASCII.GetChars(text, chars);
        if (!IPAddress.TryParse(chars, out var parsed) || parsed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>Splits at every <paramref name="separator"/> (empty parts count: two spaces make one); more parts than room gives -1.</summary>
    private static int Split(ReadOnlySpan<byte> text, byte separator, Span<Range> parts)
    {
        int count = 0;
        int start = 0;
        while (true)
        {
            if (count == parts.Length)
            {
                return -1;
            }

            int at = text[start..].IndexOf(separator);
            if (at < 0)
            {
                parts[count++] = new Range(start, text.Length);
                return count;
            }

            parts[count++] = new Range(start, start + at);
            start += at + 1;
        }
    }

    private static bool TryPort(ReadOnlySpan<byte> text, out int port) => TryDecimal(text, 65535, out port);

    private static bool TryDecimal(ReadOnlySpan<byte> text, int max, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 5 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (byte b in text)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return value <= max;
    }
}

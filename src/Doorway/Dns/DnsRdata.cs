using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Doorway.Dns;

/// <summary>
/// A record's data as the writer needs it: fixed bytes, then the names it holds, then more fixed
/// bytes. Names are kept apart so they can be compressed where RFC 3597 §4 allows it (the RFC
/// 1035 types: NS, CNAME, SOA, PTR, MX) and decompressed when read; SRV's target never is (RFC 2782).
/// </summary>
public sealed class DnsRdata
{
    private static readonly DnsName[] NoNames = [];

    public DnsRdata(byte[] prefix, DnsName[]? names = null, byte[]? suffix = null, bool compress = false)
    {
        Prefix = prefix ?? [];
        Names = names ?? NoNames;
        Suffix = suffix ?? [];
        Compress = compress;
    }

    public byte[] Prefix { get; }

    public DnsName[] Names { get; }

    public byte[] Suffix { get; }

    public bool Compress { get; }

    /// <summary>The name a CNAME, NS or PTR points at, an MX's exchange, an SRV's target (null for other types).</summary>
    public DnsName? Target(DnsType type) => type is DnsType.NS or DnsType.CNAME or DnsType.PTR or DnsType.MX or DnsType.SRV && Names.Length == 1 ? Names[0] : null;

    /// <summary>Length uncompressed.</summary>
    public int Length
    {
        get
        {
            int length = Prefix.Length + Suffix.Length;
            foreach (var name in Names)
            {
                length += name.Wire.Length;
            }

            return length;
        }
    }

    /// <summary>Whether two records hold the same data (names without case, RFC 4343).</summary>
    public bool SameAs(DnsRdata other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Prefix.AsSpan().SequenceEqual(other.Prefix) || !Suffix.AsSpan().SequenceEqual(other.Suffix) || Names.Length != other.Names.Length)
        {
            return false;
        }

        for (int i = 0; i < Names.Length; i++)
        {
            if (!Names[i].Equals(other.Names[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Presentation form, as a master file or dig shows it.</summary>
    public string Format(DnsType type)
    {
        var p = Prefix;
        switch (type)
        {
            case DnsType.A when p.Length == 4:
            case DnsType.AAAA when p.Length == 16:
                return new IPAddress(p).ToString();
            case DnsType.NS or DnsType.CNAME or DnsType.PTR when Names.Length == 1:
                return Names[0].ToString();
            case DnsType.MX when Names.Length == 1 && p.Length == 2:
                return $"{BinaryPrimitives.ReadUInt16BigEndian(p)} {Names[0]}";
            case DnsType.SRV when Names.Length == 1 && p.Length == 6:
                return $"{BinaryPrimitives.ReadUInt16BigEndian(p)} {BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(2))} {BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(4))} {Names[0]}";
            case DnsType.SOA when Names.Length == 2 && Suffix.Length == 20:
                var s = Suffix.AsSpan();
                return string.Create(CultureInfo.InvariantCulture,
                    $"{Names[0]} {Names[1]} {BinaryPrimitives.ReadUInt32BigEndian(s)} {BinaryPrimitives.ReadUInt32BigEndian(s[4..])} {BinaryPrimitives.ReadUInt32BigEndian(s[8..])} {BinaryPrimitives.ReadUInt32BigEndian(s[12..])} {BinaryPrimitives.ReadUInt32BigEndian(s[16..])}");
            case DnsType.TXT when TryFormatStrings(p, out string? strings):
                return strings;
            case DnsType.CAA when p.Length >= 2 && p[1] > 0 && 2 + p[1] <= p.Length:
                return $"{p[0]} {Encoding.ASCII.GetString(p, 2, p[1])} {Quote(p.AsSpan(2 + p[1]))}";
            default:
                // RFC 3597 §5: the generic form for data whose shape is unknown or wrong.
                return Names.Length == 0 && Suffix.Length == 0
                    ? $"\\# {p.Length}{(p.Length > 0 ? " " + Convert.ToHexString(p) : "")}"
                    : $"\\# {Length}";
        }
    }

    private static bool TryFormatStrings(byte[] data, out string text)
    {
        var builder = new StringBuilder();
        int i = 0;
        while (i < data.Length)
        {
            int length = data[i];
            if (i + 1 + length > data.Length)
            {
                text = string.Empty;
                return false;
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(Quote(data.AsSpan(i + 1, length)));
            i += 1 + length;
        }

        text = builder.ToString();
        return data.Length > 0;
    }

    /// <summary>A character-string in quotes, with \" \\ and \DDD for bytes outside printable ASCII (RFC 1035 §5.1).</summary>
    public static string Quote(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length + 2);
        builder.Append('"');
        foreach (byte b in bytes)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                builder.Append('\\').Append((char)b);
            }
            else if (b is < 32 or >= 127)
            {
                builder.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append((char)b);
            }
        }

        return builder.Append('"').ToString();
    }
}

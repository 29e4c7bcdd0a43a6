using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Doorway.Dns;

/// <summary>The data fields of one master-file record, by type (RFC 1035 §3.3, RFC 3596, RFC 2782, RFC 8659, RFC 3597 §5).</summary>
internal static class ZoneRdataParser
{
    public static DnsRdata Parse(DnsType type, List<ZoneToken> fields, DnsName? origin, string file, int line)
    {
        if (fields.Count > 0 && fields[0].Text == "\\#" && !fields[0].Quoted)
        {
            return Generic(type, fields, file, line);
        }

        switch (type)
        {
            case DnsType.A:
                Count(fields, 1, type, file, line);
                return new DnsRdata(ZoneFileParser.Address(fields[0].Text, AddressFamily.InterNetwork, file, line));
            case DnsType.AAAA:
                Count(fields, 1, type, file, line);
                return new DnsRdata(ZoneFileParser.Address(fields[0].Text, AddressFamily.InterNetworkV6, file, line));
            case DnsType.NS or DnsType.CNAME or DnsType.PTR:
                Count(fields, 1, type, file, line);
                return new DnsRdata([], [ZoneFileParser.Name(fields[0], origin, file, line)], compress: true);
            case DnsType.MX:
                Count(fields, 2, type, file, line);
                return new DnsRdata(UInt16(fields[0], "preference", file, line), [ZoneFileParser.Name(fields[1], origin, file, line)], compress: true);
            case DnsType.SRV:
                {
                    Count(fields, 4, type, file, line);
                    byte[] numbers = new byte[6];
                    for (int i = 0; i < 3; i++)
                    {
                        UInt16(fields[i], i switch { 0 => "priority", 1 => "weight", _ => "port" }, file, line).CopyTo(numbers, i * 2);
                    }

                    // RFC 2782: the target is not compressed.
                    return new DnsRdata(numbers, [ZoneFileParser.Name(fields[3], origin, file, line)]);
                }

            case DnsType.SOA:
                {
                    Count(fields, 7, type, file, line);
                    var mname = ZoneFileParser.Name(fields[0], origin, file, line);
                    var rname = ZoneFileParser.Name(fields[1], origin, file, line);
                    byte[] numbers = new byte[20];
                    if (!uint.TryParse(fields[2].Text, NumberStyles.None, CultureInfo.InvariantCulture, out uint serial))
                    {
                        throw new ZoneFileException(file, line, $"SOA serial '{fields[2].Text}' is not a 32-bit number");
                    }

                    BinaryPrimitives.WriteUInt32BigEndian(numbers, serial);
                    for (int i = 3; i < 7; i++)
                    {
                        uint value = ZoneFileParser.Ttl(fields[i].Text, file, line)
                            ?? throw new ZoneFileException(file, line, $"SOA {(i switch { 3 => "refresh", 4 => "retry", 5 => "expire", _ => "minimum" })} '{fields[i].Text}' is not a time");
                        BinaryPrimitives.WriteUInt32BigEndian(numbers.AsSpan((i - 2) * 4), value);
                    }

                    return new DnsRdata([], [mname, rname], numbers, compress: true);
                }

            case DnsType.TXT:
                {
                    if (fields.Count == 0)
                    {
                        throw new ZoneFileException(file, line, "TXT needs at least one string");
                    }

                    var data = new List<byte>();
                    foreach (var field in fields)
                    {
                        byte[] text = CharacterString(field, file, line);
                        data.Add((byte)text.Length);
                        data.AddRange(text);
                    }

                    if (data.Count > ushort.MaxValue)
                    {
                        throw new ZoneFileException(file, line, "TXT data over 65535 bytes");
                    }

                    return new DnsRdata([.. data]);
                }

            case DnsType.CAA:
                {
                    Count(fields, 3, type, file, line);
                    if (!byte.TryParse(fields[0].Text, NumberStyles.None, CultureInfo.InvariantCulture, out byte flags))
                    {
                        throw new ZoneFileException(file, line, $"CAA flags '{fields[0].Text}' is not 0-255");
                    }

                    string tag = fields[1].Text;
                    // RFC 8659 §4.1: the tag is 1-15 ASCII letters and digits.
                    if (tag.Length is 0 or > 15 || !tag.All(char.IsAsciiLetterOrDigit))
                    {
                        throw new ZoneFileException(file, line, $"CAA tag '{tag}' is not 1-15 letters and digits");
                    }

                    byte[] value = CharacterString(fields[2], file, line, limit: ushort.MaxValue);
                    byte[] data = new byte[2 + tag.Length + value.Length];
                    data[0] = flags;
                    data[1] = (byte)tag.Length;
                    Encoding.ASCII.GetBytes(tag, data.AsSpan(2));
                    value.CopyTo(data, 2 + tag.Length);
                    return new DnsRdata(data);
                }

            default:
                throw new ZoneFileException(file, line, $"{DnsRecord.TypeName(type)} records are not supported (write them in RFC 3597's generic form: \\# length hex)");
        }
    }

    private static DnsRdata Generic(DnsType type, List<ZoneToken> fields, string file, int line)
    {
        if (fields.Count < 2 || !ushort.TryParse(fields[1].Text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort length))
        {
            throw new ZoneFileException(file, line, "\\# needs a length");
        }

        string hex = string.Concat(fields.Skip(2).Select(f => f.Text));
        byte[] data;
        try
        {
            data = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new ZoneFileException(file, line, $"'{hex}' is not hexadecimal");
        }

        if (data.Length != length)
        {
            throw new ZoneFileException(file, line, $"\\# says {length} bytes, the hex has {data.Length}");
        }

        if (type is DnsType.NS or DnsType.CNAME or DnsType.PTR or DnsType.MX or DnsType.SOA or DnsType.SRV)
        {
            throw new ZoneFileException(file, line, $"{type} in the generic form: write it in its own form");
        }

        return new DnsRdata(data);
    }

    private static void Count(List<ZoneToken> fields, int count, DnsType type, string file, int line)
    {
        if (fields.Count != count)
        {
            throw new ZoneFileException(file, line, $"{type} takes {count} field{(count == 1 ? "" : "s")}, found {fields.Count}");
        }
    }

    private static byte[] UInt16(ZoneToken field, string what, string file, int line)
    {
        if (!ushort.TryParse(field.Text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort value))
        {
            throw new ZoneFileException(file, line, $"{what} '{field.Text}' is not 0-65535");
        }

        byte[] bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>A character-string's bytes: \X is X, \DDD the byte DDD, other text its UTF-8 (RFC 1035 §5.1).</summary>
    internal static byte[] CharacterString(ZoneToken field, string file, int line, int limit = 255)
    {
        var bytes = new List<byte>(field.Text.Length);
        string text = field.Text;
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                if (i + 3 < text.Length && char.IsAsciiDigit(text[i + 1]) && char.IsAsciiDigit(text[i + 2]) && char.IsAsciiDigit(text[i + 3]))
                {
                    int value = int.Parse(text.AsSpan(i + 1, 3), CultureInfo.InvariantCulture);
                    if (value > 255)
                    {
                        throw new ZoneFileException(file, line, $"\\{text.Substring(i + 1, 3)} is over 255");
                    }

                    bytes.Add((byte)value);
                    i += 3;
                    continue;
                }

                if (char.IsAsciiDigit(text[i + 1]))
                {
                    throw new ZoneFileException(file, line, "a \\DDD escape needs three digits");
                }

                c = text[++i];
            }

            if (c < 128)
            {
                bytes.Add((byte)c);
            }
            else
            {
                int count = char.IsHighSurrogate(c) && i + 1 < text.Length
                    ? Encoding.UTF8.GetBytes(text.AsSpan(i++, 2), utf8)
                    : Encoding.UTF8.GetBytes(text.AsSpan(i, 1), utf8);
                for (int j = 0; j < count; j++)
                {
                    bytes.Add(utf8[j]);
                }
            }
        }

        if (bytes.Count > limit)
        {
            throw new ZoneFileException(file, line, $"a string of {bytes.Count} bytes; at most {limit}");
        }

        return [.. bytes];
    }
}

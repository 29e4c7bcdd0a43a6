using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Doorway.Dns;

/// <summary>
/// Reads a zone in the RFC 1035 §5 master-file format: $ORIGIN, $TTL (RFC 2308 §4), '@', names
/// relative to the origin, an omitted owner meaning the previous one, TTL and class in either
/// order, TTLs with units (1h, 2d: BIND's form), and SOA NS A AAAA CNAME MX TXT PTR SRV CAA data,
/// or any type in RFC 3597's generic form (\# length hex). Every error names the file and line.
/// </summary>
public static class ZoneFileParser
{
    public static Zone Load(string path, DnsName? origin = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ZoneFileException(path, 0, $"cannot read the file: {e.Message}");
        }

        return Parse(text, path, origin);
    }

    public static Zone Parse(string text, string file, DnsName? origin = null)
    {
        var records = ParseRecords(text, file, origin, out var lines);
        return Zone.Build(records, lines, file);
    }

    /// <summary>The records in order, and the line each came from.</summary>
    internal static List<DnsRecord> ParseRecords(string text, string file, DnsName? origin, out List<int> lines)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<DnsRecord>();
        lines = [];
        uint? defaultTtl = null;
        uint? lastTtl = null;
        DnsName? owner = null;
        foreach (var entry in ZoneLexer.Read(text, file))
        {
            var tokens = entry.Tokens;
            int line = entry.Line;
            string first = tokens[0].Text;
            if (!entry.OwnerOmitted && !tokens[0].Quoted && first.StartsWith('$'))
            {
                switch (first.ToUpperInvariant())
                {
                    case "$ORIGIN":
                        Expect(tokens, 2, file, line, "$ORIGIN takes one name");
                        origin = Name(tokens[1], origin, file, line);
                        continue;
                    case "$TTL":
                        Expect(tokens, 2, file, line, "$TTL takes one TTL");
                        defaultTtl = Ttl(tokens[1].Text, file, line) ?? throw new ZoneFileException(file, line, $"'{tokens[1].Text}' is not a TTL");
                        continue;
                    default:
                        throw new ZoneFileException(file, line, $"{first} is not supported (Doorway reads $ORIGIN and $TTL)");
                }
            }

            int at = 0;
            if (!entry.OwnerOmitted)
            {
                owner = Name(tokens[0], origin, file, line);
                at = 1;
            }
            else if (owner is null)
            {
                throw new ZoneFileException(file, line, "a record with no owner and none before it");
            }

            uint? ttl = null;
            ushort? @class = null;
            DnsType type = default;
            bool typed = false;
            for (; at < tokens.Count && !typed; at++)
            {
                string field = tokens[at].Text;
                if (ttl is null && char.IsAsciiDigit(field[0]) && Ttl(field, file, line) is uint t)
                {
                    ttl = t;
                }
                else if (@class is null && field.Equals("IN", StringComparison.OrdinalIgnoreCase))
                {
                    @class = DnsFlags.ClassIn;
                }
                else if (@class is null && (field.Equals("CH", StringComparison.OrdinalIgnoreCase) || field.Equals("HS", StringComparison.OrdinalIgnoreCase) || field.StartsWith("CLASS", StringComparison.OrdinalIgnoreCase)))
                {
                    throw new ZoneFileException(file, line, $"class {field}: Doorway serves class IN only");
                }
                else if (DnsRecord.TryParseType(field, out type))
                {
                    typed = true;
                }
                else
                {
                    throw new ZoneFileException(file, line, $"'{field}' is not a TTL, a class or a record type Doorway knows");
                }
            }

            if (!typed)
            {
                throw new ZoneFileException(file, line, "a record with no type");
            }

            var data = ZoneRdataParser.Parse(type, tokens.GetRange(at, tokens.Count - at), origin, file, line);
            if (type == DnsType.SOA && ttl is null && defaultTtl is null && lastTtl is null)
            {
                // RFC 1035 has no default; BIND (and RFC 2308 §4 before $TTL) takes the SOA's minimum.
                ttl = BinaryPrimitives.ReadUInt32BigEndian(data.Suffix.AsSpan(16));
            }

            uint recordTtl = ttl ?? defaultTtl ?? lastTtl ?? throw new ZoneFileException(file, line, "no TTL: give one, or a $TTL line before");
            if (ttl is not null)
            {
                lastTtl = ttl;
            }

            records.Add(new DnsRecord(owner!, type, @class ?? DnsFlags.ClassIn, recordTtl, data));
            lines.Add(line);
        }

        return records;
    }

    internal static DnsName Name(ZoneToken token, DnsName? origin, string file, int line)
    {
        if (token.Quoted)
        {
            throw new ZoneFileException(file, line, $"a name in quotes: \"{token.Text}\"");
        }

        if (!DnsName.TryParse(token.Text, origin, out var name, out string error))
        {
            throw new ZoneFileException(file, line, error);
        }

        return name;
    }

    /// <summary>A TTL: seconds, or BIND's units (1w2d3h4m5s), at most 2^31-1 (RFC 2181 §8).</summary>
    internal static uint? Ttl(string text, string file, int line)
    {
        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint seconds))
        {
            return seconds <= int.MaxValue ? seconds : throw new ZoneFileException(file, line, $"TTL {text} is over 2147483647 (RFC 2181 §8)");
        }

        ulong total = 0;
        ulong number = 0;
        bool digits = false;
        foreach (char c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                number = (number * 10) + (ulong)(c - '0');
                digits = true;
                if (number > int.MaxValue)
                {
                    return null;
                }

                continue;
            }

            ulong unit = char.ToLowerInvariant(c) switch
            {
                'w' => 604_800,
                'd' => 86_400,
                'h' => 3_600,
                'm' => 60,
                's' => 1,
                _ => 0,
            };
            if (unit == 0 || !digits)
            {
                return null;
            }

            total += number * unit;
            number = 0;
            digits = false;
        }

        if (digits)
        {
            return null;
        }

        return total <= int.MaxValue ? (uint)total : throw new ZoneFileException(file, line, $"TTL {text} is over 2147483647 (RFC 2181 §8)");
    }

    private static void Expect(List<ZoneToken> tokens, int count, string file, int line, string what)
    {
        if (tokens.Count != count)
        {
            throw new ZoneFileException(file, line, what);
        }
    }

    internal static byte[] Address(string text, AddressFamily family, string file, int line)
    {
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != family
            || (family == AddressFamily.InterNetwork && text.Count(c => c == '.') != 3))
        {
            throw new ZoneFileException(file, line, $"'{text}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
        }

        return address.GetAddressBytes();
    }
}

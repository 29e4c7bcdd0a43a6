namespace Doorway.Dns;

/// <summary>One resource record (RFC 1035 §3.2.1): owner, type, class, TTL and data.</summary>
public sealed record DnsRecord(DnsName Owner, DnsType Type, ushort Class, uint Ttl, DnsRdata Data)
{
    public override string ToString() => $"{Owner}\t{Ttl}\t{(Class == DnsFlags.ClassIn ? "IN" : "CLASS" + Class)}\t{TypeName(Type)}\t{Data.Format(Type)}";

    /// <summary>A type's mnemonic, or TYPEnnn (RFC 3597 §5) for one Doorway has no name for.</summary>
    public static string TypeName(DnsType type) => Enum.IsDefined(type) ? type.ToString() : $"TYPE{(ushort)type}";

    /// <summary>A type from its mnemonic or TYPEnnn.</summary>
    public static bool TryParseType(string text, out DnsType type)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("TYPE", StringComparison.OrdinalIgnoreCase) && ushort.TryParse(text.AsSpan(4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ushort number))
        {
            type = (DnsType)number;
            return true;
        }

        if (!char.IsAsciiLetter(text.Length > 0 ? text[0] : '0') || !Enum.TryParse(text, ignoreCase: true, out type) || type == DnsType.OPT)
        {
            type = default;
            return false;
        }

        return true;
    }
}

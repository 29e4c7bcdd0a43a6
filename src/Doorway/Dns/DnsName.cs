using System.Text;

namespace Doorway.Dns;

/// <summary>
/// A domain name in wire form (length-prefixed labels ending in the root's empty label, RFC 1035
/// §3.1), with its letters as written: equality and hashing ignore ASCII case (RFC 4343), the
/// bytes keep it, so an answer can carry the case the client asked in (the 0x20 trick).
/// </summary>
public sealed class DnsName : IEquatable<DnsName>
{
    /// <summary>At most 255 bytes in wire form, each label at most 63 (RFC 1035 §2.3.4).</summary>
    public const int MaxLength = 255;

    public const int MaxLabelLength = 63;

    private readonly byte[] _wire;
    private readonly int _hash;

    private DnsName(byte[] wire)
    {
        _wire = wire;
        _hash = Hash(wire);
    }

    public static DnsName Root { get; } = new([0]);

    /// <summary>The name in wire form, uncompressed.</summary>
    public ReadOnlySpan<byte> Wire => _wire;

    public int LabelCount
    {
        get
        {
            int count = 0;
            for (int i = 0; _wire[i] != 0; i += _wire[i] + 1)
            {
                count++;
            }

            return count;
        }
    }

    public bool IsRoot => _wire.Length == 1;

    /// <summary>A name from wire bytes already checked (a reader's output); copies them.</summary>
    public static DnsName FromWire(ReadOnlySpan<byte> wire) => wire.Length == 1 ? Root : new(wire.ToArray());

    /// <summary>Parses presentation form ("www.example.test." or "www" with an origin to append), with \. and \DDD escapes.</summary>
    public static bool TryParse(string text, DnsName? origin, out DnsName name, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        name = Root;
        error = string.Empty;
        if (text == ".")
        {
            return true;
        }

        if (text == "@")
        {
            if (origin is null)
            {
                error = "'@' with no origin";
                return false;
            }

            name = origin;
            return true;
        }

        Span<byte> wire = stackalloc byte[MaxLength + 64];
        int labelStart = 0;
        wire[0] = 0;
        int length = 1;
        bool absolute = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            int b;
            if (c == '.')
            {
                int labelLength = length - labelStart - 1;
                if (labelLength == 0)
                {
                    error = $"empty label in '{text}'";
                    return false;
                }

                if (i == text.Length - 1)
                {
                    absolute = true;
                    break;
                }

                labelStart = length;
                wire[length++] = 0;
                continue;
            }

            if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    error = $"'{text}' ends in a backslash";
                    return false;
                }

                if (char.IsAsciiDigit(text[i + 1]))
                {
                    if (i + 3 >= text.Length || !char.IsAsciiDigit(text[i + 2]) || !char.IsAsciiDigit(text[i + 3]))
                    {
                        error = $"bad \\DDD escape in '{text}'";
                        return false;
                    }

                    b = ((text[i + 1] - '0') * 100) + ((text[i + 2] - '0') * 10) + (text[i + 3] - '0');
                    if (b > 255)
                    {
                        error = $"\\DDD escape over 255 in '{text}'";
                        return false;
                    }

                    i += 3;
                }
                else
                {
                    b = text[++i];
                }
            }
            else
            {
                b = c;
            }

            if (b > 127 && c != '\\')
            {
                error = $"'{text}' has a character that is not ASCII (write it as \\DDD)";
                return false;
            }

            if (length - labelStart - 1 >= MaxLabelLength)
            {
                error = $"a label longer than {MaxLabelLength} bytes in '{text}'";
                return false;
            }

            if (length >= MaxLength)
            {
                error = $"'{text}' is longer than {MaxLength} bytes";
                return false;
            }

            wire[length++] = (byte)b;
            wire[labelStart]++;
        }

        if (!absolute && origin is null)
        {
            error = $"relative name '{text}' with no origin";
            return false;
        }

        // Close the last label with the root, or with the origin's labels.
        ReadOnlySpan<byte> tail = absolute ? [0] : origin!.Wire;
        if (length + tail.Length > MaxLength)
        {
            error = $"'{text}' is longer than {MaxLength} bytes";
            return false;
        }

        tail.CopyTo(wire[length..]);
        length += tail.Length;
        name = new DnsName(wire[..length].ToArray());
        return true;
    }

    public static DnsName Parse(string text)
    {
        if (!TryParse(text, null, out var name, out string error))
        {
            throw new FormatException(error);
        }

        return name;
    }

    /// <summary>The name with its first label removed; the root's parent is the root.</summary>
    public DnsName Parent() => IsRoot ? this : FromWire(_wire.AsSpan(_wire[0] + 1));

    /// <summary>Whether this name is <paramref name="ancestor"/> or below it.</summary>
    public bool IsAtOrBelow(DnsName ancestor)
    {
        ArgumentNullException.ThrowIfNull(ancestor);
        return IsAtOrBelow(_wire, ancestor._wire);
    }

    /// <summary>Whether the wire name <paramref name="name"/> equals <paramref name="ancestor"/> or ends in it at a label boundary.</summary>
    public static bool IsAtOrBelow(ReadOnlySpan<byte> name, ReadOnlySpan<byte> ancestor)
    {
        int offset = 0;
        while (name.Length - offset > ancestor.Length)
        {
            offset += name[offset] + 1;
        }

        return name.Length - offset == ancestor.Length && EqualsIgnoreCase(name[offset..], ancestor);
    }

    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (Lower(a[i]) != Lower(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Hash of a wire name without case; the same for a <see cref="DnsName"/> and its bytes.</summary>
    public static int Hash(ReadOnlySpan<byte> wire)
    {
        // FNV-1a over the lower-cased bytes: the table is built from the operator's own zones.
        uint hash = 2166136261;
        foreach (byte b in wire)
        {
            hash = (hash ^ Lower(b)) * 16777619;
        }

        return (int)hash;
    }

    public static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

    public bool Equals(DnsName? other) => other is not null && (ReferenceEquals(this, other) || (_hash == other._hash && EqualsIgnoreCase(_wire, other._wire)));

    public override bool Equals(object? obj) => obj is DnsName other && Equals(other);

    public override int GetHashCode() => _hash;

    public override string ToString() => Format(_wire);

    /// <summary>Presentation form of a wire name, absolute (ending in a dot), with escapes for dots and bytes outside printable ASCII.</summary>
    public static string Format(ReadOnlySpan<byte> wire)
    {
        if (wire.Length <= 1)
        {
            return ".";
        }

        var text = new StringBuilder(wire.Length + 4);
        int i = 0;
        while (i < wire.Length && wire[i] != 0)
        {
            int length = wire[i];
            foreach (byte b in wire.Slice(i + 1, length))
            {
                if (b is (byte)'.' or (byte)'\\' or (byte)'"' or (byte)'(' or (byte)')' or (byte)';' or (byte)'@' or (byte)'$')
                {
                    text.Append('\\').Append((char)b);
                }
                else if (b is <= 32 or >= 127)
                {
                    text.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append((char)b);
                }
            }

            text.Append('.');
            i += length + 1;
        }

        return text.ToString();
    }
}

using System.Buffers.Binary;

namespace Doorway.Dns;

/// <summary>
/// Reads a DNS message in place. Every read is bounds-checked and reports failure instead of
/// throwing, so a hostile datagram costs a FORMERR, not an exception. Names are decompressed into
/// a caller's buffer; a compression pointer must point strictly before the label that holds it
/// (RFC 1035 §4.1.4 only ever points back to an earlier occurrence), which makes a loop impossible.
/// </summary>
public ref struct DnsReader
{
    private readonly ReadOnlySpan<byte> _message;
    private int _position;

    public DnsReader(ReadOnlySpan<byte> message, int position = 0)
    {
        _message = message;
        _position = position;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _message.Length - _position;

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_message[_position..]);
        _position += 2;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_message[_position..]);
        _position += 4;
        return true;
    }

    public bool TrySkip(int count)
    {
        if (count < 0 || Remaining < count)
        {
            return false;
        }

        _position += count;
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count < 0 || Remaining < count)
        {
            bytes = default;
            return false;
        }

        bytes = _message.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>Reads a (possibly compressed) name into <paramref name="wire"/> (at least 255 bytes); returns its length, or -1 when malformed.</summary>
    public int ReadName(scoped Span<byte> wire)
    {
        int end = ReadNameAt(_message, _position, wire, out int next);
        if (end > 0)
        {
            _position = next;
        }

        return end;
    }

    /// <summary>Skips a name without copying it; false when malformed.</summary>
    public bool TrySkipName()
    {
        Span<byte> scratch = stackalloc byte[DnsName.MaxLength];
        return ReadName(scratch) > 0;
    }

    /// <summary>
    /// Reads the name at <paramref name="start"/> of <paramref name="message"/>; <paramref name="next"/>
    /// is the offset after it where it first appears (after the first pointer, if any).
    /// </summary>
    public static int ReadNameAt(ReadOnlySpan<byte> message, int start, Span<byte> wire, out int next)
    {
        next = -1;
        int position = start;
        int length = 0;
        // Every pointer must go strictly below the lowest offset read so far.
        int limit = start;
        while (true)
        {
            if (position >= message.Length)
            {
                return -1;
            }

            byte b = message[position];
            switch (b & 0xC0)
            {
                case 0x00:
                    if (b == 0)
                    {
                        if (length + 1 > DnsName.MaxLength || wire.Length < length + 1)
                        {
                            return -1;
                        }

                        wire[length++] = 0;
                        if (next < 0)
                        {
                            next = position + 1;
                        }

                        return length;
                    }

                    if (position + 1 + b > message.Length || length + 1 + b + 1 > DnsName.MaxLength || wire.Length < length + 1 + b + 1)
                    {
                        return -1;
                    }

                    message.Slice(position, 1 + b).CopyTo(wire[length..]);
                    length += 1 + b;
                    position += 1 + b;
                    break;
                case 0xC0:
                    if (position + 1 >= message.Length)
                    {
                        return -1;
                    }

                    int target = ((b & 0x3F) << 8) | message[position + 1];
                    if (target >= limit)
                    {
                        return -1;
                    }

                    if (next < 0)
                    {
                        next = position + 2;
                    }

                    limit = target;
                    position = target;
                    break;
                default:
                    // 0x40 and 0x80: extended label types (RFC 6891 §5 retired them); not a name we can read.
                    return -1;
            }
        }
    }
}

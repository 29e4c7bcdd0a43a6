using System.Buffers.Binary;

namespace Doorway.Dns;

/// <summary>
/// Writes a DNS message into a caller's buffer, compressing names against those already written
/// (RFC 1035 §4.1.4). Nothing is allocated: the table of compressible offsets is the caller's
/// span. A write that does not fit returns false and leaves the message as it was, so the caller
/// can set TC (RFC 2181 §9) or leave an optional record out.
/// </summary>
public ref struct DnsWriter
{
    private readonly Span<byte> _buffer;
    private readonly Span<ushort> _offsets;
    private int _offsetCount;
    private int _position;

    public DnsWriter(Span<byte> buffer, Span<ushort> compressionOffsets)
    {
        _buffer = buffer;
        _offsets = compressionOffsets;
    }

    public readonly int Position => _position;

    public readonly Span<byte> Written => _buffer[.._position];

    /// <summary>A point to return to: the position and the compression table's size.</summary>
    public readonly (int Position, int Offsets) Mark => (_position, _offsetCount);

    public void Reset((int Position, int Offsets) mark)
    {
        _position = mark.Position;
        _offsetCount = mark.Offsets;
    }

    public bool TryWriteUInt16(ushort value)
    {
        if (_buffer.Length - _position < 2)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], value);
        _position += 2;
        return true;
    }

    public bool TryWriteUInt32(uint value)
    {
        if (_buffer.Length - _position < 4)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
        _position += 4;
        return true;
    }

    public bool TryWriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _position < bytes.Length)
        {
            return false;
        }

        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
        return true;
    }

    public readonly void PatchUInt16(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer[offset..], value);

    /// <summary>Writes a wire name, as a pointer to an earlier copy of its longest known suffix when <paramref name="compress"/>.</summary>
    public bool TryWriteName(ReadOnlySpan<byte> wire, bool compress)
    {
        var mark = Mark;
        int label = 0;
        while (wire[label] != 0)
        {
            var suffix = wire[label..];
            if (compress && FindSuffix(suffix) is int pointer and >= 0)
            {
                if (!TryWriteUInt16((ushort)(0xC000 | pointer)))
                {
                    Reset(mark);
                    return false;
                }

                return true;
            }

            int length = wire[label] + 1;
            if (_buffer.Length - _position < length)
            {
                Reset(mark);
                return false;
            }

            // Offsets past 14 bits cannot be pointed at.
            if (_position < 0x4000 && _offsetCount < _offsets.Length)
            {
                _offsets[_offsetCount++] = (ushort)_position;
            }

            wire.Slice(label, length).CopyTo(_buffer[_position..]);
            _position += length;
            label += length;
        }

        if (_buffer.Length - _position < 1)
        {
            Reset(mark);
            return false;
        }

        _buffer[_position++] = 0;
        return true;
    }

    private readonly int FindSuffix(ReadOnlySpan<byte> suffix)
    {
        for (int i = 0; i < _offsetCount; i++)
        {
            if (SameNameAt(_offsets[i], suffix))
            {
                return _offsets[i];
            }
        }

        return -1;
    }

    /// <summary>Whether the (possibly compressed) name already written at <paramref name="offset"/> is <paramref name="wire"/>, without case.</summary>
    private readonly bool SameNameAt(int offset, ReadOnlySpan<byte> wire)
    {
        int at = 0;
        int hops = 0;
        while (true)
        {
            byte b = _buffer[offset];
            if ((b & 0xC0) == 0xC0)
            {
                // Our own pointers go back only; the bound is a guard all the same.
                if (++hops > 128)
                {
                    return false;
                }

                offset = ((b & 0x3F) << 8) | _buffer[offset + 1];
                continue;
            }

            if (b != wire[at])
            {
                return false;
            }

            if (b == 0)
            {
                return true;
            }

            if (!DnsName.EqualsIgnoreCase(_buffer.Slice(offset + 1, b), wire.Slice(at + 1, b)))
            {
                return false;
            }

            offset += b + 1;
            at += b + 1;
        }
    }

    /// <summary>Writes one record; false (and nothing written) when it does not fit.</summary>
    public bool TryWriteRecord(ReadOnlySpan<byte> owner, DnsType type, ushort @class, uint ttl, DnsRdata data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var mark = Mark;
        if (!TryWriteName(owner, compress: true) || !TryWriteUInt16((ushort)type) || !TryWriteUInt16(@class) || !TryWriteUInt32(ttl))
        {
            Reset(mark);
            return false;
        }

        int lengthAt = _position;
        if (!TryWriteUInt16(0) || !TryWriteBytes(data.Prefix))
        {
            Reset(mark);
            return false;
        }

        foreach (var name in data.Names)
        {
            if (!TryWriteName(name.Wire, data.Compress))
            {
                Reset(mark);
                return false;
            }
        }

        if (!TryWriteBytes(data.Suffix))
        {
            Reset(mark);
            return false;
        }

        PatchUInt16(lengthAt, (ushort)(_position - lengthAt - 2));
        return true;
    }
}

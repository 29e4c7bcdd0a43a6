using System.Buffers;
using System.Text;

namespace Doorway.Capitalize;

/// <summary>
/// Streaming UTF-8 upper-casing with Unicode full case mapping, byte-for-byte as Python's
/// <c>str.upper()</c> (see scripts/generate-case-table.py). A sequence split across two
/// chunks is joined; bytes that are not valid UTF-8 pass through unchanged. Allocates nothing.
/// </summary>
/// <remarks>
/// A mutable struct: keep it in one place (a field or a local) for the whole stream and call it there.
/// </remarks>
public struct UpperCaser
{
    /// <summary>Greatest ratio of output to input bytes ("ΐ", 2 bytes, becomes 6).</summary>
    public const int MaxExpansion = UpperCaseTable.MaxExpansion;

    // Bytes of an incomplete sequence at the end of the last chunk (at most 3), low byte first.
    private uint _pending;
    private int _pendingCount;

    /// <summary>Bytes held back from the last chunk because a sequence was cut there.</summary>
    public readonly int PendingCount => _pendingCount;

    /// <summary>Destination size that always suffices for <see cref="Transform"/> of <paramref name="sourceLength"/> bytes.</summary>
    public static int MaxOutputLength(int sourceLength) => checked((sourceLength + 3) * MaxExpansion);

    /// <summary>
    /// Upper-cases <paramref name="source"/> into <paramref name="destination"/>, which must hold
    /// <see cref="MaxOutputLength"/>(source.Length) bytes. An incomplete sequence at the end is held
    /// for the next call (or <see cref="Flush"/>). Returns the bytes written.
    /// </summary>
    public int Transform(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = 0;
        if (_pendingCount > 0)
        {
            written = JoinPending(ref source, destination);
            if (_pendingCount > 0)
            {
                return written;
            }
        }

        while (!source.IsEmpty)
        {
            // ASCII runs go through the vectorized paths; they stop at the first non-ASCII byte.
            int steps = AsciiUpper.ToUpperSteps(source, destination[written..]);
            written += steps;
            source = source[steps..];
            Ascii.ToUpper(source, destination[written..], out int ascii);
            written += ascii;
            source = source[ascii..];

            while (!source.IsEmpty && source[0] >= 0x80)
            {
                var status = Rune.DecodeFromUtf8(source, out var rune, out int consumed);
                if (status == OperationStatus.NeedMoreData)
                {
                    Hold(source);
                    return written;
                }

                written += status == OperationStatus.Done
                    ? WriteUpper(rune, source[..consumed], destination[written..])
                    : Copy(source[..consumed], destination[written..]);
                source = source[consumed..];
            }
        }

        return written;
    }

    /// <summary>
    /// Ends the stream: writes the held bytes of a cut sequence unchanged (at most 3) and resets.
    /// </summary>
    public int Flush(Span<byte> destination)
    {
        int count = _pendingCount;
        for (int i = 0; i < count; i++)
        {
            destination[i] = (byte)(_pending >> (8 * i));
        }

        _pending = 0;
        _pendingCount = 0;
        return count;
    }

    /// <summary>Upper-cases a whole message (a datagram): transform and flush in one call.</summary>
    public static int TransformWhole(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var caser = default(UpperCaser);
        int written = caser.Transform(source, destination);
        return written + caser.Flush(destination[written..]);
    }

    /// <summary>Completes the held sequence with the first bytes of <paramref name="source"/>.</summary>
    private int JoinPending(ref ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = 0;
        Span<byte> joined = stackalloc byte[4];
        while (_pendingCount > 0)
        {
            int held = _pendingCount;
            for (int i = 0; i < held; i++)
            {
                joined[i] = (byte)(_pending >> (8 * i));
            }

            int take = Math.Min(4 - held, source.Length);
            source[..take].CopyTo(joined[held..]);
            var candidate = joined[..(held + take)];
            var status = Rune.DecodeFromUtf8(candidate, out var rune, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                // Still incomplete: all of source (take == source.Length here) joins the held bytes.
                Hold(candidate);
                source = default;
                return written;
            }

            written += status == OperationStatus.Done
                ? WriteUpper(rune, candidate[..consumed], destination[written..])
                : Copy(candidate[..consumed], destination[written..]);

            if (consumed >= held)
            {
                source = source[(consumed - held)..];
                _pending = 0;
                _pendingCount = 0;
            }
            else
            {
                // Invalid bytes were only part of what was held: the rest is decoded again.
                _pending >>= 8 * consumed;
                _pendingCount = held - consumed;
            }
        }

        return written;
    }

    private void Hold(ReadOnlySpan<byte> incomplete)
    {
        uint pending = 0;
        for (int i = 0; i < incomplete.Length; i++)
        {
            pending |= (uint)incomplete[i] << (8 * i);
        }

        _pending = pending;
        _pendingCount = incomplete.Length;
    }

    private static int WriteUpper(Rune rune, ReadOnlySpan<byte> original, Span<byte> destination)
    {
        int value = rune.Value;
        ushort entry = UpperCaseTable.Stage2[
            (UpperCaseTable.Stage1[value >> UpperCaseTable.BlockBits] << UpperCaseTable.BlockBits)
            | (value & UpperCaseTable.BlockMask)];
        switch (entry)
        {
            case UpperCaseTable.Identity:
                return Copy(original, destination);
            case UpperCaseTable.Defer:
                return Rune.ToUpperInvariant(rune).EncodeToUtf8(destination);
            default:
                var mapping = UpperCaseTable.MappingBytes.AsSpan(UpperCaseTable.MappingStart[entry], UpperCaseTable.MappingLength[entry]);
                return Copy(mapping, destination);
        }
    }

    private static int Copy(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }
}

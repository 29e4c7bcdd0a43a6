using System.Buffers.Text;
using System.Text;

namespace Doorway.Http;

/// <summary>A byte range (RFC 9110 §14.1.2) of a representation of known length.</summary>
internal readonly record struct ByteRange(long Start, long Length)
{
    /// <summary>What <see cref="Parse"/> returns for a Range header to ignore: the whole representation is sent (200).</summary>
    public const int Ignore = -1;

    /// <summary>
    /// Ranges closer than this are sent as one part (RFC 9110 §15.3.7.2 allows coalescing ranges
    /// "separated by a gap that is smaller than the overhead of sending multiple parts"): a part's
    /// boundary, Content-Type and Content-Range lines take about this much.
    /// </summary>
    public const long PartOverheadBytes = 80;

    public long End => Start + Length - 1;

    /// <summary>
    /// Reads a Range header ("bytes=0-4, 10-, -3") for a representation of <paramref name="length"/>
    /// bytes into <paramref name="ranges"/>, in the order asked, overlapping or nearly adjacent
    /// ranges coalesced (§15.3.7.2). Returns how many were written; 0 when none is satisfiable
    /// (416, §14.1.1: every first-pos at or past the end, or a suffix of 0); <see cref="Ignore"/>
    /// when the header is not to be honoured: another unit, malformed (§14.2: then ignored), more
    /// ranges than <paramref name="ranges"/> holds (a cap against a request for a thousand
    /// one-byte parts, which §14.2 lets a server ignore), or a suffix range of an empty
    /// representation, which is satisfiable and is the whole of it (§14.1.3).
    /// </summary>
    public static int Parse(ReadOnlySpan<byte> header, long length, Span<ByteRange> ranges)
    {
        // §14.1: range units are case-insensitive ("Bytes=0-4").
        int equals = header.IndexOf((byte)'=');
        if (equals < 0 || !Ascii.EqualsIgnoreCase(header[..equals], "bytes"u8))
        {
            return Ignore;
        }

        var set = header[(equals + 1)..];
        int count = 0;
        bool any = false;
        bool emptySuffix = false;
        foreach (var part in set.Split((byte)','))
        {
            // 1#range-spec: OWS around each element, and empty elements are allowed (RFC 9110 §5.6.1.2).
            var spec = set[part].Trim(" \t"u8);
            if (spec.IsEmpty)
            {
                continue;
            }

            any = true;
            if (!TryRange(spec, length, out var range, out bool satisfiable, out bool suffix))
            {
                return Ignore;
            }

            emptySuffix |= suffix && length == 0 && satisfiable;
            if (!satisfiable || length == 0)
            {
                continue;
            }

            if (count == ranges.Length)
            {
                return Ignore;
            }

            ranges[count++] = range;
        }

        if (!any)
        {
            return Ignore;
        }

        return emptySuffix ? Ignore : Coalesce(ranges[..count]);
    }

    /// <summary>
    /// One range-spec: first "-" [last], or "-" suffix. False when it is malformed (last before
    /// first, not digits): the whole header is then ignored.
    /// </summary>
    private static bool TryRange(ReadOnlySpan<byte> spec, long length, out ByteRange range, out bool satisfiable, out bool suffix)
    {
        range = default;
        satisfiable = false;
        suffix = false;
        int dash = spec.IndexOf((byte)'-');
        if (dash < 0)
        {
            return false;
        }

        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.IsEmpty)
        {
            // §14.1.3: the last n bytes, or all of a shorter representation.
            if (!TryNumber(last, out long wanted))
            {
                return false;
            }

            suffix = true;
            satisfiable = wanted > 0;
            long take = Math.Min(wanted, length);
            range = new ByteRange(length - take, take);
            return true;
        }

        if (!TryNumber(first, out long start))
        {
            return false;
        }

        long end = length - 1;
        if (!last.IsEmpty)
        {
            if (!TryNumber(last, out long lastByte) || lastByte < start)
            {
                return false;
            }

            end = Math.Min(lastByte, length - 1);
        }

        satisfiable = start < length;
        range = satisfiable ? new ByteRange(start, end - start + 1) : default;
        return true;
    }

    /// <summary>Merges every range into the first one it overlaps or nearly touches, keeping the order of the rest.</summary>
    private static int Coalesce(Span<ByteRange> ranges)
    {
        int count = ranges.Length;
        bool merged = true;
        while (merged)
        {
            merged = false;
            for (int i = 0; i < count && !merged; i++)
            {
                for (int j = i + 1; j < count; j++)
                {
                    var a = ranges[i];
                    var b = ranges[j];
                    if (b.Start <= a.End + 1 + PartOverheadBytes && a.Start <= b.End + 1 + PartOverheadBytes)
                    {
                        long start = Math.Min(a.Start, b.Start);
                        ranges[i] = new ByteRange(start, Math.Max(a.End, b.End) - start + 1);
                        ranges[(j + 1)..count].CopyTo(ranges[j..]);
                        count--;
                        merged = true;
                        break;
                    }
                }
            }
        }

        return count;
    }

    private static bool TryNumber(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        return !text.IsEmpty && text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
            && Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length;
    }
}

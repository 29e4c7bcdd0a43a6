using System.Buffers.Text;

namespace Doorway.Http;

/// <summary>A single byte range (RFC 9110 §14): what a Range header asks of a file of a given length.</summary>
internal readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length - 1;

    /// <summary>
    /// Reads "bytes=a-b", "bytes=a-" or "bytes=-n". Returns false when the header is to be ignored
    /// (not bytes, malformed, or several ranges, which RFC 9110 lets a server answer with the whole file).
    /// <paramref name="satisfiable"/> is false for a well-formed range that misses the file (416).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> header, long fileLength, out ByteRange range, out bool satisfiable)
    {
        range = default;
        satisfiable = false;
        if (!header.StartsWith("bytes="u8))
        {
            return false;
        }

        var spec = header["bytes="u8.Length..].Trim(" \t"u8);
        int dash = spec.IndexOf((byte)'-');
        if (dash < 0 || spec.Contains((byte)','))
        {
            return false;
        }

        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.IsEmpty)
        {
            // A suffix: the last n bytes.
            if (!TryNumber(last, out long suffix))
            {
                return false;
            }

            satisfiable = suffix > 0 && fileLength > 0;
            long length = Math.Min(suffix, fileLength);
            range = new ByteRange(fileLength - length, length);
            return true;
        }

        if (!TryNumber(first, out long start))
        {
            return false;
        }

        long end = fileLength - 1;
        if (!last.IsEmpty)
        {
            if (!TryNumber(last, out long lastByte) || lastByte < start)
            {
                return false;
            }

            end = Math.Min(lastByte, fileLength - 1);
        }

        satisfiable = start < fileLength;
        range = satisfiable ? new ByteRange(start, end - start + 1) : default;
        return true;
    }

    private static bool TryNumber(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        return !text.IsEmpty && text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
            && Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length;
    }
}

using System.Buffers.Text;
using Doorway.Http;

namespace Doorway.Files;

internal sealed partial class FileResponder
{
    /// <summary>Longest ETag: two quotes, a dash, and two 64-bit numbers in hex.</summary>
    private const int MaxETagBytes = 40;

    private async ValueTask SendFileAsync(HttpRequest request, HttpResponse response, OpenedFile file, string contentType, string? target)
    {
        if (NotModified(request, file))
        {
            response.Start(304);
            WriteETag(response, file);
            response.DateHeader("Last-Modified"u8, LastModified(file));
            await response.SendAsync(ReadOnlyMemory<byte>.Empty, Exchange);
            return;
        }

        string? digest = await _digests.GetAsync(file);
        var (range, unsatisfiable) = ChooseRange(request, file);
        if (unsatisfiable)
        {
            response.Start(416);
            WriteContentRange(response, null, file.Length);
            WriteDigest(response, digest);
            await response.SendAsync(ReadOnlyMemory<byte>.Empty, Exchange);
            return;
        }

        response.Start(range is null ? 200 : 206);
        response.Header("Content-Type"u8, contentType);
        if (range is { } r)
        {
            WriteContentRange(response, r, file.Length);
        }

        response.Header("Accept-Ranges"u8, "bytes"u8);
        response.DateHeader("Last-Modified"u8, LastModified(file));
        WriteETag(response, file);
        WriteDigest(response, digest);
        await response.SendFileAsync(file.Handle, range?.Start ?? 0, range?.Length ?? file.Length, Exchange);
    }

    /// <summary>Last-Modified has whole seconds (RFC 9110 §5.6.7), so validators compare at that precision.</summary>
    private static DateTimeOffset LastModified(OpenedFile file) => HttpDate.Truncate(new DateTimeOffset(file.ModifiedUtc, TimeSpan.Zero));

    /// <summary>The range to send (null: the whole file), or that the asked range misses the file (416).</summary>
    private static (ByteRange? Range, bool Unsatisfiable) ChooseRange(HttpRequest request, OpenedFile version)
    {
        var headers = request.Headers;
        if (request.Method != RequestMethod.Get || !headers.TryGet("range"u8, out var asked)
            || !ByteRange.TryParse(asked, version.Length, out var range, out bool satisfiable)
            || (headers.TryGet("if-range"u8, out var ifRange) && !IfRangeHolds(ifRange, version)))
        {
            return (null, false);
        }

        return satisfiable ? (range, false) : (null, true);
    }

    private static void WriteDigest(HttpResponse response, string? digest)
    {
        if (digest is not null)
        {
            response.Header("Repr-Digest"u8, digest);
        }
    }

    private static void WriteETag(HttpResponse response, OpenedFile version)
    {
        Span<byte> etag = stackalloc byte[MaxETagBytes];
        response.Header("ETag"u8, etag[..FormatETag(version.ModifiedUtc, version.Length, etag)]);
    }

    /// <summary>"Content-Range: bytes a-b/n", or "bytes */n" for a 416 (RFC 9110 §14.4).</summary>
    private static void WriteContentRange(HttpResponse response, ByteRange? range, long total)
    {
        Span<byte> value = stackalloc byte[6 + (3 * 20) + 2];
        "bytes "u8.CopyTo(value);
        int length = 6;
        if (range is { } r)
        {
            Utf8Formatter.TryFormat(r.Start, value[length..], out int written);
            length += written;
            value[length++] = (byte)'-';
            Utf8Formatter.TryFormat(r.End, value[length..], out written);
            length += written;
        }
        else
        {
            value[length++] = (byte)'*';
        }

        value[length++] = (byte)'/';
        Utf8Formatter.TryFormat(total, value[length..], out int totalLength);
        response.Header("Content-Range"u8, value[..(length + totalLength)]);
    }

    /// <summary>A strong validator from the version's exact modification time and length, like nginx's.</summary>
    internal static int FormatETag(DateTime modified, long length, Span<byte> destination)
    {
        destination[0] = (byte)'"';
        int position = 1;
        Utf8Formatter.TryFormat(modified.Ticks, destination[position..], out int written, new System.Buffers.StandardFormat('x'));
        position += written;
        destination[position++] = (byte)'-';
        Utf8Formatter.TryFormat(length, destination[position..], out written, new System.Buffers.StandardFormat('x'));
        position += written;
        destination[position++] = (byte)'"';
        return position;
    }

    /// <summary>RFC 9110 §13.1.2–3: If-None-Match (weak comparison) wins over If-Modified-Since.</summary>
    private static bool NotModified(HttpRequest request, OpenedFile version)
    {
        var headers = request.Headers;
        if (headers.TryGet("if-none-match"u8, out var tags))
        {
            Span<byte> etag = stackalloc byte[MaxETagBytes];
            etag = etag[..FormatETag(version.ModifiedUtc, version.Length, etag)];
            foreach (var part in tags.Split((byte)','))
            {
                var tag = tags[part].Trim(" \t"u8);
                if (tag.StartsWith("W/"u8))
                {
                    tag = tag[2..];
                }

                if (tag.SequenceEqual("*"u8) || tag.SequenceEqual(etag))
                {
                    return true;
                }
            }

            return false;
        }

        return headers.TryGet("if-modified-since"u8, out var since)
            && HttpDate.TryParse(since, out var date)
            && LastModified(version) <= date;
    }

    /// <summary>RFC 9110 §13.1.5: the range is sent only if the validator is the current one (strong comparison).</summary>
    private static bool IfRangeHolds(ReadOnlySpan<byte> value, OpenedFile version)
    {
        if (value.StartsWith("\""u8))
        {
            Span<byte> etag = stackalloc byte[MaxETagBytes];
            return value.SequenceEqual(etag[..FormatETag(version.ModifiedUtc, version.Length, etag)]);
        }

        return HttpDate.TryParse(value, out var date) && date == LastModified(version);
    }
}

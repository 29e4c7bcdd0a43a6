using System.Buffers.Text;
using Doorway.Http;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Files;

internal sealed partial class FileResponder
{
    /// <summary>Longest ETag: two quotes, a dash, and two 64-bit numbers in hex.</summary>
    private const int MaxETagBytes = 40;

    private async ValueTask SendFileAsync(HttpRequest request, HttpResponse response, string path, string? target)
    {
        // A bare handle: a FileStream (more fstat and lseek calls) is never needed.
        SafeFileHandle file;
        try
        {
            file = FileConnectionHandler.OpenHandle(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Refused(request, target, e.Message);
            await response.SendErrorAsync(404, Exchange);
            return;
        }

        using (file)
        {
            var version = new FileVersion(RandomAccess.GetLength(file), File.GetLastWriteTimeUtc(file));
            if (NotModified(request, version))
            {
                response.Start(304);
                WriteETag(response, version);
                response.DateHeader("Last-Modified"u8, version.LastModified);
                await response.SendAsync(ReadOnlyMemory<byte>.Empty, Exchange);
                return;
            }

            string? digest = await _digests.GetAsync(path, version.Length, version.Modified);
            var (range, unsatisfiable) = ChooseRange(request, version);
            if (unsatisfiable)
            {
                response.Start(416);
                WriteContentRange(response, null, version.Length);
                WriteDigest(response, digest);
                await response.SendAsync(ReadOnlyMemory<byte>.Empty, Exchange);
                return;
            }

            response.Start(range is null ? 200 : 206);
            response.Header("Content-Type"u8, ContentTypes.For(path));
            if (range is { } r)
            {
                WriteContentRange(response, r, version.Length);
            }

            response.Header("Accept-Ranges"u8, "bytes"u8);
            response.DateHeader("Last-Modified"u8, version.LastModified);
            WriteETag(response, version);
            WriteDigest(response, digest);
            await response.SendFileAsync(file, range?.Start ?? 0, range?.Length ?? version.Length, Exchange);
        }
    }

    /// <summary>The range to send (null: the whole file), or that the asked range misses the file (416).</summary>
    private static (ByteRange? Range, bool Unsatisfiable) ChooseRange(HttpRequest request, FileVersion version)
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

    private static void WriteETag(HttpResponse response, FileVersion version)
    {
        Span<byte> etag = stackalloc byte[MaxETagBytes];
        response.Header("ETag"u8, etag[..FormatETag(version.Modified, version.Length, etag)]);
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
    private static bool NotModified(HttpRequest request, FileVersion version)
    {
        var headers = request.Headers;
        if (headers.TryGet("if-none-match"u8, out var tags))
        {
            Span<byte> etag = stackalloc byte[MaxETagBytes];
            etag = etag[..FormatETag(version.Modified, version.Length, etag)];
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
            && version.LastModified <= date;
    }

    /// <summary>RFC 9110 §13.1.5: the range is sent only if the validator is the current one (strong comparison).</summary>
    private static bool IfRangeHolds(ReadOnlySpan<byte> value, FileVersion version)
    {
        if (value.StartsWith("\""u8))
        {
            Span<byte> etag = stackalloc byte[MaxETagBytes];
            return value.SequenceEqual(etag[..FormatETag(version.Modified, version.Length, etag)]);
        }

        return HttpDate.TryParse(value, out var date) && date == version.LastModified;
    }
}

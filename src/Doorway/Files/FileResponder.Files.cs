using System.Buffers.Text;
using Doorway.Http;

namespace Doorway.Files;

internal sealed partial class FileResponder
{
    /// <summary>Longest ETag: two quotes, three dashes, and four 64-bit numbers in hex.</summary>
    private const int MaxETagBytes = 2 + 3 + (4 * 16);

    private async ValueTask SendFileAsync(HttpRequest request, HttpResponse response, OpenedFile file, string contentType, string? target)
    {
        switch (Preconditions(request, file))
        {
            case Precondition.Failed:
                Refused(request, target, "a precondition (If-Match or If-Unmodified-Since) is false");
                await response.SendErrorAsync(412, Exchange);
                return;
            case Precondition.NotModified:
                // RFC 9110 §15.4.5: a 304 carries what a 200 would have of ETag and Cache-Control (and Date).
                response.Start(304);
                WriteETag(response, file);
                response.DateHeader("Last-Modified"u8, LastModified(file));
                response.Header("Cache-Control"u8, _fileCacheControl);
                await response.SendAsync(ReadOnlyMemory<byte>.Empty, Exchange);
                return;
        }

        string? digest = await _digests.GetAsync(file);
        int count = ChooseRanges(request, file, out var first, out var several);
        if (count == 0)
        {
            response.Start(416);
            WriteContentRange(response, null, file.Length);
            WriteDigest(response, digest);
            await response.SendAsync(ReadOnlyMemory<byte>.Empty, Exchange);
            return;
        }

        response.Start(count == ByteRange.Ignore ? 200 : 206);
        if (several is not null)
        {
            await SendRangesAsync(response, file, contentType, several, digest);
            return;
        }

        response.Header("Content-Type"u8, contentType);
        if (count == 1)
        {
            WriteContentRange(response, first, file.Length);
        }

        WriteFileHeaders(response, file, digest);
        await response.SendFileAsync(file.Handle, count == 1 ? first.Start : 0, count == 1 ? first.Length : file.Length, Exchange);
    }

    /// <summary>What every 200 and 206 for a file says about it: ranges, validators, caching, digest.</summary>
    private void WriteFileHeaders(HttpResponse response, OpenedFile file, string? digest)
    {
        response.Header("Accept-Ranges"u8, "bytes"u8);
        response.DateHeader("Last-Modified"u8, LastModified(file));
        WriteETag(response, file);
        response.Header("Cache-Control"u8, _fileCacheControl);
        WriteDigest(response, digest);
    }

    /// <summary>Last-Modified has whole seconds (RFC 9110 §5.6.7), so validators compare at that precision.</summary>
    private static DateTimeOffset LastModified(OpenedFile file) => HttpDate.Truncate(new DateTimeOffset(file.ModifiedUtc, TimeSpan.Zero));

    /// <summary>
    /// The ranges to send: their count, 0 for a 416, or <see cref="ByteRange.Ignore"/> for the whole
    /// file; one is <paramref name="first"/>, several are <paramref name="several"/> (the multipart
    /// case, which alone allocates). RFC 9110 §14.2: only GET has ranges (a HEAD gets the 200
    /// head); §13.1.5: an If-Range that does not name the current version sends the whole file.
    /// </summary>
    private int ChooseRanges(HttpRequest request, OpenedFile version, out ByteRange first, out ByteRange[]? several)
    {
        first = default;
        several = null;
        var headers = request.Headers;
        if (request.Method != RequestMethod.Get || !headers.TryGet("range"u8, out var asked)
            || (headers.TryGet("if-range"u8, out var ifRange) && !IfRangeHolds(ifRange, version)))
        {
            return ByteRange.Ignore;
        }

        Span<ByteRange> ranges = stackalloc ByteRange[_maxRanges];
        int count = ByteRange.Parse(asked, version.Length, ranges);
        if (count > 0)
        {
            first = ranges[0];
        }

        if (count > 1)
        {
            several = ranges[..count].ToArray();
        }

        return count;
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
        response.Header("ETag"u8, etag[..FormatETag(version.Version, etag)]);
    }

    /// <summary>"Content-Range: bytes a-b/n", or "bytes */n" for a 416 (RFC 9110 §14.4).</summary>
    private static void WriteContentRange(HttpResponse response, ByteRange? range, long total)
    {
        Span<byte> value = stackalloc byte[MaxContentRangeBytes];
        response.Header("Content-Range"u8, value[..FormatContentRange(range, total, value)]);
    }

    /// <summary>
    /// A strong validator (RFC 9110 §8.8.3) that changes whenever the bytes can have: the inode, the
    /// modification and status-change times in nanoseconds, and the size. The change time matters:
    /// a file rewritten and given back its old mtime (touch -d, rsync -t, tar x) keeps its size and
    /// mtime, but the kernel sets its ctime to now, and no user can set that back. nginx's
    /// mtime-in-seconds and size miss both that and two writes within a second.
    /// </summary>
    internal static int FormatETag(FileVersion version, Span<byte> destination)
    {
        var hex = new System.Buffers.StandardFormat('x');
        destination[0] = (byte)'"';
        int position = 1;
        Utf8Formatter.TryFormat(version.Inode, destination[position..], out int written, hex);
        position += written;
        destination[position++] = (byte)'-';
        Utf8Formatter.TryFormat(version.ModifiedNanoseconds, destination[position..], out written, hex);
        position += written;
        destination[position++] = (byte)'-';
        Utf8Formatter.TryFormat(version.ChangedNanoseconds, destination[position..], out written, hex);
        position += written;
        destination[position++] = (byte)'-';
        Utf8Formatter.TryFormat(version.Size, destination[position..], out written, hex);
        position += written;
        destination[position++] = (byte)'"';
        return position;
    }

    /// <summary>RFC 9110 §13.1.5: the range is sent only if the validator is the current one (strong comparison, an exact date).</summary>
    private static bool IfRangeHolds(ReadOnlySpan<byte> value, OpenedFile version)
    {
        value = value.Trim(" \t"u8);
        if (value.StartsWith("\""u8) || value.StartsWith("W/"u8))
        {
            // A weak tag never matches strongly.
            Span<byte> etag = stackalloc byte[MaxETagBytes];
            return value.SequenceEqual(etag[..FormatETag(version.Version, etag)]);
        }

        return HttpDate.TryParse(value, out var date) && date == LastModified(version);
    }
}

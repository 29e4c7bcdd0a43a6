using System.Text;
using Doorway.Http;

namespace Doorway.Cache;

/// <summary>Writing a stored response: the client's own conditionals and a Range answered from it, the Age the cache computes, Via and Cache-Status.</summary>
internal sealed partial class CacheResponder
{
    /// <summary>Sends <paramref name="stored"/> (or a 304 or 206 made from it); returns the content bytes sent.</summary>
    private async ValueTask<long> WriteStoredAsync(HttpRequest request, HttpResponse response, StoredResponse stored, TimeSpan age, string cacheStatus,
        CancellationToken cancellationToken, bool writeAge = true)
    {
        var body = stored.Body;
        string? ageText = writeAge ? ((long)Math.Floor(age.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        if (stored.Status == 200 && IsNotModified(request, stored))
        {
            // RFC 9110 §13.1.1, §13.1.3, answered by the cache (RFC 9111 §4.3.2).
            WriteHead(response, 304, stored.Headers, ageText, cacheStatus);
            await response.CompleteAsync(cancellationToken);
            return 0;
        }

        if (stored.Status == 200 && body.IsComplete && request.Method == RequestMethod.Get && TryRange(request, stored, out var range))
        {
            WriteHead(response, 206, stored.Headers, ageText, cacheStatus);
            response.Header("Content-Range"u8, $"bytes {range.Start}-{range.End}/{body.Length}");
            response.SetContentLength(range.Length);
            await SendBodyAsync(response, body, range.Start, range.Length, cancellationToken);
            await response.CompleteAsync(cancellationToken);
            return range.Length;
        }

        WriteHead(response, stored.Status, stored.Headers, ageText, cacheStatus);
        if (HttpStatus.HasNoContent(stored.Status))
        {
            await response.CompleteAsync(cancellationToken);
            return 0;
        }

        long length = body.IsComplete ? body.Length : body.ExpectedLength;
        if (body.IsComplete && length <= BodySegments.SegmentBytes)
        {
            // The common case: one piece, sent with its head (in one send when small).
            var piece = body.Read(0, length, out _, out _);
            await response.SendAsync(piece, cancellationToken);
            return request.Method == RequestMethod.Head ? 0 : length;
        }

        if (length >= 0)
        {
            response.SetContentLength(length);
        }

        if (request.Method == RequestMethod.Head)
        {
            await response.CompleteAsync(cancellationToken);
            return 0;
        }

        long sent = await SendBodyAsync(response, body, 0, length >= 0 ? length : long.MaxValue, cancellationToken);
        await response.CompleteAsync(cancellationToken);
        return sent;
    }

    /// <summary>Sends the body from <paramref name="offset"/>, waiting for content still being fetched (a collapsed request reads along).</summary>
    private async ValueTask<long> SendBodyAsync(HttpResponse response, BodySegments body, long offset, long count, CancellationToken cancellationToken)
    {
        long sent = 0;
        while (sent < count)
        {
            var piece = body.Read(offset + sent, count - sent, out bool ended, out var more);
            if (piece.IsEmpty)
            {
                if (ended)
                {
                    if (body.IsFailed)
                    {
                        throw new IOException("the fetch this response was read from failed");
                    }

                    break;
                }

                await more.WaitAsync(_options.ResponseTimeout, cancellationToken);
                continue;
            }

            await response.WriteAsync(piece, cancellationToken);
            sent += piece.Length;
        }

        return sent;
    }

    /// <summary>The status line, the stored fields (Age replaced by ours when given), Via and Cache-Status (RFC 9211: ours last, closest to the client).</summary>
    private void WriteHead(HttpResponse response, int status, HeaderLine[] headers, string? age, string cacheStatus)
    {
        response.StartRelayed(status);
        foreach (var line in headers)
        {
            if (age is not null && line.Name.Length == 3 && Ascii.EqualsIgnoreCase(line.Name, "age"u8))
            {
                continue;
            }

            response.Header(line.Name, line.Value);
        }

        if (age is not null)
        {
            response.Header("Age"u8, age);
        }

        response.Header("Via"u8, _via);
        response.Header("Cache-Status"u8, cacheStatus);
    }

    /// <summary>If-None-Match (weak comparison, RFC 9110 §13.1.2), or, without it, If-Modified-Since against Last-Modified (§13.1.3).</summary>
    private static bool IsNotModified(HttpRequest request, StoredResponse stored)
    {
        var headers = request.Headers;
        if (headers.TryGet("if-none-match"u8, out var tags))
        {
            if (tags.Trim(" \t"u8).SequenceEqual("*"u8))
            {
                return true;
            }

            if (stored.ETag is not { } etag)
            {
                return false;
            }

            var opaque = Opaque(etag);
            foreach (var part in tags.Split((byte)','))
            {
                if (Opaque(tags[part].Trim(" \t"u8)).SequenceEqual(opaque))
                {
                    return true;
                }
            }

            return false;
        }

        return headers.TryGet("if-modified-since"u8, out var since) && stored.LastModified is { } modified
            && HttpDate.TryParse(since, out var sinceDate) && modified <= sinceDate;
    }

    private static ReadOnlySpan<byte> Opaque(ReadOnlySpan<byte> tag) => tag.StartsWith("W/"u8) ? tag[2..] : tag;

    /// <summary>One satisfiable range of a complete stored 200, honouring If-Range (RFC 9110 §13.1.5: a strong ETag or the Last-Modified date); more than one range gets the whole.</summary>
    private static bool TryRange(HttpRequest request, StoredResponse stored, out ByteRange range)
    {
        range = default;
        var headers = request.Headers;
        if (!headers.TryGet("range"u8, out var value))
        {
            return false;
        }

        if (headers.TryGet("if-range"u8, out var ifRange))
        {
            bool matches = ifRange.StartsWith("\""u8)
                ? stored.ETag is { } etag && !etag.AsSpan().StartsWith("W/"u8) && ifRange.SequenceEqual(etag)
                : stored.LastModified is { } modified && HttpDate.TryParse(ifRange, out var date) && date == modified;
            if (!matches)
            {
                return false;
            }
        }

        Span<ByteRange> ranges = stackalloc ByteRange[1];
        if (ByteRange.Parse(value, stored.Body.Length, ranges) != 1)
        {
            return false;
        }

        range = ranges[0];
        return true;
    }
}

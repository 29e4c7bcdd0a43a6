using System.Buffers.Text;

namespace Doorway.Files.Http;

internal sealed partial class HttpSession
{
    private async Task SendFileAsync(HttpRequestHead head, string path, bool keepAlive, string? target)
    {
        // A bare handle: a FileStream (more fstat and lseek calls) is made only for sendfile.
        Microsoft.Win32.SafeHandles.SafeFileHandle file;
        try
        {
            file = FileConnectionHandler.OpenHandle(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Refused(target, e.Message);
            await SendErrorAsync(head, 404, keepAlive, target);
            return;
        }

        using (file)
        {
            long length = RandomAccess.GetLength(file);
            DateTime modified = File.GetLastWriteTimeUtc(file);
            var lastModified = HttpDate.Truncate(new DateTimeOffset(modified, TimeSpan.Zero));
            // A strong validator from the version's exact modification time and length, like nginx's.
            var etag = _etag.AsMemory(0, FormatETag(modified, length, _etag));

            if (NotModified(head, etag.Span, lastModified))
            {
                _response.Start(304, head.Version);
                _response.Header("ETag"u8, etag.Span);
                _response.DateHeader("Last-Modified"u8, lastModified);
                ConnectionHeader(head, keepAlive);
                _response.End();
                await _connection.SendAsync(_response.Written, Exchange);
                Served(head, target, 304, 0);
                return;
            }

            string? digest = await _door.Digests.GetAsync(path, length, modified);
            var (range, unsatisfiable) = ChooseRange(head, length, etag.Span, lastModified);
            if (unsatisfiable)
            {
                _response.Start(416, head.Version);
                _response.ContentRange(null, length);
                _response.Header("Content-Length"u8, 0);
                WriteDigest(digest);
                ConnectionHeader(head, keepAlive);
                _response.End();
                await _connection.SendAsync(_response.Written, Exchange);
                Served(head, target, 416, 0);
                return;
            }

            long offset = range?.Start ?? 0;
            long count = range?.Length ?? length;
            int status = range is null ? 200 : 206;
            _response.Start(status, head.Version);
            _response.Header("Content-Type"u8, ContentTypes.For(path));
            _response.Header("Content-Length"u8, count);
            if (range is { } r)
            {
                _response.ContentRange(r, length);
            }

            _response.Header("Accept-Ranges"u8, "bytes"u8);
            _response.DateHeader("Last-Modified"u8, lastModified);
            _response.Header("ETag"u8, etag.Span);
            WriteDigest(digest);
            ConnectionHeader(head, keepAlive);
            _response.End();

            if (head.Method == RequestMethod.Head)
            {
                await _connection.SendAsync(_response.Written, Exchange);
                Served(head, target, status, 0);
                return;
            }

            if (count <= SmallFileBytes && count <= _response.Free.Length)
            {
                // A synchronous read: a small file is almost always in the page cache, and the
                // asynchronous one would hop to another thread for it (Unix has no async file reads).
                int read = RandomAccess.Read(file, _response.Free.Span[..(int)count], offset);
                if (read != count)
                {
                    // The file shrank after its length was sent: the framing is broken, so the connection must end.
                    throw new IOException("file changed while being sent");
                }

                _response.Advance(read);
                await _connection.SendAsync(_response.Written, Exchange);
            }
            else
            {
                await _connection.SendAsync(_response.Written, Exchange);
                await _connection.SendFileAsync(file, offset, count, Exchange);
            }

            Served(head, target, status, count);
        }
    }

    /// <summary>The range to send (null: the whole file), or that the asked range misses the file (416).</summary>
    private (ByteRange? Range, bool Unsatisfiable) ChooseRange(HttpRequestHead head, long length, ReadOnlySpan<byte> etag, DateTimeOffset lastModified)
    {
        var data = _buffer.Data;
        if (head.Method != RequestMethod.Get || !IsSet(head.RangeHeader)
            || !ByteRange.TryParse(data[head.RangeHeader], length, out var asked, out bool satisfiable)
            || (IsSet(head.IfRange) && !IfRangeHolds(data[head.IfRange], etag, lastModified)))
        {
            return (null, false);
        }

        return satisfiable ? (asked, false) : (null, true);
    }

    private void WriteDigest(string? digest)
    {
        if (digest is not null)
        {
            _response.Header("Repr-Digest"u8, digest);
        }
    }

    private static bool IsSet(Range range) => range.End.Value > range.Start.Value;

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
    private bool NotModified(HttpRequestHead head, ReadOnlySpan<byte> etag, DateTimeOffset lastModified)
    {
        var data = _buffer.Data;
        if (IsSet(head.IfNoneMatch))
        {
            foreach (var part in data[head.IfNoneMatch].Split((byte)','))
            {
                var tag = data[head.IfNoneMatch][part].Trim(" \t"u8);
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

        return IsSet(head.IfModifiedSince)
            && HttpDate.TryParse(data[head.IfModifiedSince], out var since)
            && lastModified <= since;
    }

    /// <summary>RFC 9110 §13.1.5: the range is sent only if the validator is the current one (strong comparison).</summary>
    private static bool IfRangeHolds(ReadOnlySpan<byte> value, ReadOnlySpan<byte> etag, DateTimeOffset lastModified)
    {
        if (value.StartsWith("\""u8))
        {
            return value.SequenceEqual(etag);
        }

        return HttpDate.TryParse(value, out var date) && date == lastModified;
    }
}

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Doorway.Http;

namespace Doorway.Files;

internal sealed partial class FileResponder
{
    /// <summary>"bytes " and three 64-bit numbers with their separators.</summary>
    private const int MaxContentRangeBytes = 6 + (3 * 20) + 2;

    /// <summary>
    /// Several ranges as one 206 of multipart/byteranges (RFC 9110 §14.6, §15.3.7.2): each part
    /// has its Content-Type and Content-Range, the whole has a Content-Length counted up front, so
    /// the connection stays open. The boundary is random per response, so no file's bytes can end
    /// a part early by holding it.
    /// </summary>
    private async ValueTask SendRangesAsync(HttpResponse response, OpenedFile file, string contentType, ByteRange[] ranges, string? digest)
    {
        string boundary = "doorway-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        byte[] type = Encoding.ASCII.GetBytes(contentType);
        long total = Closing(boundary).Length;
        foreach (var range in ranges)
        {
            total += PartHead(boundary, type, range, file.Length).Length + range.Length;
        }

        response.Header("Content-Type"u8, "multipart/byteranges; boundary=" + boundary);
        WriteFileHeaders(response, file, digest);
        response.SetContentLength(total);
        foreach (var range in ranges)
        {
            await response.WriteAsync(PartHead(boundary, type, range, file.Length), Exchange);
            await response.WriteFileAsync(file.Handle, range.Start, range.Length, Exchange);
        }

        await response.WriteAsync(Closing(boundary), Exchange);
        await response.CompleteAsync(Exchange);
    }

    /// <summary>A part's delimiter and header section (RFC 2046 §5.1.1: CRLF "--" boundary; the first CRLF ends the previous part).</summary>
    private static byte[] PartHead(string boundary, byte[] contentType, ByteRange range, long total)
    {
        Span<byte> contentRange = stackalloc byte[MaxContentRangeBytes];
        int length = FormatContentRange(range, total, contentRange);
        return [.. "\r\n--"u8, .. Encoding.ASCII.GetBytes(boundary), .. "\r\nContent-Type: "u8, .. contentType,
            .. "\r\nContent-Range: "u8, .. contentRange[..length], .. "\r\n\r\n"u8];
    }

    private static byte[] Closing(string boundary) => [.. "\r\n--"u8, .. Encoding.ASCII.GetBytes(boundary), .. "--\r\n"u8];

    /// <summary>"bytes a-b/n", or "bytes */n" (RFC 9110 §14.4).</summary>
    private static int FormatContentRange(ByteRange? range, long total, Span<byte> value)
    {
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
        return length + totalLength;
    }
}

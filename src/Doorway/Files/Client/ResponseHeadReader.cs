using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Doorway.Files.Client;

/// <summary>A response's status line and headers as the download client needs them.</summary>
internal sealed class ResponseHeadReader
{
    /// <summary>The most a response head may take before the client gives up on the server.</summary>
    public const int MaxHeadBytes = 64 * 1024;

    public int Status { get; private set; }

    public string Reason { get; private set; } = "";

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Body bytes that arrived with the head.</summary>
    public ArraySegment<byte> Leftover { get; private set; }

    public long? ContentLength =>
        Headers.TryGetValue("Content-Length", out var value) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long length) ? length : null;

    /// <summary>Reads until the empty line; throws <see cref="DownloadException"/> for anything that is not an HTTP/1.x head.</summary>
    public static async Task<ResponseHeadReader> ReadAsync(Func<Memory<byte>, Task<int>> receive)
    {
        byte[] buffer = new byte[MaxHeadBytes];
        int filled = 0;
        while (true)
        {
            int end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Parse(Encoding.Latin1.GetString(buffer, 0, end));
                head.Leftover = new ArraySegment<byte>(buffer, end + 4, filled - end - 4);
                return head;
            }

            if (filled == buffer.Length)
            {
                throw new DownloadException("the server's response head is too large");
            }

            int received = await receive(buffer.AsMemory(filled));
            if (received == 0)
            {
                throw new DownloadException(filled == 0
                    ? "the server closed the connection without answering"
                    : "the server closed the connection in the middle of its answer");
            }

            filled += received;
        }
    }

    private static ResponseHeadReader Parse(string text)
    {
        string[] lines = text.Split("\r\n");
        string[] status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code))
        {
            throw new DownloadException("the server did not answer in HTTP (try --raw for the seed dialect)");
        }

        var head = new ResponseHeadReader { Status = code, Reason = status.Length > 2 ? status[2] : "" };
        foreach (string line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                head.Headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return head;
    }

    /// <summary>The total length from "Content-Range: bytes a-b/N" and its start a.</summary>
    public bool TryContentRange(out long start, out long total)
    {
        start = total = 0;
        if (!Headers.TryGetValue("Content-Range", out var value) || !value.StartsWith("bytes ", StringComparison.Ordinal))
        {
            return false;
        }

        string spec = value[6..];
        int dash = spec.IndexOf('-', StringComparison.Ordinal);
        int slash = spec.IndexOf('/', StringComparison.Ordinal);
        return dash > 0 && slash > dash
            && long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out start)
            && long.TryParse(spec[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out total);
    }

    /// <summary>The SHA-256 from "Repr-Digest: sha-256=:base64:" (RFC 9530), if there is one.</summary>
    public byte[]? Sha256()
    {
        if (!Headers.TryGetValue("Repr-Digest", out var value))
        {
            return null;
        }

        foreach (string member in value.Split(','))
        {
            string item = member.Trim();
            if (item.StartsWith("sha-256=:", StringComparison.OrdinalIgnoreCase) && item.EndsWith(':') && item.Length > 10)
            {
                try
                {
                    return Convert.FromBase64String(item[9..^1]);
                }
                catch (FormatException)
                {
                    return null;
                }
            }
        }

        return null;
    }
}

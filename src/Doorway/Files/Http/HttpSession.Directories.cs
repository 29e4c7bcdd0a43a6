using System.Text;

namespace Doorway.Files.Http;

internal sealed partial class HttpSession
{
    private async Task SendDirectoryAsync(HttpRequestHead head, string directory, string path, bool keepAlive, string? target)
    {
        if (path.Length > 0 && !path.EndsWith('/'))
        {
            // Relative links in the listing resolve against the directory only with its trailing slash.
            _response.Start(301, head.Version);
            _response.Header("Location"u8, "/" + Encode(path) + "/");
            _response.Header("Content-Length"u8, 0);
            ConnectionHeader(head, keepAlive);
            _response.End();
            await _connection.SendAsync(_response.Written, Exchange);
            Served(head, target, 301, 0);
            return;
        }

        byte[] page = DirectoryListing.Render(_door.Root, directory, "/" + path);
        _response.Start(200, head.Version);
        _response.Header("Content-Type"u8, "text/html; charset=utf-8"u8);
        _response.Header("Content-Length"u8, page.Length);
        _response.Header("Cache-Control"u8, "no-cache"u8);
        ConnectionHeader(head, keepAlive);
        _response.End();
        await _connection.SendAsync(_response.Written, Exchange);
        if (head.Method != RequestMethod.Head)
        {
            await _connection.SendAsync(page, Exchange);
        }

        Served(head, target, 200, page.Length);
    }

    /// <summary>Percent-encodes a path for a Location header, keeping its '/' separators.</summary>
    private static string Encode(string path)
    {
        var builder = new StringBuilder(path.Length * 2);
        foreach (var segment in path.Split('/'))
        {
            if (builder.Length > 0 || path.StartsWith('/'))
            {
                builder.Append('/');
            }

            builder.Append(Uri.EscapeDataString(segment));
        }

        return builder.ToString();
    }
}

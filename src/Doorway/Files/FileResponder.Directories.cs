using System.Text;
using Doorway.Http;

namespace Doorway.Files;

internal sealed partial class FileResponder
{
    private async ValueTask SendDirectoryAsync(HttpResponse response, OpenedFile directory, string path)
    {
        if (path.Length > 0 && !path.EndsWith('/'))
        {
            // Relative links in the listing resolve against the directory only with its trailing slash.
            response.Start(301);
            response.Header("Location"u8, "/" + Encode(path) + "/");
            await response.SendAsync(ReadOnlyMemory<byte>.Empty, Exchange);
            return;
        }

        // Rendered (or taken from the cache of this directory version) for HEAD too: its Content-Length is the page's.
        var page = _listings.GetPage(directory, "/" + path).Content;
        response.Start(200);
        response.Header("Content-Type"u8, "text/html; charset=utf-8"u8);
        response.Header("Cache-Control"u8, "no-cache"u8);
        await response.SendAsync(page, Exchange);
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

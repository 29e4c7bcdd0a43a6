using System.Text;
using Doorway.Http;

namespace Doorway.Files;

internal sealed partial class FileResponder
{
    private async ValueTask SendDirectoryAsync(HttpRequest request, HttpResponse response, OpenedFile directory, ReadOnlyMemory<byte> path)
    {
        if (path.Length > 0 && path.Span[^1] != (byte)'/')
        {
            // Relative links in the listing resolve against the directory only with its trailing
            // slash. The Location is the path's own bytes encoded (a name need not be UTF-8), and
            // keeps the query (RFC 9110 §10.2.2: the client asked for it; dropping it changes the request).
            string location = "/" + HttpTarget.Encode(path.Span, keepSlashes: true) + "/" + HttpTarget.EncodeQuery(HttpTarget.Query(request.Target));
            response.Start(301);
            response.Header("Location"u8, location);
            await response.SendAsync(ReadOnlyMemory<byte>.Empty, Exchange);
            return;
        }

        // RFC 9110 §13.1.1: If-Match names a current validator, and a listing has none, so only "*"
        // (any current representation) holds; the other preconditions need a validator or a date,
        // so they are ignored (§13.1.3, §13.1.4).
        if (request.Headers.TryGet("if-match"u8, out var ifMatch) && !ifMatch.Trim(" \t"u8).SequenceEqual("*"u8))
        {
            await response.SendErrorAsync(412, Exchange);
            return;
        }

        // Rendered (or taken from the cache of this directory version) for HEAD too: its Content-Length is the page's.
        var page = _listings.GetPage(directory, "/" + Encoding.UTF8.GetString(path.Span)).Content;
        response.Start(200);
        response.Header("Content-Type"u8, "text/html; charset=utf-8"u8);
        response.Header("Cache-Control"u8, "no-cache"u8);
        await response.SendAsync(page, Exchange);
    }
}

using Doorway.Http;

namespace Doorway.Files;

internal sealed partial class FileResponder
{
    /// <summary>
    /// A directory with an index.html is a web page, as on every web server: the page is served
    /// (through the same confinement, conditionals and ranges as any file), and the listing stays
    /// reachable at <c>?list</c> (issue 10). Without one, or asked for the list, the listing.
    /// </summary>
    private async ValueTask SendDirectoryOrIndexAsync(HttpRequest request, HttpResponse response, OpenedFile directory, ReadOnlyMemory<byte> path, string? target)
    {
        if ((path.Length > 0 && path.Span[^1] != (byte)'/') || AsksForList(request.Target))
        {
            await SendDirectoryAsync(request, response, directory, path);
            return;
        }

        // The index holds a descriptor of its own while it is sent; none left, and the listing would be the wrong answer.
        if (!_descriptors.TryTake())
        {
            response.Start(503);
            response.Header("Retry-After"u8, "1"u8);
            await response.SendStatusTextAsync(Exchange);
            return;
        }

        try
        {
            var index = _root.Open([.. path.Span, .. "index.html"u8]);
            using var file = index.File;
            if (index.Kind == FileOpenKind.File)
            {
                await SendFileAsync(request, response, file!, "text/html; charset=utf-8", target);
                return;
            }
        }
        finally
        {
            _descriptors.Return();
        }

        await SendDirectoryAsync(request, response, directory, path);
    }

    /// <summary>Whether the query has a <c>list</c> parameter (<c>?list</c>, <c>?list=1</c>, <c>?a&amp;list</c>).</summary>
    private static bool AsksForList(ReadOnlySpan<byte> target)
    {
        int question = target.IndexOf((byte)'?');
        if (question < 0)
        {
            return false;
        }

        foreach (var range in target[(question + 1)..].Split((byte)'&'))
        {
            var parameter = target[(question + 1)..][range];
            int equals = parameter.IndexOf((byte)'=');
            if ((equals < 0 ? parameter : parameter[..equals]).SequenceEqual("list"u8))
            {
                return true;
            }
        }

        return false;
    }
}

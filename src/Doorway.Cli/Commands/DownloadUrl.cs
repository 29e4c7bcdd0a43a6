using System.Diagnostics.CodeAnalysis;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary><c>doorway get http://host:port/path</c>, as curl and wget take it: the server and the name in one.</summary>
internal static class DownloadUrl
{
    /// <summary>Whether NAME starts with a scheme ("http://", "https://"): a file name with "://" further in stays a name.</summary>
    public static bool Looks(string text)
    {
        int scheme = text.IndexOf("://", StringComparison.Ordinal);
        return scheme > 0 && text.AsSpan(0, scheme).ContainsAnyExcept(SchemeChars) is false;
    }

    private static readonly System.Buffers.SearchValues<char> SchemeChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

    /// <summary>The server, the file's name (percent-decoded, no leading '/'; the query and fragment dropped), and whether it is https://.</summary>
    public static bool TryParse(string text, int defaultPort, out (HostPort Server, string Name, bool Tls) result, [NotNullWhen(false)] out string? problem)
    {
        result = default;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            problem = $"'{text}' is not a URL doorway get can use (for example http://127.0.0.1:{defaultPort}/hello.txt).";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            problem = $"the file door speaks http:// and https:// only, not {uri.Scheme}:// ('{text}').";
            return false;
        }

        // A URL without a port means 80 (https: 443), as everywhere: the file door's 8080 must be written.
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        result = (new HostPort(host, uri.Port), Uri.UnescapeDataString(uri.AbsolutePath).TrimStart('/'), uri.Scheme == Uri.UriSchemeHttps);
        problem = null;
        return true;
    }
}

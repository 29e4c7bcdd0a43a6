using System.Text;
using Doorway.Files;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>How the file door reads a request target's path, and tells its two dialects apart, without sockets.</summary>
public sealed class FileTargetTests
{
    [Theory]
    [InlineData("/", "")]
    [InlineData("/a.txt", "a.txt")]
    [InlineData("/sub/%E4%B8%AD.txt?q=1#f", "sub/中.txt")]
    [InlineData("/a%20b", "a b")]
    [InlineData("/100%25%20sure", "100% sure")]
    [InlineData("/%252e", "%2e")]
    [InlineData("http://example.com/sub/a.txt", "sub/a.txt")]
    [InlineData("http://example.com", "")]
    [InlineData("https://example.com:8080/x?y", "x")]
    public void Targets_decode(string target, string path)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(target);
        byte[] decoded = new byte[bytes.Length];
        int length = HttpTarget.DecodePath(bytes, decoded, out _);
        Assert.Equal(path, Encoding.UTF8.GetString(decoded, 0, length));
        // In place too, as the old decoder did.
        length = HttpTarget.DecodePath(bytes, out _);
        Assert.Equal(path, Encoding.UTF8.GetString(bytes, 0, length));
    }

    [Theory]
    [InlineData("/%2e%2e/x")]
    [InlineData("/..%2fx")]
    [InlineData("/%5c")]
    [InlineData("/%00")]
    [InlineData("/%zz")]
    [InlineData("/%4")]
    [InlineData("*")]
    public void Suspicious_targets_are_refused(string target) =>
        Assert.Equal(-1, HttpTarget.DecodePath(Encoding.ASCII.GetBytes(target), out _));

    [Theory]
    [InlineData("GET / HTTP/1.1", "Http")]
    [InlineData("HEAD /", "Http")]
    [InlineData("DELETE /x", "Http")]
    [InlineData("OPTIONS *", "Http")]
    [InlineData("GET http://x/ HTTP/1.1", "Http")]
    [InlineData("GET", "Unknown")]
    [InlineData("GET ", "Unknown")]
    [InlineData("a.txt", "Seed")]
    [InlineData("README file.txt", "Seed")]
    [InlineData("GETTING.txt", "Seed")]
    [InlineData("/etc/passwd", "Seed")]
    [InlineData("中文.txt", "Seed")]
    public void Dialects_are_told_apart_by_the_first_bytes(string start, string dialect) =>
        Assert.Equal(Enum.Parse<Dialect>(dialect), DialectSniffer.Sniff(Encoding.UTF8.GetBytes(start)));
}

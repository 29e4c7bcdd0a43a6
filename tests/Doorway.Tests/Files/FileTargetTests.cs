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
    [InlineData("/hello%2Etxt", "hello.txt")] // RFC 3986 §6.2.2.2: an encoded unreserved character is the character
    [InlineData("/%41%7E", "A~")]
    [InlineData("/%2e%2e/x", "../x")] // a dot segment however spelled: the file root refuses it
    [InlineData("/%5c", "\\")]
    [InlineData("HTTP://example.com/sub/a.txt", "sub/a.txt")] // RFC 3986 §3.1: the scheme is case-insensitive
    [InlineData("Https://example.com?q", "")]
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
    [InlineData("/..%2fx", "404")] // RFC 3986 §2.2: an encoded '/' is data, never a separator; no name holds it
    [InlineData("/a%2Fb", "404")]
    [InlineData("/%00", "404")]
    [InlineData("/%zz", "400")] // not a URI at all (§2.1)
    [InlineData("/%4", "400")]
    [InlineData("/a%", "400")]
    [InlineData("*", "400")]
    [InlineData("ftp://example.com/a", "400")]
    public void Suspicious_targets_are_refused(string target, string status)
    {
        Assert.Equal(-1, HttpTarget.DecodePath(Encoding.ASCII.GetBytes(target), out string? reason));
        bool malformed = ReferenceEquals(reason, HttpTarget.BadEscape) || ReferenceEquals(reason, HttpTarget.NotAPath);
        Assert.Equal(status == "400", malformed);
    }

    [Theory]
    [InlineData(new byte[] { 0x63, 0x61, 0x66, 0xE9 }, "caf%E9")]
    [InlineData(new byte[] { 0x31, 0x30, 0x30, 0x25, 0x34, 0x31 }, "100%2541")]
    [InlineData(new byte[] { 0x61, 0x20, 0x23, 0x3F, 0x26 }, "a%20%23%3F%26")]
    [InlineData(new byte[] { 0xE4, 0xB8, 0xAD }, "%E4%B8%AD")]
    public void Names_encode_byte_for_byte_and_decode_back(byte[] name, string encoded)
    {
        Assert.Equal(encoded, HttpTarget.Encode(name));
        byte[] target = Encoding.ASCII.GetBytes("/" + encoded);
        int length = HttpTarget.DecodePath(target, out _);
        Assert.Equal(name, target[..length]);
    }

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
    [InlineData("\r\nGET /a.txt HTTP/1.1\r\n", "Http")]
    [InlineData("get /a.txt HTTP/1.1\r\n", "Http")]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\n", "Http")]
    public void Dialects_are_told_apart_by_the_first_bytes(string start, string dialect) =>
        Assert.Equal(Enum.Parse<Dialect>(dialect), DialectSniffer.Sniff(Encoding.UTF8.GetBytes(start), quiet: true));
}

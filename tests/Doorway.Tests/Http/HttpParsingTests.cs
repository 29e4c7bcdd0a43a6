using System.Text;
using Doorway.Http;
using Xunit;

namespace Doorway.Tests.Http;

/// <summary>Request-head parsing and byte ranges, without sockets.</summary>
public sealed class HttpParsingTests
{
    internal static readonly HttpLimits Limits = HttpLimits.Default with { MaxRequestLineBytes = 100, MaxHeaderBytes = 200, MaxHeaderCount = 5 };

    private static HttpParseStatus Parse(string text, out HttpRequestHead head) => Parse(Encoding.ASCII.GetBytes(text), out head);

    private static HttpParseStatus Parse(byte[] bytes, out HttpRequestHead head)
    {
        using var parser = new HttpRequestParser(Limits);
        var status = parser.Parse(bytes);
        head = parser.Head;
        return status;
    }

    [Fact]
    public void A_simple_request_parses_with_its_fields()
    {
        string text = "GET /a%20b.txt?x=1 HTTP/1.1\r\nHost: h\r\nRange: bytes=1-2\r\nIf-None-Match: \"x\"\r\nConnection: keep-alive, close\r\n\r\nNEXT";
        var bytes = Encoding.ASCII.GetBytes(text);
        using var parser = new HttpRequestParser(Limits);
        Assert.Equal(HttpParseStatus.Complete, parser.Parse(bytes));
        var head = parser.Head;
        Assert.Equal(RequestMethod.Get, head.Method);
        Assert.Equal(11, head.Version);
        Assert.Equal("/a%20b.txt?x=1", Encoding.ASCII.GetString(bytes[head.Target]));
        Assert.True(parser.Headers(bytes).TryGet("range"u8, out var range));
        Assert.Equal("bytes=1-2", Encoding.ASCII.GetString(range));
        Assert.True(parser.Headers(bytes).TryGet("If-None-Match"u8, out var tags));
        Assert.Equal("\"x\"", Encoding.ASCII.GetString(tags));
        Assert.True(head.ConnectionClose);
        Assert.False(head.KeepAlive);
        Assert.Equal(text.Length - 4, head.Length);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHo")]
    [InlineData("GET / HT")]
    [InlineData("")]
    public void Partial_heads_want_more(string text) => Assert.Equal(HttpParseStatus.Incomplete, Parse(text, out _));

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n")] // no Host
    [InlineData("GET  / HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 \r\nHost: h\r\n\r\n")]
    [InlineData("GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("G(T / HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("GET / HTTX/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost : h\r\n\r\n")] // space before colon
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n")] // bare CR
    [InlineData("GET / HTTP/1.1\r\nHost: h\0\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")] // smuggling's classic
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n")]
    public void Malformed_heads_are_bad_requests(string text) => Assert.Equal(HttpParseStatus.BadRequest, Parse(text, out _));

    [Theory]
    [InlineData("GET / HTTP/2.0\r\nHost: h\r\n\r\n")]
    [InlineData("GET / HTTP/0.9\r\n\r\n")]
    [InlineData("GET / HTTP/1.2\r\nHost: h\r\n\r\n")]
    public void Other_versions_are_not_supported(string text) => Assert.Equal(HttpParseStatus.VersionNotSupported, Parse(text, out _));

    [Fact]
    public void A_request_line_over_the_limit_is_414_even_before_its_end_arrives()
    {
        Assert.Equal(HttpParseStatus.UriTooLong, Parse("GET /" + new string('a', 120), out _));
        Assert.Equal(HttpParseStatus.Incomplete, Parse("GET /" + new string('a', 80), out _));
    }

    [Fact]
    public void A_header_section_over_the_limit_is_431()
    {
        Assert.Equal(HttpParseStatus.HeadersTooLarge, Parse("GET / HTTP/1.1\r\nHost: h\r\nX: " + new string('a', 250), out _));
        Assert.Equal(HttpParseStatus.HeadersTooLarge, Parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n", out _));
        Assert.Equal(HttpParseStatus.Complete, Parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n", out _));
    }

    [Fact]
    public void Bare_LF_line_ends_and_HTTP_1_0_are_accepted()
    {
        Assert.Equal(HttpParseStatus.Complete, Parse("GET / HTTP/1.0\n\n", out var head));
        Assert.Equal(10, head.Version);
        Assert.False(head.KeepAlive);
        Assert.Equal(HttpParseStatus.Complete, Parse("HEAD / HTTP/1.0\nConnection: keep-alive\n\n", out head));
        Assert.True(head.KeepAlive);
        Assert.Equal(RequestMethod.Head, head.Method);
    }

    [Fact]
    public void Bodies_are_noticed()
    {
        Assert.Equal(HttpParseStatus.Complete, Parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n", out var head));
        Assert.True(head.HasBody);
        Assert.Equal(5, head.ContentLength);
        Assert.Equal(RequestMethod.Other, head.Method);
        Assert.Equal(HttpParseStatus.Complete, Parse("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", out head));
        Assert.True(head.HasBody);
        Assert.Equal(1, head.TransferEncodingCount);
        Assert.Equal(HttpParseStatus.Complete, Parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", out head));
        Assert.False(head.HasBody);
    }

    [Theory]
    [InlineData("bytes=0-0", 10, 0, 1)]
    [InlineData("bytes=2-", 10, 2, 8)]
    [InlineData("bytes=2-100", 10, 2, 8)]
    [InlineData("bytes=-3", 10, 7, 3)]
    [InlineData("bytes=-30", 10, 0, 10)]
    public void Satisfiable_ranges(string header, long length, long start, long count)
    {
        Assert.True(ByteRange.TryParse(Encoding.ASCII.GetBytes(header), length, out var range, out bool satisfiable));
        Assert.True(satisfiable);
        Assert.Equal(new ByteRange(start, count), range);
    }

    [Theory]
    [InlineData("bytes=10-", 10)]
    [InlineData("bytes=-0", 10)]
    [InlineData("bytes=0-", 0)]
    public void Unsatisfiable_ranges(string header, long length)
    {
        Assert.True(ByteRange.TryParse(Encoding.ASCII.GetBytes(header), length, out _, out bool satisfiable));
        Assert.False(satisfiable);
    }

    [Theory]
    [InlineData("items=0-1")]
    [InlineData("bytes=0-1,3-4")]
    [InlineData("bytes=5-1")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=-")]
    [InlineData("bytes=+1-2")]
    public void Ranges_to_ignore(string header) => Assert.False(ByteRange.TryParse(Encoding.ASCII.GetBytes(header), 10, out _, out _));

    [Theory]
    [InlineData("GET / HTTP/1.1", "Http")]
    [InlineData("HEAD /", "Http")]
    [InlineData("DELETE /x", "Http")]
    [InlineData("OPTIONS *", "Http")]
    [InlineData("GET http://x/ HTTP/1.1", "Http")]
    [InlineData("GET", "Unknown")]
    [InlineData("GET ", "Unknown")]
    [InlineData("", "Unknown")]
    [InlineData("a.txt", "NotHttp")]
    [InlineData("GETTING.txt", "NotHttp")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ /", "NotHttp")]
    [InlineData("\x16\x03\x01", "NotHttp")] // a TLS ClientHello
    public void The_start_of_a_request_line_is_recognized(string start, string expected) =>
        Assert.Equal(Enum.Parse<HttpStart>(expected), HttpRequestStart.Check(Encoding.UTF8.GetBytes(start)));

    [Fact]
    public void Parsing_allocates_nothing()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("GET /a.txt HTTP/1.1\r\nHost: h\r\nRange: bytes=1-2\r\nConnection: keep-alive\r\nUser-Agent: t\r\n\r\n");
        using var parser = new HttpRequestParser(HttpLimits.Default);
        parser.Parse(bytes);
        parser.Reset();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            parser.Parse(bytes.AsSpan(0, 40));
            parser.Parse(bytes);
            parser.Headers(bytes).TryGet("user-agent"u8, out _);
            parser.Reset();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

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
    [InlineData("GET / HTTP/3.0\r\nHost: h\r\n\r\n")]
    public void Other_major_versions_are_not_supported(string text) => Assert.Equal(HttpParseStatus.VersionNotSupported, Parse(text, out _));

    [Theory]
    [InlineData("GET / HTTP/1.2\r\nHost: h\r\n\r\n")]
    [InlineData("GET / HTTP/1.9\r\nHost: h\r\n\r\n")]
    public void A_later_HTTP_1_minor_version_is_read_as_1_1(string text)
    {
        // RFC 9110 §2.5: processed as the highest minor version implemented.
        Assert.Equal(HttpParseStatus.Complete, Parse(text, out var head));
        Assert.Equal(11, head.Version);
        Assert.True(head.KeepAlive);
    }

    [Theory]
    [InlineData("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("\r\n\r\n\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")]
    [InlineData("\nGET / HTTP/1.1\nHost: h\n\n")]
    public void Empty_lines_before_the_request_line_are_skipped(string text)
    {
        // RFC 9112 §2.2.
        var bytes = Encoding.ASCII.GetBytes(text);
        using var parser = new HttpRequestParser(Limits);
        Assert.Equal(HttpParseStatus.Complete, parser.Parse(bytes));
        Assert.Equal("GET", Encoding.ASCII.GetString(bytes[parser.Head.MethodText]));
        Assert.Equal("/", Encoding.ASCII.GetString(bytes[parser.Head.Target]));
        Assert.Equal(bytes.Length, parser.Head.Length);
    }

    [Fact]
    public void Empty_lines_count_against_the_request_line_limit()
    {
        Assert.Equal(HttpParseStatus.Complete, Parse(string.Concat(Enumerable.Repeat("\r\n", 50)) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n", out _));
        Assert.Equal(HttpParseStatus.BadRequest, Parse(string.Concat(Enumerable.Repeat("\r\n", 51)), out var head));
        Assert.Equal("too many empty lines before the request line", head.Error);
    }

    [Fact]
    public void Empty_lines_alone_are_taken_so_the_connection_is_idle()
    {
        using var parser = new HttpRequestParser(Limits);
        Assert.Equal(HttpParseStatus.Incomplete, parser.Parse("\r\n\r\n"u8));
        Assert.Equal(4, parser.TakeEmptyLines());
        Assert.Equal(0, parser.TakeEmptyLines());
        Assert.Equal(HttpParseStatus.Complete, parser.Parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n"u8));
    }

    [Theory]
    [InlineData("h")]
    [InlineData("example.com")]
    [InlineData("example.com:8080")]
    [InlineData("127.0.0.1:80")]
    [InlineData("[::1]:8080")]
    [InlineData("[::1]")]
    [InlineData("[v1.fe80::a+en1]")]
    [InlineData("xn--nxasmq6b.example")]
    [InlineData("a%20b")]
    [InlineData("")] // RFC 9110 §7.2: empty when the target has no authority
    [InlineData("host:")] // port = *DIGIT
    public void Valid_hosts_are_accepted(string host) =>
        Assert.Equal(HttpParseStatus.Complete, Parse($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n", out _));

    [Theory]
    [InlineData("exa mple.com")]
    [InlineData("example.com/path")]
    [InlineData("user@example.com")]
    [InlineData("example.com:80:80")]
    [InlineData("example.com:http")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    [InlineData("[zz::1]")]
    [InlineData("a%2")]
    [InlineData("a\"b")]
    public void Invalid_hosts_are_400(string host)
    {
        // RFC 9112 §3.2: an invalid Host MUST get 400.
        Assert.Equal(HttpParseStatus.BadRequest, Parse($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n", out var head));
        Assert.Equal("invalid Host", head.Error);
    }

    [Theory]
    [InlineData("GET /a HTTP/1.1", "Origin")]
    [InlineData("GET http://h/a HTTP/1.1", "Absolute")]
    [InlineData("GET HTTP://H/a HTTP/1.1", "Absolute")]
    [InlineData("GET http://h HTTP/1.1", "Absolute")]
    [InlineData("OPTIONS * HTTP/1.1", "Asterisk")]
    [InlineData("CONNECT h:443 HTTP/1.1", "Authority")]
    [InlineData("CONNECT [::1]:443 HTTP/1.1", "Authority")]
    public void Target_forms_are_told_apart(string line, string form)
    {
        Assert.Equal(HttpParseStatus.Complete, Parse(line + "\r\nHost: h\r\n\r\n", out var head));
        Assert.Equal(Enum.Parse<HttpTargetForm>(form), head.TargetForm);
    }

    [Theory]
    [InlineData("GET * HTTP/1.1")] // §3.2.4: "*" is for OPTIONS only
    [InlineData("GET h:443 HTTP/1.1")] // §3.2.3: authority form is for CONNECT only
    [InlineData("CONNECT /a HTTP/1.1")]
    [InlineData("CONNECT h HTTP/1.1")] // a port is required
    [InlineData("GET a.txt HTTP/1.1")]
    [InlineData("GET http://user@h/a HTTP/1.1")] // RFC 9110 §4.2.4: userinfo is an error
    [InlineData("GET http://h h/a HTTP/1.1")]
    [InlineData("GET http://[::1/a HTTP/1.1")]
    public void Targets_in_the_wrong_form_are_400(string line) =>
        Assert.Equal(HttpParseStatus.BadRequest, Parse(line + "\r\nHost: h\r\n\r\n", out _));

    [Theory]
    [InlineData("GET", "Get")]
    [InlineData("HEAD", "Head")]
    [InlineData("POST", "Post")]
    [InlineData("PUT", "Put")]
    [InlineData("DELETE", "Delete")]
    [InlineData("OPTIONS", "Options")]
    [InlineData("TRACE", "Trace")]
    [InlineData("PATCH", "Patch")]
    [InlineData("get", "Other")] // RFC 9110 §9.1: methods are case-sensitive
    [InlineData("PROPFIND", "Other")]
    public void Methods_are_named(string method, string expected)
    {
        Assert.Equal(HttpParseStatus.Complete, Parse($"{method} /a HTTP/1.1\r\nHost: h\r\n\r\n", out var head));
        Assert.Equal(Enum.Parse<RequestMethod>(expected), head.Method);
    }

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
        Assert.Equal(RequestMethod.Post, head.Method);
        Assert.Equal(HttpParseStatus.Complete, Parse("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", out head));
        Assert.True(head.HasBody);
        Assert.Equal(1, head.TransferEncodingCount);
        Assert.Equal(HttpParseStatus.Complete, Parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", out head));
        Assert.False(head.HasBody);
    }

    private static (int Count, ByteRange[] Ranges) Ranges(string header, long length, int cap = 16)
    {
        var ranges = new ByteRange[cap];
        int count = ByteRange.Parse(Encoding.ASCII.GetBytes(header), length, ranges);
        return (count, ranges[..Math.Max(count, 0)]);
    }

    [Theory]
    [InlineData("bytes=0-0", 10, 0, 1)]
    [InlineData("bytes=2-", 10, 2, 8)]
    [InlineData("bytes=2-100", 10, 2, 8)]
    [InlineData("bytes=-3", 10, 7, 3)]
    [InlineData("bytes=-30", 10, 0, 10)]
    [InlineData("Bytes=0-4", 10, 0, 5)] // RFC 9110 §14.1: range units are case-insensitive
    [InlineData("BYTES=1-1", 10, 1, 1)]
    [InlineData("bytes= 2-3 ,", 10, 2, 2)] // §5.6.1.2: OWS and empty list elements
    [InlineData("bytes=0-1,2-3", 10, 0, 4)] // adjacent ranges coalesce (§15.3.7.2)
    [InlineData("bytes=0-5,3-8", 10, 0, 9)] // overlapping ones too
    public void Satisfiable_ranges(string header, long length, long start, long count)
    {
        var (n, ranges) = Ranges(header, length);
        Assert.Equal(1, n);
        Assert.Equal(new ByteRange(start, count), ranges[0]);
    }

    [Fact]
    public void Several_ranges_are_kept_in_the_order_asked_and_unsatisfiable_ones_dropped()
    {
        var (n, ranges) = Ranges("bytes=500-599, 0-99, 2000-, 900-", 1000);
        Assert.Equal(3, n);
        Assert.Equal([new ByteRange(500, 100), new ByteRange(0, 100), new ByteRange(900, 100)], ranges);
    }

    [Theory]
    [InlineData("bytes=10-", 10)]
    [InlineData("bytes=-0", 10)]
    [InlineData("bytes=0-", 0)]
    [InlineData("bytes=-0", 0)]
    [InlineData("bytes=20-30,40-", 10)]
    public void Unsatisfiable_ranges(string header, long length) => Assert.Equal(0, Ranges(header, length).Count);

    [Theory]
    [InlineData("items=0-1", 10)]
    [InlineData("bytes=5-1", 10)]
    [InlineData("bytes=a-b", 10)]
    [InlineData("bytes=-", 10)]
    [InlineData("bytes=+1-2", 10)]
    [InlineData("bytes=", 10)]
    [InlineData("bytes=0-1,x", 10)]
    [InlineData("bytes=-5", 0)] // §14.1.3: a suffix of an empty representation is satisfiable: all of it, a 200
    public void Ranges_to_ignore(string header, long length) => Assert.Equal(ByteRange.Ignore, Ranges(header, length).Count);

    [Fact]
    public void More_ranges_than_the_cap_are_ignored_whole()
    {
        string many = "bytes=" + string.Join(",", Enumerable.Range(0, 5).Select(i => $"{i * 1000}-{(i * 1000) + 9}"));
        Assert.Equal(5, Ranges(many, 10_000, cap: 5).Count);
        Assert.Equal(ByteRange.Ignore, Ranges(many, 10_000, cap: 4).Count);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1", "Http")]
    [InlineData("HEAD /", "Http")]
    [InlineData("DELETE /x", "Http")]
    [InlineData("OPTIONS *", "Http")]
    [InlineData("GET http://x/ HTTP/1.1", "Http")]
    [InlineData("GET", "Unknown")]
    [InlineData("GET ", "Unknown")]
    [InlineData("", "Unknown")]
    [InlineData("\r\n", "Unknown")]
    [InlineData("a.txt", "Unknown")] // a token so far: perhaps a method
    [InlineData("GETTING.txt", "Unknown")]
    [InlineData("\r\nGET / HTTP/1.1\r\n", "Http")] // RFC 9112 §2.2: empty lines first
    [InlineData("\nGET / HTTP/1.1\n", "Http")]
    [InlineData("GET  /a.txt HTTP/1.1\r\n", "Http")] // two spaces: malformed, but HTTP (the parser says 400)
    [InlineData("get /a.txt HTTP/1.1\r\n", "Http")] // a method nobody knows (501)
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\n", "Http")]
    [InlineData("GET HTTP://example.com/a.txt HTTP/1.1\r\n", "Http")]
    [InlineData("GET /a.txt http/1.1\r\n", "Http")]
    [InlineData("a.txt\n", "NotHttp")]
    [InlineData("my file.txt\n", "NotHttp")]
    [InlineData("sub/inner.txt", "NotHttp")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ /", "Unknown")] // a long token with a target: wait for the line
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ /\n", "NotHttp")]
    [InlineData("\x16\x03\x01", "NotHttp")] // a TLS ClientHello
    [InlineData(" GET / HTTP/1.1\r\n", "NotHttp")]
    public void The_shape_of_a_request_line_is_recognized(string start, string expected) =>
        Assert.Equal(Enum.Parse<HttpStart>(expected), HttpRequestStart.Check(Encoding.UTF8.GetBytes(start)));

    [Theory]
    [InlineData("a.txt", "NotHttp")] // the book's client: a whole name, then it waits
    [InlineData("README", "Unknown")] // perhaps a method being typed
    [InlineData("GET", "Unknown")]
    [InlineData("GET ", "Unknown")]
    [InlineData("my file.txt", "NotHttp")]
    [InlineData("get /a.txt HTTP/1.1", "Http")]
    [InlineData("\r\n", "Unknown")]
    public void Bytes_that_stopped_coming_are_judged_on_what_came(string start, string expected) =>
        Assert.Equal(Enum.Parse<HttpStart>(expected), HttpRequestStart.Check(Encoding.UTF8.GetBytes(start), quiet: true));

    [Theory]
    [InlineData("README", "NotHttp")]
    [InlineData("GET", "NotHttp")]
    [InlineData("GET ", "NotHttp")]
    [InlineData("\r\n", "NotHttp")]
    [InlineData("GET /a.txt HTTP/1.1", "Http")]
    public void At_the_end_the_sniffer_decides(string start, string expected) =>
        Assert.Equal(Enum.Parse<HttpStart>(expected), HttpRequestStart.Check(Encoding.UTF8.GetBytes(start), final: true));

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

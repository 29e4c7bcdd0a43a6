using System.Text;
using Doorway.Http;
using Xunit;

namespace Doorway.Tests.Http;

/// <summary>
/// The parser resumes where it stopped: a head fed in any pieces gives what it gives whole, and
/// the bytes it looks at stay linear in the head's length (rescanning from byte 0 on every read
/// would make a trickled head quadratic).
/// </summary>
public sealed class ParserResumptionTests
{
    public static TheoryData<string> Heads => new()
    {
        "GET /a%20b.txt?x=1 HTTP/1.1\r\nHost: h\r\nRange: bytes=1-2\r\nIf-None-Match: \"x\"\r\nConnection: keep-alive, close\r\n\r\n",
        "HEAD / HTTP/1.0\nConnection: keep-alive\n\n",
        "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nExpect: 100-continue\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: h\r\n\r\n",
        "GET /" + new string('a', 120) + " HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX: " + new string('a', 250) + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void A_head_fed_one_byte_at_a_time_parses_as_it_does_whole(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        using var whole = new HttpRequestParser(HttpParsingTests.Limits);
        var expected = whole.Parse(bytes);

        using var trickled = new HttpRequestParser(HttpParsingTests.Limits);
        var status = HttpParseStatus.Incomplete;
        int fed = 0;
        while (status == HttpParseStatus.Incomplete && fed < bytes.Length)
        {
            int before = trickled.ResumePosition;
            status = trickled.Parse(bytes.AsSpan(0, ++fed));
            Assert.True(trickled.ResumePosition >= before, "the resume position never goes back");
        }

        Assert.Equal(expected, status);
        Assert.Equal(whole.Head.Error, trickled.Head.Error);
        Assert.Equal(whole.Head.Length, trickled.Head.Length);
        Assert.Equal(whole.Head.Method, trickled.Head.Method);
        Assert.Equal(whole.Head.Target, trickled.Head.Target);
        Assert.Equal(whole.Head.Version, trickled.Head.Version);
        Assert.Equal(whole.Head.KeepAlive, trickled.Head.KeepAlive);
        Assert.Equal(whole.Head.ContentLength, trickled.Head.ContentLength);
        Assert.Equal(whole.Fields.ToArray(), trickled.Fields.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void Work_stays_linear_in_the_head_however_it_is_cut(int piece)
    {
        // A big head (15 KiB of fields, 8 KiB of target) in small pieces: a rescan from byte 0 on each
        // read would look at ~N²/(2·piece) bytes, about 10⁸ for one-byte pieces.
        var text = new StringBuilder("GET /").Append('a', 8000).Append(" HTTP/1.1\r\nHost: h\r\n");
        for (int i = 0; i < 80; i++)
        {
            text.Append("X-Field-").Append(i).Append(": ").Append('v', 170).Append("\r\n");
        }

        byte[] bytes = Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
        using var parser = new HttpRequestParser(HttpLimits.Default);
        var status = HttpParseStatus.Incomplete;
        for (int fed = piece; status == HttpParseStatus.Incomplete; fed = Math.Min(fed + piece, bytes.Length))
        {
            status = parser.Parse(bytes.AsSpan(0, fed));
        }

        Assert.Equal(HttpParseStatus.Complete, status);
        Assert.Equal(bytes.Length, parser.Head.Length);
        Assert.Equal(81, parser.Head.FieldCount);
        // Each byte is searched for a line end once and validated once.
        Assert.InRange(parser.BytesExamined, bytes.Length, 2L * bytes.Length);
    }

    [Fact]
    public void The_resume_position_is_where_the_bytes_given_end()
    {
        byte[] bytes = "GET /x HTTP/1.1\r\nHost: h\r\nUser-Agent: t\r\n\r\n"u8.ToArray();
        using var parser = new HttpRequestParser(HttpLimits.Default);
        Assert.Equal(HttpParseStatus.Incomplete, parser.Parse(bytes.AsSpan(0, 10)));
        Assert.Equal(10, parser.ResumePosition);
        Assert.Equal(HttpParseStatus.Incomplete, parser.Parse(bytes.AsSpan(0, 20)));
        Assert.Equal(20, parser.ResumePosition);
        long examined = parser.BytesExamined;
        // The same bytes again: nothing new to look at.
        Assert.Equal(HttpParseStatus.Incomplete, parser.Parse(bytes.AsSpan(0, 20)));
        Assert.Equal(examined, parser.BytesExamined);
        Assert.Equal(HttpParseStatus.Complete, parser.Parse(bytes));
        Assert.Equal(bytes.Length, parser.Head.Length);

        // A final answer stays final until Reset; Reset starts over.
        Assert.Equal(HttpParseStatus.Complete, parser.Parse(bytes));
        parser.Reset();
        Assert.Equal(0, parser.ResumePosition);
        Assert.Equal(HttpParseStatus.Complete, parser.Parse(bytes));
    }

    [Fact]
    public void A_request_line_too_long_is_found_however_slowly_it_arrives()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("GET /" + new string('a', 300));
        using var parser = new HttpRequestParser(HttpParsingTests.Limits);
        var status = HttpParseStatus.Incomplete;
        int fed = 0;
        while (status == HttpParseStatus.Incomplete)
        {
            status = parser.Parse(bytes.AsSpan(0, ++fed));
        }

        Assert.Equal(HttpParseStatus.UriTooLong, status);
        Assert.Equal(HttpParsingTests.Limits.MaxRequestLineBytes + 1, fed);
    }
}

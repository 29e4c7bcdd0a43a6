using System.Text;
using Doorway.Http;
using Xunit;

namespace Doorway.Tests.Http;

/// <summary>Every header field is recorded, and any of them can be looked up by name, case-insensitively.</summary>
public sealed class HttpHeadersTests
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes(
        "GET / HTTP/1.1\r\nHost: example\r\nAccept:   text/html  \r\nX-Empty:\r\nCookie: a=1\r\ncookie: b=2\r\nIF-NONE-MATCH: \"v1\"\r\n\r\n");

    private static HttpRequestParser Parsed()
    {
        var parser = new HttpRequestParser(HttpLimits.Default);
        Assert.Equal(HttpParseStatus.Complete, parser.Parse(Request));
        return parser;
    }

    [Fact]
    public void Every_field_is_recorded_in_order()
    {
        using var parser = Parsed();
        var headers = parser.Headers(Request);
        Assert.Equal(6, headers.Count);
        var names = new List<string>();
        for (int i = 0; i < headers.Count; i++)
        {
            names.Add($"{Encoding.ASCII.GetString(headers.Name(i))}={Encoding.ASCII.GetString(headers.Value(i))}");
        }

        Assert.Equal(["Host=example", "Accept=text/html", "X-Empty=", "Cookie=a=1", "cookie=b=2", "IF-NONE-MATCH=\"v1\""], names);
    }

    [Theory]
    [InlineData("if-none-match", "\"v1\"")]
    [InlineData("If-None-Match", "\"v1\"")]
    [InlineData("HOST", "example")]
    [InlineData("accept", "text/html")]
    [InlineData("x-empty", "")]
    [InlineData("cookie", "a=1")]
    public void A_field_is_found_by_name_whatever_its_case(string name, string value)
    {
        using var parser = Parsed();
        Assert.True(parser.Headers(Request).TryGet(Encoding.ASCII.GetBytes(name), out var found));
        Assert.Equal(value, Encoding.ASCII.GetString(found));
    }

    [Fact]
    public void Absent_fields_and_repeated_ones_are_told()
    {
        using var parser = Parsed();
        var headers = parser.Headers(Request);
        Assert.False(headers.TryGet("range"u8, out var none));
        Assert.True(none.IsEmpty);
        Assert.False(headers.Contains("hos"u8));
        Assert.False(headers.Contains("hostx"u8));
        Assert.Equal(2, headers.CountOf("COOKIE"u8));
        Assert.Equal(0, headers.CountOf("range"u8));
    }

    [Fact]
    public void The_table_is_rented_while_parsing_and_given_back_when_idle()
    {
        var parser = Parsed();
        Assert.True(parser.HoldsFields);
        parser.Reset();
        Assert.True(parser.HoldsFields);
        parser.Release();
        Assert.False(parser.HoldsFields);
        Assert.Equal(0, parser.Fields.Length);
    }
}

using System.Globalization;
using System.Text;
using Doorway.Http;
using Xunit;

namespace Doorway.Tests.Http;

/// <summary>HTTP dates: the three formats a recipient MUST accept (RFC 9110 §5.6.7), and what is not a date.</summary>
public sealed class HttpDateTests
{
    private static readonly DateTimeOffset Expected = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);

    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")] // IMF-fixdate
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")] // obsolete RFC 850
    [InlineData("Sun Nov  6 08:49:37 1994")] // obsolete asctime
    [InlineData("Sun Nov 06 08:49:37 1994")]
    public void The_three_formats_are_the_same_instant(string text)
    {
        Assert.True(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), Now, out var time));
        Assert.Equal(Expected, time);
    }

    [Theory]
    [InlineData("Thursday, 01-Jan-26 00:00:00 GMT", 2026)]
    [InlineData("Saturday, 01-Jan-50 00:00:00 GMT", 2050)]
    [InlineData("Tuesday, 01-Jan-76 00:00:00 GMT", 2076)] // 50 years ahead: not more than 50
    [InlineData("Thursday, 01-Jan-77 00:00:00 GMT", 1977)] // more than 50 years ahead: the last 1977
    [InlineData("Friday, 01-Jan-99 00:00:00 GMT", 1999)]
    public void A_two_digit_year_more_than_50_years_ahead_is_in_the_past(string text, int year)
    {
        // RFC 9110 §5.6.7.
        Assert.True(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), Now, out var time));
        Assert.Equal(year, time.Year);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("Sun, 06 Nov 1994 08:49:37")]
    [InlineData("Sun, 06 Nov 1994 08:49:37 UTC")]
    [InlineData("Sun, 31 Feb 1994 08:49:37 GMT")]
    [InlineData("Sun, 06 Nov 1994 24:00:00 GMT")]
    [InlineData("Sun, 06 Xyz 1994 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-1994 08:49:37 GMT")]
    [InlineData("Sun Nov  6 08:49:37 94")]
    [InlineData("Sun, 6 Nov 1994 08:49:37 GMT")]
    [InlineData("1994-11-06T08:49:37Z")]
    public void Anything_else_is_not_a_date(string text) =>
        Assert.False(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), Now, out _));

    [Fact]
    public void What_is_formatted_parses_back()
    {
        var time = new DateTimeOffset(2031, 2, 3, 4, 5, 6, TimeSpan.Zero);
        Span<byte> text = stackalloc byte[HttpDate.Length];
        Assert.Equal(HttpDate.Length, HttpDate.Format(time, text));
        Assert.Equal(time.ToString("r", CultureInfo.InvariantCulture), Encoding.ASCII.GetString(text));
        Assert.True(HttpDate.TryParse(text, out var back));
        Assert.Equal(time, back);
    }

    [Fact]
    public void Parsing_allocates_nothing()
    {
        byte[][] texts = [.. new[] { "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994" }.Select(Encoding.ASCII.GetBytes)];
        HttpDate.TryParse(texts[0], out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            HttpDate.TryParse(texts[i % 3], out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

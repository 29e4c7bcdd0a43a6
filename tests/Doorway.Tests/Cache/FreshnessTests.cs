using System.Text;
using Doorway.Cache;

namespace Doorway.Tests.Cache;

/// <summary>RFC 9111's rules as functions: lifetime (§4.2.1, §4.2.2), age (§4.2.3), storability (§3), serving without validation (§4.2, §5.2.1), stale-if-error (RFC 5861).</summary>
public sealed class FreshnessTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static StoredResponse Stored(string fields, int status = 200, DateTimeOffset? requestTime = null, DateTimeOffset? responseTime = null)
    {
        var lines = fields.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            return new HeaderLine(Encoding.ASCII.GetBytes(line[..colon]), Encoding.ASCII.GetBytes(line[(colon + 1)..].Trim()));
        }).ToArray();
        return new StoredResponse("http://o/x", status, lines, BodySegments.Of("x"u8), requestTime ?? T0, responseTime ?? T0, [], []);
    }

    private static string Date(DateTimeOffset time) => time.ToString("R");

    [Theory]
    [InlineData("Cache-Control: s-maxage=30, max-age=60", 30)]
    [InlineData("Cache-Control: max-age=60\r\nExpires: Thu, 01 Jan 2026 13:00:00 GMT", 60)]
    [InlineData("Cache-Control: max-age=\"45\"", 45)]
    [InlineData("Cache-Control: max-age=99999999999999999999", 2147483648)]
    [InlineData("Date: Thu, 01 Jan 2026 12:00:00 GMT\r\nExpires: Thu, 01 Jan 2026 12:10:00 GMT", 600)]
    [InlineData("Date: Thu, 01 Jan 2026 12:00:00 GMT\r\nExpires: 0", 0)]
    [InlineData("Date: Thu, 01 Jan 2026 12:00:00 GMT\r\nExpires: Thu, 01 Jan 2026 11:00:00 GMT", 0)]
    [InlineData("Date: Thu, 01 Jan 2026 12:00:00 GMT\r\nLast-Modified: Thu, 01 Jan 2026 11:00:00 GMT", 360)]
    [InlineData("Date: Thu, 01 Jan 2026 12:00:00 GMT\r\nLast-Modified: Mon, 01 Jan 2024 12:00:00 GMT", 86400)]
    [InlineData("Cache-Control: max-age=abc", 0)]
    [InlineData("", 0)]
    public void Lifetime_follows_the_first_rule_that_applies(string fields, long seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Freshness.Lifetime(Stored(fields), TimeSpan.FromDays(1)));
    }

    [Fact]
    public void The_heuristic_applies_only_to_heuristically_cacheable_statuses()
    {
        string fields = "Date: Thu, 01 Jan 2026 12:00:00 GMT\r\nLast-Modified: Thu, 01 Jan 2026 11:00:00 GMT";
        Assert.Equal(TimeSpan.FromSeconds(360), Freshness.Lifetime(Stored(fields, status: 404), TimeSpan.FromDays(1)));
        Assert.Equal(TimeSpan.Zero, Freshness.Lifetime(Stored(fields, status: 302), TimeSpan.FromDays(1)));
    }

    [Fact]
    public void Age_adds_the_origins_Age_the_request_delay_and_the_time_resident()
    {
        // Age 10 from upstream, 2 s between request and response, 5 s in the cache.
        var stored = Stored($"Date: {Date(T0)}\r\nAge: 10", requestTime: T0.AddSeconds(-2), responseTime: T0);
        Assert.Equal(TimeSpan.FromSeconds(17), Freshness.CurrentAge(stored, T0.AddSeconds(5)));
    }

    [Fact]
    public void Age_counts_a_Date_in_the_past_as_apparent_age()
    {
        var stored = Stored($"Date: {Date(T0.AddSeconds(-30))}", requestTime: T0, responseTime: T0);
        Assert.Equal(TimeSpan.FromSeconds(30), Freshness.CurrentAge(stored, T0));
    }

    [Theory]
    [InlineData(200, "", "", false, false, false, null)]
    [InlineData(200, "no-store", "", false, false, false, "no-store")]
    [InlineData(200, "", "no-store", false, false, false, "no-store")]
    [InlineData(200, "", "private", false, false, false, "private")]
    [InlineData(200, "", "max-age=60", true, false, false, "authorization")]
    [InlineData(200, "", "public", true, false, false, null)]
    [InlineData(200, "", "s-maxage=60", true, false, false, null)]
    [InlineData(200, "", "must-revalidate", true, false, false, null)]
    [InlineData(200, "", "max-age=60", false, true, false, "set-cookie")]
    [InlineData(200, "", "max-age=60", false, false, true, "vary-star")]
    [InlineData(302, "", "", false, false, false, "status")]
    [InlineData(302, "", "max-age=60", false, false, false, null)]
    [InlineData(500, "", "max-age=60", false, false, false, "status")]
    [InlineData(404, "", "", false, false, false, null)]
    public void Storability(int status, string request, string response, bool authorization, bool setCookie, bool varyStar, string? why)
    {
        var requestDirectives = CacheDirectives.Parse(Encoding.ASCII.GetBytes(request));
        var responseDirectives = CacheDirectives.Parse(Encoding.ASCII.GetBytes(response));
        Assert.Equal(why, Freshness.WhyNotStorable(status, requestDirectives, responseDirectives, hasExpires: false, authorization, setCookie, varyStar));
    }

    [Theory]
    [InlineData("max-age=60", "", 30, true)]
    [InlineData("max-age=60", "", 61, false)]
    [InlineData("max-age=60", "max-age=20", 30, false)]
    [InlineData("max-age=60", "min-fresh=40", 30, false)]
    [InlineData("max-age=60", "no-cache", 1, false)]
    [InlineData("max-age=60, no-cache", "", 1, false)]
    [InlineData("max-age=60", "max-stale=10", 65, true)]
    [InlineData("max-age=60", "max-stale", 6000, true)]
    [InlineData("max-age=60", "max-stale=10", 75, false)]
    [InlineData("max-age=60, must-revalidate", "max-stale", 65, false)]
    [InlineData("s-maxage=60", "max-stale", 65, false)]
    public void Serving_without_the_origin(string response, string request, int ageSeconds, bool expected)
    {
        var stored = Stored($"Cache-Control: {response}");
        var lifetime = Freshness.Lifetime(stored, TimeSpan.FromDays(1));
        var directives = CacheDirectives.Parse(Encoding.ASCII.GetBytes(request));
        Assert.Equal(expected, Freshness.CanServeWithoutValidation(stored, directives, requestPragmaNoCache: false, lifetime, TimeSpan.FromSeconds(ageSeconds)));
    }

    [Theory]
    [InlineData("max-age=60, stale-if-error=100", "", 150, true)]
    [InlineData("max-age=60, stale-if-error=100", "", 161, false)]
    [InlineData("max-age=60", "stale-if-error=100", 150, true)]
    [InlineData("max-age=60", "", 61, false)]
    [InlineData("max-age=60, stale-if-error=100, must-revalidate", "", 70, false)]
    public void Stale_if_error(string response, string request, int ageSeconds, bool expected)
    {
        var stored = Stored($"Cache-Control: {response}");
        var lifetime = Freshness.Lifetime(stored, TimeSpan.FromDays(1));
        Assert.Equal(expected, Freshness.CanServeOnError(stored, CacheDirectives.Parse(Encoding.ASCII.GetBytes(request)), lifetime, TimeSpan.FromSeconds(ageSeconds)));
    }
}

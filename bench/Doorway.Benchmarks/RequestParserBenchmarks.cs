using BenchmarkDotNet.Attributes;
using Doorway.Http;

namespace Doorway.Benchmarks;

/// <summary>The HTTP/1.1 request-head parser on the requests real clients send.</summary>
[MemoryDiagnoser]
public class RequestParserBenchmarks
{
    private static readonly byte[] Curl =
        "GET /docs/report.pdf HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"u8.ToArray();

    private static readonly byte[] Browser =
        ("GET /photos/2024/summer/beach.jpg HTTP/1.1\r\n" +
         "Host: files.example.org:8080\r\n" +
         "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
         "Accept: image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5\r\n" +
         "Accept-Language: en-GB,en;q=0.5\r\n" +
         "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
         "Connection: keep-alive\r\n" +
         "Referer: http://files.example.org:8080/photos/2024/summer/\r\n" +
         "If-Modified-Since: Tue, 05 Nov 2024 10:00:00 GMT\r\n" +
         "Range: bytes=0-65535\r\n" +
         "\r\n").Select(c => (byte)c).ToArray();

    private readonly HttpRequestParser _parser = new(HttpLimits.Default);

    [Benchmark(Description = "curl GET (4 lines)")]
    public int ParseCurl() => Parse(Curl);

    [Benchmark(Description = "browser GET (11 lines)")]
    public int ParseBrowser() => Parse(Browser);

    [Benchmark(Description = "browser GET, head not complete yet")]
    public int ParseIncomplete() => Parse(Browser.AsSpan(0, Browser.Length - 3));

    [Benchmark(Description = "browser GET in 64-byte reads, resumed")]
    public int ParseResumed()
    {
        _parser.Reset();
        var status = HttpParseStatus.Incomplete;
        for (int end = 64; status == HttpParseStatus.Incomplete; end = Math.Min(end + 64, Browser.Length))
        {
            status = _parser.Parse(Browser.AsSpan(0, end));
        }

        return (int)status + _parser.Head.Length;
    }

    private int Parse(ReadOnlySpan<byte> request)
    {
        _parser.Reset();
        var status = _parser.Parse(request);
        return (int)status + _parser.Head.Length;
    }
}

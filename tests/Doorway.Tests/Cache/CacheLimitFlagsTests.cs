using System.Net;
using Doorway.Tests.Support;
using static Doorway.Tests.Cache.ScriptedOrigin;

namespace Doorway.Tests.Cache;

/// <summary>
/// The cache's request-body and origin-header limits, through <c>doorway serve</c>: each has its
/// default (1 MiB, 64 KiB) and a flag that moves it, as every limit must.
/// </summary>
public sealed class CacheLimitFlagsTests
{
    private static RunningProcess StartCache(params string[] args) =>
        RunningProcess.StartDoorway(["serve", "--tcp", "off", "--udp", "off", "--reply", "off", "--files", "off", "--cache", "0", "--bind", "127.0.0.1", .. args]);

    private static HttpClient Through(int cachePort) =>
        new(new SocketsHttpHandler { Proxy = new WebProxy($"http://127.0.0.1:{cachePort}"), UseProxy = true }) { Timeout = TimeSpan.FromSeconds(20) };

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string url, int bytes)
    {
        // Expect: 100-continue, so a 413 sent before the body is read reaches the client (RFC 9110 §10.1.1).
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(new byte[bytes]) };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request).WithDeadline();
        return response.StatusCode;
    }

    [Fact]
    public async Task A_POST_past_the_default_1_MiB_gets_413_and_passes_with_cache_max_request_body()
    {
        await using var origin = new ScriptedOrigin(_ => Respond(200, "", "taken"));
        const int body = 1536 * 1024;

        await using (var defaults = StartCache())
        {
            using var client = Through(await defaults.WaitForReadyAsync("cache"));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(client, origin.Url("/upload"), body));
        }

        Assert.Empty(origin.Requests);
        await using (var raised = StartCache("--cache-max-request-body", "2M"))
        {
            using var client = Through(await raised.WaitForReadyAsync("cache"));
            Assert.Equal(HttpStatusCode.OK, await PostAsync(client, origin.Url("/upload"), body));
        }

        Assert.Equal(body, Assert.Single(origin.Requests).Body.Length);
    }

    [Fact]
    public async Task An_origin_header_past_cache_max_response_header_gets_502()
    {
        // 8 KiB of header fields: within the default 64 KiB, past a limit of 4K.
        await using var origin = new ScriptedOrigin(_ => Respond(200, $"X-Padding: {new string('p', 8 * 1024)}", "fine"));

        await using (var defaults = StartCache())
        {
            using var client = Through(await defaults.WaitForReadyAsync("cache"));
            using var response = await client.GetAsync(origin.Url("/a")).WithDeadline();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using (var lowered = StartCache("--cache-max-response-header", "4K"))
        {
            using var client = Through(await lowered.WaitForReadyAsync("cache"));
            using var response = await client.GetAsync(origin.Url("/b")).WithDeadline();
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }
    }
}

using System.Text;
using Doorway.Cache;
using Doorway.Tests.Support;
using static Doorway.Tests.Cache.ScriptedOrigin;

namespace Doorway.Tests.Cache;

/// <summary>The cache's behaviour over in-memory client connections, against a scripted origin on loopback whose request log is the proof.</summary>
public sealed class CacheResponderTests
{
    private static string Now => DateTimeOffset.UtcNow.ToString("R");

    [Fact]
    public async Task A_fresh_copy_is_served_without_asking_the_origin_and_says_hit_with_its_age()
    {
        await using var cache = new CacheHarness(_ => Respond(200, $"Date: {Now}\r\nCache-Control: max-age=60\r\nContent-Type: text/plain", "hello"));
        var first = await cache.GetAsync("/a");
        var second = await cache.GetAsync("/a");

        Assert.Equal("hello", first.Text);
        Assert.Equal("doorway; fwd=miss; fwd-status=200; stored; ttl=60", first.Headers["Cache-Status"]);
        Assert.Equal("hello", second.Text);
        Assert.StartsWith("doorway; hit; ttl=", second.Headers["Cache-Status"]);
        Assert.True(int.Parse(second.Headers["Age"], System.Globalization.CultureInfo.InvariantCulture) is >= 0 and <= 2);
        Assert.Contains("doorway", second.Headers["Via"]);
        Assert.Single(cache.Origin.Requests);
        Assert.Equal(1, cache.Responder.Meter.Hits);
        Assert.Equal(5, cache.Responder.Meter.BytesSaved);
    }

    [Fact]
    public async Task A_stale_copy_is_validated_with_its_ETag_and_refreshed_by_304()
    {
        await using var cache = new CacheHarness(request => request.Headers.ContainsKey("If-None-Match")
            ? Respond(304, $"Date: {Now}\r\nETag: \"v1\"\r\nCache-Control: max-age=60")
            : Respond(200, $"Date: {Now}\r\nETag: \"v1\"\r\nCache-Control: max-age=0", "body-v1"));
        await cache.GetAsync("/s");
        var validated = await cache.GetAsync("/s");
        var afterRefresh = await cache.GetAsync("/s");

        var requests = cache.Origin.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal("\"v1\"", requests[1].Headers["If-None-Match"]);
        Assert.Equal(200, validated.Status);
        Assert.Equal("body-v1", validated.Text);
        Assert.StartsWith("doorway; fwd=stale; fwd-status=304; stored; ttl=", validated.Headers["Cache-Status"]);
        // The 304's max-age=60 replaced the stored max-age=0 (RFC 9111 §4.3.4): now a hit.
        Assert.StartsWith("doorway; hit", afterRefresh.Headers["Cache-Status"]);
        Assert.Equal("body-v1", afterRefresh.Text);
        Assert.Equal(1, cache.Responder.Meter.Validations);
    }

    [Fact]
    public async Task Last_Modified_alone_gives_a_tenth_of_its_age_capped_at_a_day()
    {
        var recent = DateTimeOffset.UtcNow.AddSeconds(-1000).ToString("R");
        var old = DateTimeOffset.UtcNow.AddDays(-100).ToString("R");
        await using var cache = new CacheHarness(request => Respond(200, $"Date: {Now}\r\nLast-Modified: {(request.Target == "/recent" ? recent : old)}", "x"));
        var young = await cache.GetAsync("/recent");
        var aged = await cache.GetAsync("/old");

        Assert.Matches("ttl=(99|100)$", young.Headers["Cache-Status"]);
        Assert.EndsWith("ttl=86400", aged.Headers["Cache-Status"]);
    }

    [Fact]
    public async Task No_store_is_fetched_every_time_and_never_says_stored()
    {
        await using var cache = new CacheHarness(_ => Respond(200, "Cache-Control: no-store, max-age=600", "secret"));
        for (int i = 0; i < 3; i++)
        {
            var response = await cache.GetAsync("/n");
            Assert.Equal("doorway; fwd=miss; fwd-status=200", response.Headers["Cache-Status"]);
        }

        Assert.Equal(3, cache.Origin.Requests.Count);
        Assert.Equal(0, cache.Responder.Store.Count);
    }

    [Theory]
    [InlineData("Cache-Control: private, max-age=600")]
    [InlineData("Cache-Control: max-age=600\r\nSet-Cookie: id=1")]
    [InlineData("Cache-Control: max-age=600\r\nVary: *")]
    public async Task Responses_a_shared_cache_must_not_keep_are_fetched_again(string fields)
    {
        await using var cache = new CacheHarness(_ => Respond(200, fields, "x"));
        await cache.GetAsync("/p");
        await cache.GetAsync("/p");
        Assert.Equal(2, cache.Origin.Requests.Count);
    }

    [Fact]
    public async Task A_request_with_Authorization_is_stored_only_when_the_response_says_public()
    {
        await using var cache = new CacheHarness(request => Respond(200, request.Target == "/public" ? "Cache-Control: public, max-age=600" : "Cache-Control: max-age=600", "x"));
        foreach (var path in new[] { "/plain", "/plain", "/public", "/public" })
        {
            await cache.GetAsync(path, "Authorization: Basic dTpw\r\n");
        }

        Assert.Equal(3, cache.Origin.Requests.Count);
    }

    [Fact]
    public async Task Vary_keeps_one_copy_per_value_of_the_named_field()
    {
        await using var cache = new CacheHarness(request => Respond(200, "Cache-Control: max-age=600\r\nVary: Accept-Language",
            request.Headers.TryGetValue("Accept-Language", out var language) ? language : "none"));
        var en = await cache.GetAsync("/v", "Accept-Language: en\r\n");
        var fr = await cache.GetAsync("/v", "Accept-Language: fr\r\n");
        var enAgain = await cache.GetAsync("/v", "Accept-Language: en\r\n");
        var frAgain = await cache.GetAsync("/v", "Accept-Language: fr\r\n");

        Assert.Equal(("en", "fr", "en", "fr"), (en.Text, fr.Text, enAgain.Text, frAgain.Text));
        Assert.StartsWith("doorway; fwd=vary-miss", fr.Headers["Cache-Status"]);
        Assert.StartsWith("doorway; hit", enAgain.Headers["Cache-Status"]);
        Assert.StartsWith("doorway; hit", frAgain.Headers["Cache-Status"]);
        Assert.Equal(2, cache.Origin.Requests.Count);
    }

    [Fact]
    public async Task A_POST_passes_through_with_its_body_and_invalidates_the_stored_copy()
    {
        await using var cache = new CacheHarness(request => Respond(200, request.Method == "POST" ? "" : "Cache-Control: max-age=600", request.Method));
        await cache.GetAsync("/form");
        var post = await cache.GetAsync("/form", "Content-Type: text/plain\r\n", method: "POST", body: "name=value");
        var after = await cache.GetAsync("/form");

        var requests = cache.Origin.Requests;
        Assert.Equal(["GET", "POST", "GET"], requests.Select(r => r.Method));
        Assert.Equal("name=value", Encoding.UTF8.GetString(requests[1].Body));
        Assert.Equal("text/plain", requests[1].Headers["Content-Type"]);
        Assert.Equal("doorway; fwd=method; fwd-status=200", post.Headers["Cache-Status"]);
        Assert.StartsWith("doorway; fwd=miss", after.Headers["Cache-Status"]);
    }

    [Fact]
    public async Task No_cache_from_the_client_asks_the_origin_even_for_a_fresh_copy()
    {
        await using var cache = new CacheHarness(request => request.Headers.ContainsKey("If-None-Match")
            ? Respond(304, "ETag: \"e\"\r\nCache-Control: max-age=600")
            : Respond(200, "ETag: \"e\"\r\nCache-Control: max-age=600", "x"));
        await cache.GetAsync("/f");
        var forced = await cache.GetAsync("/f", "Cache-Control: no-cache\r\n");
        var pragma = await cache.GetAsync("/f", "Pragma: no-cache\r\n");

        Assert.StartsWith("doorway; fwd=request; fwd-status=304", forced.Headers["Cache-Status"]);
        Assert.StartsWith("doorway; fwd=request; fwd-status=304", pragma.Headers["Cache-Status"]);
        Assert.Equal(3, cache.Origin.Requests.Count);
    }

    [Fact]
    public async Task Only_if_cached_gets_504_without_a_copy_and_the_copy_with_one()
    {
        await using var cache = new CacheHarness(_ => Respond(200, "Cache-Control: max-age=600", "x"));
        var none = await cache.GetAsync("/o", "Cache-Control: only-if-cached\r\n");
        await cache.GetAsync("/o");
        var some = await cache.GetAsync("/o", "Cache-Control: only-if-cached\r\n");

        Assert.Equal(504, none.Status);
        Assert.Equal("doorway; detail=only-if-cached", none.Headers["Cache-Status"]);
        Assert.Equal(200, some.Status);
        Assert.Single(cache.Origin.Requests);
    }

    [Fact]
    public async Task Stale_if_error_serves_the_stale_copy_when_the_origin_is_gone_and_only_then()
    {
        var fields = new Dictionary<string, string>
        {
            ["/tolerant"] = "Cache-Control: max-age=0, stale-if-error=600\r\nETag: \"t\"",
            ["/strict"] = "Cache-Control: max-age=0\r\nETag: \"s\"",
        };
        var cache = new CacheHarness(request => Respond(200, fields[request.Target], "old"), CacheOptions.Default with { ConnectTimeout = TimeSpan.FromSeconds(2) });
        await using (cache)
        {
            await cache.GetAsync("/tolerant");
            await cache.GetAsync("/strict");
            await cache.Origin.DisposeAsync();

            var tolerant = await cache.GetAsync("/tolerant");
            var strict = await cache.GetAsync("/strict");

            Assert.Equal(200, tolerant.Status);
            Assert.Equal("old", tolerant.Text);
            Assert.Contains("detail=stale-if-error", tolerant.Headers["Cache-Status"]);
            Assert.Equal(502, strict.Status);
        }
    }

    [Fact]
    public async Task Stale_if_error_also_covers_a_5xx_from_the_origin()
    {
        int calls = 0;
        await using var cache = new CacheHarness(_ => Interlocked.Increment(ref calls) == 1
            ? Respond(200, "Cache-Control: max-age=0, stale-if-error=600", "old")
            : Respond(503, "", "down"));
        await cache.GetAsync("/x");
        var stale = await cache.GetAsync("/x");
        Assert.Equal("old", stale.Text);
        Assert.Contains("fwd-status=503; ttl=", stale.Headers["Cache-Status"]);
    }

    public static TheoryData<string, string> HostileOrigins => new()
    {
        { "endless headers", "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 20000).Select(i => $"X-Pad-{i}: {new string('a', 50)}\r\n")) },
        { "lying Content-Length", "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: 1000\r\n\r\nonly ten b" },
        { "close in the head", "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Le" },
        { "not HTTP", "SSH-2.0-OpenSSH_9.2\r\n" },
    };

    [Theory]
    [MemberData(nameof(HostileOrigins))]
    public async Task A_broken_or_malicious_origin_gets_the_client_a_502_and_nothing_is_stored(string what, string raw)
    {
        await using var cache = new CacheHarness(_ => RawThenClose(raw));
        var first = await cache.GetAsync("/h");
        var second = await cache.GetAsync("/h");

        Assert.True(first.Status == 502, what);
        Assert.Equal(502, second.Status);
        Assert.Equal(2, cache.Origin.Requests.Count);
        Assert.Equal(0, cache.Responder.Store.Count);
    }

    [Fact]
    public async Task An_origin_that_never_answers_gets_504_after_the_response_timeout()
    {
        var never = new TaskCompletionSource();
        await using var cache = new CacheHarness(_ => (_, token) => never.Task.WaitAsync(token),
            CacheOptions.Default with { ResponseTimeout = TimeSpan.FromMilliseconds(500) });
        var started = DateTime.UtcNow;
        var response = await cache.GetAsync("/slow");
        Assert.Equal(504, response.Status);
        Assert.Equal("doorway; detail=origin-timeout", response.Headers["Cache-Status"]);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Hop_by_hop_fields_stop_at_the_cache_both_ways_and_Via_is_added()
    {
        await using var cache = new CacheHarness(_ => Respond(200, "Connection: X-Origin-Hop\r\nX-Origin-Hop: 1\r\nKeep-Alive: timeout=5\r\nX-End: kept", "x"));
        var response = await cache.GetAsync("/hop",
            "Connection: X-Client-Hop\r\nX-Client-Hop: 1\r\nKeep-Alive: 5\r\nProxy-Authorization: Basic dTpw\r\nTE: trailers\r\nX-Client-End: kept\r\nVia: 1.0 earlier\r\n");

        var seen = cache.Origin.Requests.Single().Headers;
        Assert.False(seen.ContainsKey("X-Client-Hop"));
        Assert.False(seen.ContainsKey("Keep-Alive"));
        Assert.False(seen.ContainsKey("Proxy-Authorization"));
        Assert.False(seen.ContainsKey("TE"));
        Assert.Equal("kept", seen["X-Client-End"]);
        Assert.StartsWith("1.0 earlier, 1.1 doorway (doorway-", seen["Via"]);
        Assert.False(response.Headers.ContainsKey("X-Origin-Hop"));
        Assert.False(response.Headers.ContainsKey("Keep-Alive"));
        Assert.Equal("kept", response.Headers["X-End"]);
    }

    [Fact]
    public async Task A_request_carrying_our_own_Via_is_a_loop_and_gets_508()
    {
        await using var cache = new CacheHarness(_ => Respond(200, "", "x"));
        await cache.GetAsync("/first");
        string ourVia = cache.Origin.Requests.Single().Headers["Via"];
        var looped = await cache.GetAsync("/again", $"Via: {ourVia}\r\n");
        var otherDoorway = await cache.GetAsync("/again", "Via: 1.1 doorway (doorway-00000000)\r\n");

        Assert.Equal(508, looped.Status);
        Assert.Equal(200, otherDoorway.Status);
        Assert.Equal(2, cache.Origin.Requests.Count);
    }

    [Fact]
    public async Task A_client_outside_the_allowed_networks_gets_403_and_the_origin_is_not_asked()
    {
        await using var cache = new CacheHarness(_ => Respond(200, "", "x"),
            CacheOptions.Default with { Allow = [System.Net.IPNetwork.Parse("10.0.0.0/8")] });
        var response = await cache.GetAsync("/a");
        Assert.Equal(403, response.Status);
        Assert.Empty(cache.Origin.Requests);
    }

    [Fact]
    public async Task A_forward_proxy_refuses_an_origin_form_target()
    {
        await using var cache = new CacheHarness(_ => Respond(200, "", "x"));
        var response = await cache.GetAsync("/" + "plain");
        Assert.Equal(200, response.Status);
        await using var client = new Http.SessionHarness(cache.Responder, cache.Options.Http);
        await client.SendAsync("GET /plain HTTP/1.1\r\nHost: example\r\n\r\n");
        var refused = await client.ReadResponseAsync();
        Assert.Equal(400, refused.Status);
    }

    [Fact]
    public async Task Ranges_and_the_clients_own_conditionals_are_answered_from_the_stored_copy()
    {
        await using var cache = new CacheHarness(_ => Respond(200, "Cache-Control: max-age=600\r\nETag: \"r\"", "0123456789"));
        await cache.GetAsync("/r");
        var range = await cache.GetAsync("/r", "Range: bytes=2-5\r\n");
        var notModified = await cache.GetAsync("/r", "If-None-Match: W/\"r\"\r\n");

        Assert.Equal(206, range.Status);
        Assert.Equal("2345", range.Text);
        Assert.Equal("bytes 2-5/10", range.Headers["Content-Range"]);
        Assert.StartsWith("doorway; hit", range.Headers["Cache-Status"]);
        Assert.Equal(304, notModified.Status);
        Assert.Single(cache.Origin.Requests);
    }

    [Fact]
    public async Task An_object_over_the_object_limit_passes_through_and_is_not_kept()
    {
        string big = new('b', 1000);
        await using var cache = new CacheHarness(_ => Respond(200, "Cache-Control: max-age=600", big), CacheOptions.Default with { MaxObjectBytes = 999 });
        Assert.Equal(big, (await cache.GetAsync("/big")).Text);
        Assert.Equal(big, (await cache.GetAsync("/big")).Text);
        Assert.Equal(2, cache.Origin.Requests.Count);
    }

    [Fact]
    public async Task The_memory_budget_evicts_the_least_recently_used()
    {
        string body = new('z', 1000);
        // Each entry costs its content, its fields and a little bookkeeping (about 1320 bytes here): two fit in 3500 bytes, three do not.
        await using var cache = new CacheHarness(_ => Respond(200, "Cache-Control: max-age=600", body), CacheOptions.Default with { MaxBytes = 3500 });
        await cache.GetAsync("/1");
        await cache.GetAsync("/2");
        await cache.GetAsync("/1");
        await cache.GetAsync("/3");
        var one = await cache.GetAsync("/1");
        var two = await cache.GetAsync("/2");

        Assert.StartsWith("doorway; hit", one.Headers["Cache-Status"]);
        Assert.StartsWith("doorway; fwd=miss", two.Headers["Cache-Status"]);
        Assert.True(cache.Responder.Store.Bytes <= 3500);
        Assert.Equal(2, cache.Responder.Store.Count);
    }

    [Fact]
    public async Task Concurrent_misses_for_one_object_make_one_origin_request()
    {
        var release = new TaskCompletionSource();
        await using var cache = new CacheHarness(_ => async (stream, token) =>
        {
            await release.Task.WaitAsync(token);
            await Respond(200, "Cache-Control: max-age=600", "together")(stream, token);
        });
        var clients = Enumerable.Range(0, 10).Select(_ => cache.GetAsync("/c")).ToList();
        await Deadline.UntilAsync(() => cache.Responder.WaitingFor(cache.Url("/c")) == 9, "nine requests waiting for the first one's fetch");
        release.SetResult();
        var responses = await Task.WhenAll(clients).WithDeadline();

        Assert.All(responses, response => Assert.Equal("together", response.Text));
        Assert.Equal(9, responses.Count(response => response.Headers["Cache-Status"].EndsWith("; collapsed", StringComparison.Ordinal)));
        Assert.Single(cache.Origin.Requests);
    }

    [Fact]
    public async Task Connections_to_one_origin_stay_within_the_cap_and_are_reused()
    {
        await using var cache = new CacheHarness(_ => async (stream, token) =>
        {
            // A slow origin is the scenario: twelve requests overlap, so the cap is what holds them to two connections.
            await Task.Delay(50, token);
            await Respond(200, "Cache-Control: no-store", "x")(stream, token);
        }, CacheOptions.Default with { MaxConnectionsPerOrigin = 2 });
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => cache.GetAsync($"/p{i}"))).WithDeadline();

        Assert.All(responses, response => Assert.Equal(200, response.Status));
        Assert.Equal(12, cache.Origin.Requests.Count);
        Assert.InRange(cache.Origin.Connections, 1, 2);
    }
    [Fact]
    public async Task Reverse_mode_sends_origin_form_requests_to_the_upstream_and_refuses_CONNECT()
    {
        await using var cache = new CacheHarness(_ => Respond(200, "Cache-Control: max-age=600", "from upstream"));
        var reverse = new CacheResponder(cache.Options with { Upstream = new Uri($"http://127.0.0.1:{cache.Origin.Port}") },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, cache.Responder.Meter);
        var answers = new List<Http.TestResponse>();
        foreach (var request in new[] { "GET /site/page?q=1 HTTP/1.1\r\nHost: www.example\r\n\r\n", "GET /site/page?q=1 HTTP/1.1\r\nHost: www.example\r\n\r\n",
            "CONNECT example:443 HTTP/1.1\r\nHost: example:443\r\n\r\n" })
        {
            await using var client = new Http.SessionHarness(reverse, cache.Options.Http);
            await client.SendAsync(request);
            answers.Add(await client.ReadResponseAsync());
        }

        reverse.Dispose();
        var seen = cache.Origin.Requests.Single();
        Assert.Equal("/site/page?q=1", seen.Target);
        Assert.Equal($"127.0.0.1:{cache.Origin.Port}", seen.Headers["Host"]);
        Assert.Equal("from upstream", answers[1].Text);
        Assert.StartsWith("doorway; hit", answers[1].Headers["Cache-Status"]);
        Assert.Equal(405, answers[2].Status);
    }

    [Fact]
    public async Task HEAD_is_answered_from_a_stored_GET_with_its_length_and_no_content()
    {
        await using var cache = new CacheHarness(_ => Respond(200, "Cache-Control: max-age=600", "twelve bytes"));
        await cache.GetAsync("/h");
        var head = await cache.GetAsync("/h", method: "HEAD");
        Assert.Equal(200, head.Status);
        Assert.Equal("12", head.Headers["Content-Length"]);
        Assert.Empty(head.Body);
        Assert.StartsWith("doorway; hit", head.Headers["Cache-Status"]);
        Assert.Single(cache.Origin.Requests);
    }

    [Fact]
    public async Task A_request_body_over_the_limit_gets_413_and_never_reaches_the_origin()
    {
        await using var cache = new CacheHarness(_ => Respond(200, "", "x"));
        await using var client = new Http.SessionHarness(cache.Responder, cache.Options.Http);
        await client.SendAsync($"POST {cache.Url("/upload")} HTTP/1.1\r\nHost: x\r\nContent-Length: {cache.Options.Http.MaxRequestBodyBytes + 1}\r\n\r\n");
        var refused = await client.ReadResponseAsync();
        Assert.Equal(413, refused.Status);
        Assert.Empty(cache.Origin.Requests);
    }
}

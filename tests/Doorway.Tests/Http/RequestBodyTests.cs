using System.Text;
using Doorway.Http;
using Doorway.Tests.Support;
using Xunit;

namespace Doorway.Tests.Http;

/// <summary>
/// Request content: Content-Length and chunked (RFC 9112 §6, §7.1), under the body limit, read by
/// a responder or drained for it, never taken for the next request.
/// </summary>
public sealed class RequestBodyTests
{
    private static readonly HttpLimits Bodies = HttpLimits.Default with { MaxRequestBodyBytes = 64 };

    private static string Post(string framing, string content) => $"POST /in HTTP/1.1\r\nHost: t\r\n{framing}\r\n{content}";

    [Fact]
    public async Task A_Content_Length_body_is_read_whole_and_the_next_request_follows_it()
    {
        await using var harness = new SessionHarness(TestResponder.Echo, Bodies);
        await harness.SendAsync(Post("Content-Length: 11\r\n", "hello world") + "GET /next HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("/in:hello world", (await harness.ReadResponseAsync()).Text);
        Assert.Equal("/next:", (await harness.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task A_body_that_trickles_in_is_read_as_it_comes()
    {
        await using var harness = new SessionHarness(TestResponder.Echo, Bodies);
        await harness.SendAsync(Post("Transfer-Encoding: chunked\r\n", "5\r\nhel"));
        await harness.SendAsync("lo\r\n");
        await harness.SendAsync("6;name=\"va;lue\"\r\n wor");
        await harness.SendAsync("ld\r\n0\r");
        await harness.SendAsync("\nX-Trailer: t\r\n\r\n");
        Assert.Equal("/in:hello world", (await harness.ReadResponseAsync()).Text);
        await harness.SendAsync(Post("Content-Length: 3\r\n", "a"));
        await harness.SendAsync("bc");
        Assert.Equal("/in:abc", (await harness.ReadResponseAsync()).Text);
    }

    [Theory]
    [InlineData("5\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world")]
    [InlineData("00005\r\nhello\r\n000\r\n\r\n", "hello")]
    [InlineData("A\r\n0123456789\r\n0\r\n\r\n", "0123456789")]
    [InlineData("a;ext=1;other\r\n0123456789\r\n0\r\nTrailer-One: 1\r\nTrailer-Two: 2\r\n\r\n", "0123456789")]
    [InlineData("5 ;ext\r\nhello\r\n0\r\n\r\n", "hello")]
    [InlineData("0\r\n\r\n", "")]
    public async Task Chunked_bodies_decode(string chunked, string content)
    {
        await using var harness = new SessionHarness(TestResponder.Echo, Bodies);
        await harness.SendAsync(Post("Transfer-Encoding: chunked\r\n", chunked) + "GET /next HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("/in:" + content, (await harness.ReadResponseAsync()).Text);
        Assert.Equal("/next:", (await harness.ReadResponseAsync()).Text);
    }

    [Theory]
    [InlineData("x\r\nhello\r\n0\r\n\r\n")] // not hex
    [InlineData("\r\nhello\r\n0\r\n\r\n")] // no size
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\nhello\r\n0\r\n\r\n")] // bare LF in framing
    [InlineData("5\r\nhelloXY0\r\n\r\n")] // data not followed by CRLF
    [InlineData("5 x\r\nhello\r\n0\r\n\r\n")] // junk, not an extension
    [InlineData("5;a\rb\r\nhello\r\n0\r\n\r\n")] // bare CR in an extension
    [InlineData("5\r\nhello\r\n0\r\nBad Trailer: x\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\n folded\r\n\r\n")]
    public async Task Bad_chunked_framing_is_400_and_closes(string chunked)
    {
        await using var harness = new SessionHarness(TestResponder.Echo, Bodies);
        await harness.SendAsync(Post("Transfer-Encoding: chunked\r\n", chunked) + "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n");
        var response = await harness.ReadResponseAsync();
        Assert.Equal(400, response.Status);
        Assert.True(response.Closes);
        Assert.DoesNotContain("smuggled", Encoding.ASCII.GetString(await harness.ReadToEndAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunk_line_past_its_bound_is_400()
    {
        await using var harness = new SessionHarness(TestResponder.Echo, Bodies);
        await harness.SendAsync(Post("Transfer-Encoding: chunked\r\n", "5;" + new string('e', HttpRequestBody.MaxChunkLineBytes)));
        Assert.Equal(400, (await harness.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData("Content-Length: 65\r\n", "")] // announced: refused before a byte is read
    [InlineData("Transfer-Encoding: chunked\r\n", "41\r\n")] // one chunk past the limit
    [InlineData("Transfer-Encoding: chunked\r\n", "20\r\n0123456789abcdef0123456789abcdef\r\n21\r\n")] // the sum past it
    [InlineData("Transfer-Encoding: chunked\r\n", "ffffffffffffffffffffffffffff\r\n")] // past any number
    public async Task Content_over_the_limit_is_413_and_closes(string framing, string content)
    {
        await using var harness = new SessionHarness(TestResponder.Echo, Bodies);
        await harness.SendAsync(Post(framing, content));
        var response = await harness.ReadResponseAsync();
        Assert.Equal(413, response.Status);
        Assert.True(response.Closes);
    }

    [Fact]
    public async Task Exactly_the_limit_is_taken()
    {
        await using var harness = new SessionHarness(TestResponder.Echo, Bodies);
        string content = new('c', 64);
        await harness.SendAsync(Post("Transfer-Encoding: chunked\r\n", $"20\r\n{content[..32]}\r\n20\r\n{content[32..]}\r\n0\r\n\r\n"));
        Assert.Equal("/in:" + content, (await harness.ReadResponseAsync()).Text);
        await harness.SendAsync(Post("Content-Length: 64\r\n", content));
        Assert.Equal("/in:" + content, (await harness.ReadResponseAsync()).Text);
    }

    [Theory]
    [InlineData("POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501)]
    [InlineData("POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400)]
    [InlineData("POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400)]
    [InlineData("POST /in HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)]
    [InlineData("POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400)]
    public async Task Framing_that_cannot_be_trusted_is_refused(string request, int status)
    {
        await using var harness = new SessionHarness(TestResponder.Echo, Bodies);
        await harness.SendAsync(request);
        var response = await harness.ReadResponseAsync();
        Assert.Equal(status, response.Status);
        Assert.True(response.Closes);
    }

    [Fact]
    public async Task Content_a_responder_leaves_is_drained_not_taken_for_the_next_request()
    {
        await using var harness = new SessionHarness(TestResponder.Hello, Bodies);
        // Each body is a whole request in disguise: answering it would be smuggling.
        const string hidden = "GET /hidden HTTP/1.1\r\nHost: t\r\n\r\n";
        await harness.SendAsync(Post($"Content-Length: {hidden.Length}\r\n", hidden));
        await harness.SendAsync(Post("Transfer-Encoding: chunked\r\n", $"{hidden.Length:x}\r\n{hidden}\r\n0\r\n\r\n"));
        await harness.SendAsync("GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("hello\n", (await harness.ReadResponseAsync()).Text);
        }

        Assert.Empty(await harness.ReadToEndAsync());
        harness.ShutdownSend();
        await harness.Run.WithDeadline();
        Assert.Equal(3, harness.Session.Requests);
    }

    [Fact]
    public async Task A_responder_that_reads_content_on_a_door_that_takes_none_gets_413_and_the_connection_closes()
    {
        await using var harness = new SessionHarness(TestResponder.Echo);
        await harness.SendAsync(Post("Content-Length: 35\r\n", "GET /hidden HTTP/1.1\r\nHost: t\r\n\r\n"));
        var response = await harness.ReadResponseAsync();
        Assert.Equal(413, response.Status);
        Assert.True(response.Closes);
        Assert.Empty(await harness.ReadToEndAsync());
    }

    [Fact]
    public async Task A_door_that_takes_no_content_answers_the_request_and_drops_a_small_body()
    {
        // The responder answers a POST (here 200; a file door says 405); the body, a request in
        // disguise, is read and dropped, and the next request is the one after it.
        const string Smuggled = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n";
        await using var harness = new SessionHarness(TestResponder.Target);
        await harness.SendAsync(Post($"Content-Length: {Smuggled.Length}\r\n", Smuggled) + "GET /next HTTP/1.1\r\nHost: t\r\n\r\n");
        var first = await harness.ReadResponseAsync();
        Assert.Equal("/in", first.Text);
        Assert.False(first.Closes);
        Assert.Equal("/next", (await harness.ReadResponseAsync()).Text);
        await harness.IdleAsync();
        Assert.Equal(2, harness.Session.Requests);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("Content-Length: 100\r\n", "x")]
    public async Task Content_a_door_that_takes_none_cannot_drain_ends_the_connection_after_the_answer(string framing, string content)
    {
        var limits = HttpLimits.Default with { MaxDiscardedBodyBytes = 99 };
        await using var harness = new SessionHarness(TestResponder.Hello, limits);
        await harness.SendAsync(Post(framing, content) + "GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
        var response = await harness.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.True(response.Closes);
        Assert.Empty(await harness.ReadToEndAsync());
        harness.ShutdownSend();
        await harness.Run.WithDeadline();
        Assert.Equal(1, harness.Session.Requests);
    }

    [Theory]
    [InlineData("gzip, chunked", 501)] // RFC 9112 §6.1: a coding the server does not understand
    [InlineData("x-custom, chunked", 501)]
    [InlineData("gzip", 400)] // §6.3: chunked not last, the length cannot be known: a MUST 400
    [InlineData("chunked, gzip", 400)]
    public async Task Transfer_codings_other_than_chunked_are_refused_with_the_RFC_status(string codings, int status)
    {
        foreach (var limits in new[] { HttpLimits.Default, Bodies })
        {
            await using var harness = new SessionHarness(TestResponder.Hello, limits);
            await harness.SendAsync(Post($"Transfer-Encoding: {codings}\r\n", "5\r\nhello\r\n0\r\n\r\n"));
            var response = await harness.ReadResponseAsync();
            Assert.Equal(status, response.Status);
            Assert.True(response.Closes);
        }
    }

    [Fact]
    public async Task Expect_100_continue_is_answered_when_the_content_is_read()
    {
        await using var harness = new SessionHarness(TestResponder.Echo, Bodies);
        await harness.SendAsync(Post("Content-Length: 5\r\nExpect: 100-continue\r\n", ""));
        Assert.Equal("HTTP/1.1 100 Continue", await harness.Reader.ReadLineAsync(Deadline.Token()).WithDeadline());
        Assert.Equal("", await harness.Reader.ReadLineAsync(Deadline.Token()).WithDeadline());
        await harness.SendAsync("hello");
        var response = await harness.ReadResponseAsync();
        Assert.Equal("/in:hello", response.Text);
        Assert.False(response.Closes);
    }

    [Fact]
    public async Task Content_expected_but_never_continued_closes_instead_of_being_drained()
    {
        // The client waits for 100 before it sends; the responder answers without reading, so the
        // content may never come, and what comes next could be a request.
        await using var harness = new SessionHarness(TestResponder.Hello, Bodies);
        await harness.SendAsync(Post("Content-Length: 5\r\nExpect: 100-continue\r\n", ""));
        var response = await harness.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.True(response.Closes);
    }

    [Fact]
    public async Task A_client_that_ends_inside_the_content_gets_400()
    {
        await using var harness = new SessionHarness(TestResponder.Echo, Bodies);
        await harness.SendAsync(Post("Content-Length: 10\r\n", "short"));
        harness.ShutdownSend();
        Assert.Equal(400, (await harness.ReadResponseAsync()).Status);
    }
}

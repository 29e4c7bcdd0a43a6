using System.Text;
using Doorway.Http;
using Xunit;

namespace Doorway.Tests.Http;

/// <summary>How a response frames its content: Content-Length, chunked, the close; HEAD and no-content statuses; sends per response.</summary>
public sealed class HttpResponseTests
{
    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)('a' + (i % 26))).ToArray();

    /// <summary>Writes the pieces one by one (sizes given), then completes.</summary>
    private static TestResponder Streaming(params int[] pieces) => new(async (_, response, token) =>
    {
        response.Start(200);
        response.Header("Content-Type"u8, "application/octet-stream"u8);
        int offset = 0;
        byte[] all = Pattern(pieces.Sum());
        foreach (int piece in pieces)
        {
            await response.WriteAsync(all.AsMemory(offset, piece), token);
            offset += piece;
        }

        await response.CompleteAsync(token);
    });

    [Fact]
    public async Task Content_of_unknown_length_is_chunked_for_HTTP_1_1()
    {
        // Small pieces, an empty one (which must not end the content), and large ones past the head's buffer.
        int[] pieces = [5, 0, 1, 20_000, 3, 100_000, 7];
        await using var harness = new SessionHarness(Streaming(pieces));
        await harness.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
        for (int i = 0; i < 2; i++)
        {
            var response = await harness.ReadResponseAsync();
            Assert.Equal("chunked", response.Headers["Transfer-Encoding"]);
            Assert.Equal([5, 1, 20_000, 3, 100_000, 7, 0], response.Chunks);
            Assert.Equal(Pattern(pieces.Sum()), response.Body);
            Assert.False(response.Closes);
        }
    }

    [Fact]
    public async Task Content_of_unknown_length_is_delimited_by_the_close_for_HTTP_1_0()
    {
        await using var harness = new SessionHarness(Streaming(3, 30_000, 4));
        await harness.SendAsync("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        var response = await harness.ReadResponseAsync();
        Assert.False(response.Headers.ContainsKey("Transfer-Encoding"));
        Assert.False(response.Headers.ContainsKey("Content-Length"));
        Assert.True(response.Closes);
        Assert.Equal(Pattern(30_007), response.Body);
    }

    [Fact]
    public async Task A_declared_length_streams_without_chunks_and_a_short_one_closes()
    {
        var declared = new TestResponder(async (request, response, token) =>
        {
            response.Start(200);
            response.SetContentLength(10);
            await response.WriteAsync("01234"u8.ToArray(), token);
            if (request.Target.SequenceEqual("/whole"u8))
            {
                await response.WriteAsync("56789"u8.ToArray(), token);
            }

            await response.CompleteAsync(token);
        });
        await using var harness = new SessionHarness(declared);
        await harness.SendAsync("GET /whole HTTP/1.1\r\nHost: t\r\n\r\n");
        var whole = await harness.ReadResponseAsync();
        Assert.Equal("10", whole.Headers["Content-Length"]);
        Assert.Equal("0123456789", whole.Text);
        Assert.False(whole.Closes);

        await harness.SendAsync("GET /short HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("HTTP/1.1 200 OK", await harness.Reader.ReadLineAsync());
        string rest = Encoding.ASCII.GetString(await harness.ReadToEndAsync());
        Assert.EndsWith("\r\n\r\n01234", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_streamed_response_left_incomplete_is_completed_for_the_responder()
    {
        var forgetful = new TestResponder(async (_, response, token) =>
        {
            response.Start(200);
            await response.WriteAsync("part"u8.ToArray(), token);
        });
        await using var harness = new SessionHarness(forgetful);
        await harness.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("part", (await harness.ReadResponseAsync()).Text);
        Assert.Equal("part", (await harness.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task HEAD_gets_the_head_of_GET_and_no_content_however_it_is_sent()
    {
        await using var chunked = new SessionHarness(Streaming(5, 20_000));
        await chunked.SendAsync("HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
        var head = await chunked.ReadResponseAsync(head: true);
        Assert.Equal("chunked", head.Headers["Transfer-Encoding"]);
        // Had content followed the HEAD's head, this would not parse as the GET's response.
        Assert.Equal(20_005, (await chunked.ReadResponseAsync()).Body.Length);

        await using var known = new SessionHarness(TestResponder.Hello);
        await known.SendAsync("HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("6", (await known.ReadResponseAsync(head: true)).Headers["Content-Length"]);
        Assert.Equal("hello\n", (await known.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task Not_modified_and_no_content_carry_no_length_and_no_content()
    {
        var responder = new TestResponder((request, response, token) =>
        {
            response.Start(request.Target.SequenceEqual("/304"u8) ? 304 : 204);
            response.Header("ETag"u8, "\"v\""u8);
            return response.SendAsync("ignored"u8.ToArray(), token);
        });
        await using var harness = new SessionHarness(responder);
        await harness.SendAsync("GET /304 HTTP/1.1\r\nHost: t\r\n\r\nGET /204 HTTP/1.1\r\nHost: t\r\n\r\nGET /304 HTTP/1.1\r\nHost: t\r\n\r\n");
        foreach (int status in new[] { 304, 204, 304 })
        {
            var response = await harness.ReadResponseAsync();
            Assert.Equal(status, response.Status);
            Assert.False(response.Headers.ContainsKey("Content-Length"));
            Assert.Equal("\"v\"", response.Headers["ETag"]);
        }
    }

    [Fact]
    public async Task A_small_body_goes_out_in_the_same_send_as_its_head_and_a_large_one_after_it()
    {
        await using var small = new SessionHarness(TestResponder.Hello);
        await small.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        await small.ReadResponseAsync();
        Assert.Equal(1, small.Connection.Sends);

        byte[] large = Pattern(HttpResponse.SmallBodyBytes + 1);
        var responder = new TestResponder((_, response, token) =>
        {
            response.Start(200);
            return response.SendAsync(large, token);
        });
        await using var big = new SessionHarness(responder);
        await big.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(large, (await big.ReadResponseAsync()).Body);
        Assert.Equal(2, big.Connection.Sends);
    }

    [Fact]
    public async Task A_small_file_region_goes_out_with_its_head_and_a_large_one_after_it()
    {
        string path = Path.GetTempFileName();
        try
        {
            byte[] content = Pattern(100_000);
            await File.WriteAllBytesAsync(path, content);
            var responder = new TestResponder(async (request, response, token) =>
            {
                using var file = File.OpenHandle(path);
                long count = request.Target.SequenceEqual("/small"u8) ? 1000 : 90_000;
                response.Start(200);
                await response.SendFileAsync(file, 10, count, token);
            });
            await using var harness = new SessionHarness(responder);
            await harness.SendAsync("GET /small HTTP/1.1\r\nHost: t\r\n\r\n");
            Assert.Equal(content.AsSpan(10, 1000).ToArray(), (await harness.ReadResponseAsync()).Body);
            Assert.Equal(1, harness.Connection.Sends);
            await harness.SendAsync("GET /large HTTP/1.1\r\nHost: t\r\n\r\n");
            var large = await harness.ReadResponseAsync();
            Assert.Equal("90000", large.Headers["Content-Length"]);
            Assert.Equal(content.AsSpan(10, 90_000).ToArray(), large.Body);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_head_larger_than_its_first_buffer_moves_to_a_larger_one()
    {
        string big = new('v', 50_000);
        var responder = new TestResponder((_, response, token) =>
        {
            response.Start(200);
            response.Header("X-Big"u8, big);
            return response.SendAsync(TestResponder.HelloBytes, token);
        });
        await using var harness = new SessionHarness(responder);
        await harness.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        var response = await harness.ReadResponseAsync();
        Assert.Equal(big, response.Headers["X-Big"]);
        Assert.Equal("hello\n", response.Text);
    }
}

using System.Text;
using Doorway.Http;
using Doorway.Tests.Support;
using Doorway.Transport;
using Xunit;

namespace Doorway.Tests.Http;

/// <summary>One HTTP/1.1 connection over an in-memory connection: keep-alive, pipelining, errors, stops, idle cost.</summary>
public sealed class Http1SessionTests
{
    private const string Get = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n";

    [Fact]
    public async Task Keep_alive_answers_one_request_after_another_on_one_connection()
    {
        await using var harness = new SessionHarness(TestResponder.Echo);
        for (int i = 0; i < 3; i++)
        {
            await harness.SendAsync($"GET /r{i} HTTP/1.1\r\nHost: t\r\n\r\n");
            var response = await harness.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal($"/r{i}:", response.Text);
            Assert.False(response.Headers.ContainsKey("Connection"));
            Assert.Equal("doorway", response.Headers["Server"]);
            Assert.True(response.Headers.ContainsKey("Date"));
        }

        harness.ShutdownSend();
        await harness.Run.WithDeadline();
        Assert.Equal(3, harness.Session.Requests);
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        await using var harness = new SessionHarness(TestResponder.Echo);
        var pipelined = new StringBuilder();
        for (int i = 0; i < 20; i++)
        {
            pipelined.Append(CultureInfo($"GET /p{i} HTTP/1.1\r\nHost: t\r\n\r\n"));
        }

        pipelined.Append("HEAD /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        await harness.SendAsync(pipelined.ToString());
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal($"/p{i}:", (await harness.ReadResponseAsync()).Text);
        }

        var last = await harness.ReadResponseAsync(head: true);
        Assert.Equal("6", last.Headers["Content-Length"]); // "/last:", not sent for HEAD
        Assert.True(last.Closes);
        Assert.Empty(await harness.ReadToEndAsync());
    }

    [Fact]
    public async Task HTTP_1_0_closes_unless_it_asks_to_keep_alive()
    {
        await using var harness = new SessionHarness(TestResponder.Hello);
        await harness.SendAsync("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        var kept = await harness.ReadResponseAsync();
        // RFC 9110 §2.5: the server's own version in the status line; HTTP/1.0's persistence rules still apply.
        Assert.StartsWith("HTTP/1.1 200 OK", kept.StatusLine, StringComparison.Ordinal);
        Assert.Equal("keep-alive", kept.Headers["Connection"]);
        await harness.SendAsync("GET / HTTP/1.0\r\n\r\n");
        Assert.True((await harness.ReadResponseAsync()).Closes);
        Assert.Empty(await harness.ReadToEndAsync());
    }

    public static TheoryData<string, int> MalformedHeads => new()
    {
        { "GET / HTTP/1.1\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n", 400 },
        { "GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505 },
        { "GET /" + new string('a', 120) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414 },
        { "GET / HTTP/1.1\r\nHost: t\r\nX: " + new string('a', 250) + "\r\n\r\n", 431 },
    };

    [Theory]
    [MemberData(nameof(MalformedHeads))]
    public async Task Malformed_heads_get_their_status_and_the_connection_closes(string request, int status)
    {
        await using var harness = new SessionHarness(TestResponder.Hello, HttpParsingTests.Limits);
        // The next request in the same packet must never be answered.
        await harness.SendAsync(request + Get);
        var response = await harness.ReadResponseAsync();
        Assert.Equal(status, response.Status);
        Assert.True(response.Closes);
        Assert.StartsWith($"{status} ", response.Text, StringComparison.Ordinal);
        Assert.Empty(await harness.ReadToEndAsync());
        harness.ShutdownSend();
        await harness.Run.WithDeadline();
        Assert.Equal(0, harness.Session.Requests);
    }

    [Fact]
    public async Task A_head_that_does_not_arrive_in_time_gets_408()
    {
        await using var harness = new SessionHarness(TestResponder.Hello, HttpLimits.Default with { RequestTimeout = TimeSpan.FromMilliseconds(50) });
        await harness.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n");
        // The door's heartbeat, played by the test: the clock is checked until it runs out.
        var policy = new TimeoutPolicy(IdleMs: 0, MinBytesPerSecond: 0, GraceMs: 0);
        using var beat = new CancellationTokenSource();
        var heartbeat = Task.Run(async () =>
        {
            while (!beat.IsCancellationRequested)
            {
                harness.Connection.Timeouts.Check(Environment.TickCount64, policy);
                await Task.Delay(10);
            }
        });
        var response = await harness.ReadResponseAsync();
        beat.Cancel();
        await heartbeat.WithDeadline();
        Assert.Equal(408, response.Status);
        Assert.True(response.Closes);
        Assert.Equal(TimeoutReason.RequestHead, harness.Connection.Timeouts.Expired);
    }

    [Fact]
    public async Task An_idle_keep_alive_session_holds_no_buffer()
    {
        await using var harness = new SessionHarness(TestResponder.Hello);
        await harness.IdleAsync();
        for (int i = 0; i < 5; i++)
        {
            // One request whole, one in pieces, a pipelined pair.
            await harness.SendAsync(Get);
            await harness.ReadResponseAsync();
            await harness.IdleAsync();
            await harness.SendAsync("GET /x HT");
            await harness.SendAsync("TP/1.1\r\nHost: t\r\n\r\n");
            await harness.ReadResponseAsync();
            await harness.IdleAsync();
            await harness.SendAsync(Get + Get);
            await harness.ReadResponseAsync();
            await harness.ReadResponseAsync();
            await harness.IdleAsync();
            Assert.Equal(0, harness.Session.BuffersHeld);
        }

        // Every wait for the client began with nothing rented: no request buffer, header table or head buffer.
        lock (harness.Connection.AtWaits)
        {
            Assert.True(harness.Connection.AtWaits.Count >= 16);
            Assert.All(harness.Connection.AtWaits, held => Assert.Equal(0, held));
        }
    }

    [Fact]
    public async Task A_stop_between_requests_closes_and_during_one_answers_it_with_close()
    {
        var answering = new TaskCompletionSource();
        var proceed = new TaskCompletionSource();
        var responder = new TestResponder(async (request, response, token) =>
        {
            answering.SetResult();
            await proceed.Task;
            response.Start(200);
            await response.SendAsync(TestResponder.HelloBytes, CancellationToken.None);
        });
        await using (var harness = new SessionHarness(responder))
        {
            await harness.SendAsync(Get);
            await answering.Task.WithDeadline();
            harness.Stop();
            proceed.SetResult();
            var response = await harness.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.True(response.Closes);
            Assert.Empty(await harness.ReadToEndAsync());
        }

        await using (var idle = new SessionHarness(TestResponder.Hello))
        {
            await idle.SendAsync(Get);
            await idle.ReadResponseAsync();
            await idle.IdleAsync();
            await idle.IdleAsync();
            idle.Stop();
            await idle.Run.WithDeadline();
        }
    }

    [Fact]
    public async Task A_responder_that_fails_or_answers_nothing_gets_the_client_a_500()
    {
        var failing = new TestResponder((_, _, _) => throw new InvalidOperationException("bug"));
        await using (var harness = new SessionHarness(failing))
        {
            await harness.SendAsync(Get + Get);
            var response = await harness.ReadResponseAsync();
            Assert.Equal(500, response.Status);
            Assert.True(response.Closes);
            Assert.Empty(await harness.ReadToEndAsync());
        }

        var silent = new TestResponder((_, _, _) => ValueTask.CompletedTask);
        await using (var harness = new SessionHarness(silent))
        {
            await harness.SendAsync(Get);
            Assert.Equal(500, (await harness.ReadResponseAsync()).Status);
        }
    }

    [Fact]
    public async Task Every_header_field_reaches_the_responder()
    {
        string? seen = null;
        var responder = new TestResponder((request, response, token) =>
        {
            var headers = request.Headers;
            seen = headers.TryGet("x-custom"u8, out var value) ? Encoding.ASCII.GetString(value) : "none";
            seen += $" {headers.Count} {Encoding.ASCII.GetString(request.MethodText)} {request.Version}";
            response.Start(204);
            return response.SendAsync(ReadOnlyMemory<byte>.Empty, token);
        });
        await using var harness = new SessionHarness(responder);
        await harness.SendAsync("OPTIONS * HTTP/1.1\r\nHost: t\r\nX-Custom:  yes please \r\nAccept: */*\r\n\r\n");
        var response = await harness.ReadResponseAsync();
        Assert.Equal(204, response.Status);
        Assert.False(response.Headers.ContainsKey("Content-Length"));
        Assert.Equal("yes please 3 OPTIONS 11", seen);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("\n")]
    public async Task Empty_lines_between_pipelined_requests_are_ignored(string between)
    {
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a request line.
        await using var harness = new SessionHarness(TestResponder.Echo);
        await harness.SendAsync(between + "GET /one HTTP/1.1\r\nHost: t\r\n\r\n" + between + "GET /two HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("/one:", (await harness.ReadResponseAsync()).Text);
        var second = await harness.ReadResponseAsync();
        Assert.Equal("/two:", second.Text);
        Assert.False(second.Closes);
        Assert.Equal(2, harness.Session.Requests);
    }

    [Fact]
    public async Task A_stray_line_end_after_a_request_leaves_the_connection_idle()
    {
        await using var harness = new SessionHarness(TestResponder.Hello);
        await harness.IdleAsync();
        await harness.SendAsync(Get + "\r\n");
        await harness.ReadResponseAsync();
        // Waiting for the client again with nothing held: the CRLF was dropped, not taken as a request begun.
        await harness.IdleAsync();
        await harness.SendAsync("\r");
        await harness.SendAsync("\n");
        await harness.IdleAsync();
        Assert.Equal(0, harness.Session.BuffersHeld);
        await harness.SendAsync(Get);
        Assert.Equal(200, (await harness.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData("HTTP/1.2")]
    [InlineData("HTTP/1.9")]
    public async Task A_later_HTTP_1_minor_version_is_served_as_1_1(string version)
    {
        await using var harness = new SessionHarness(TestResponder.Hello);
        await harness.SendAsync($"GET / {version}\r\nHost: t\r\n\r\n" + Get);
        var first = await harness.ReadResponseAsync();
        Assert.Equal("HTTP/1.1 200 OK", first.StatusLine);
        Assert.False(first.Closes);
        Assert.Equal(200, (await harness.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task An_expectation_other_than_100_continue_gets_417()
    {
        // RFC 9110 §10.1.1.
        await using var harness = new SessionHarness(TestResponder.Hello);
        await harness.SendAsync("GET / HTTP/1.1\r\nHost: t\r\nExpect: something-else\r\n\r\n" + Get);
        var refused = await harness.ReadResponseAsync();
        Assert.Equal(417, refused.Status);
        Assert.False(refused.Closes);
        Assert.Equal("hello\n", (await harness.ReadResponseAsync()).Text);
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);
}

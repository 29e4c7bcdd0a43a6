using System.Buffers;
using System.Text;
using Doorway.Transport;

namespace Doorway.Http;

/// <summary>
/// The clean answer for an HTTP client that a door refuses (a connection limit): 503 Service
/// Unavailable with Retry-After (RFC 9110 §15.6.4, §10.2.3), instead of a reset it cannot tell
/// from a crash. A client that does not speak HTTP is closed without a word.
/// </summary>
public static class HttpRefusal
{
    /// <summary>Seconds a refused client is asked to wait before it tries again.</summary>
    public const int RetryAfterSeconds = 1;

    /// <summary>Most bytes read to tell whether a refused client speaks HTTP: a request line's start is enough.</summary>
    private const int SniffBytes = 1024;

    private static readonly byte[] ServerName = Encoding.ASCII.GetBytes(HttpLimits.Default.ServerName);
    private static readonly byte[] RefusedBody = "503 Service Unavailable: too many connections; try again shortly\n"u8.ToArray();

    /// <summary>
    /// Waits for the client's first bytes; if they start an HTTP request line, answers 503 with
    /// Retry-After and Connection: close, then closes lingering (RFC 9112 §9.6), so the answer is
    /// not lost to a reset. Otherwise returns, and the door closes the connection. A
    /// <see cref="ConnectionDelegate"/> for a welcome door's refusal; never throws for a network end.
    /// </summary>
    /// <param name="timeout">Bounds the wait and the answer (the door's refusal timeout).</param>
    public static async Task AnswerAsync(Connection connection, CancellationToken timeout)
    {
        ArgumentNullException.ThrowIfNull(connection);
        try
        {
            if (!await IsHttpAsync(connection, timeout))
            {
                return;
            }

            await SendAsync(connection, timeout);
        }
        catch (Exception e) when (NetworkErrors.IsNetworkEnd(e))
        {
            return;
        }

        await LingeringClose.RunAsync(connection);
    }

    internal static async Task<bool> IsHttpAsync(Connection connection, CancellationToken timeout)
    {
        await connection.WaitForDataAsync(timeout);
        byte[] first = ArrayPool<byte>.Shared.Rent(SniffBytes);
        try
        {
            int count = 0;
            while (true)
            {
                int received = await connection.ReceiveAsync(first.AsMemory(count, SniffBytes - count), timeout);
                count += received;
                bool final = received == 0 || count == SniffBytes;
                switch (HttpRequestStart.Check(first.AsSpan(0, count), quiet: connection.Available == 0, final))
                {
                    case HttpStart.Http:
                        return true;
                    case HttpStart.NotHttp:
                        return false;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(first);
        }
    }

    private static Task SendAsync(Connection connection, CancellationToken timeout) =>
        SendPlainAndCloseAsync(connection, 503, RefusedBody, RetryAfterSeconds, timeout);

    /// <summary>
    /// A door's own short answer outside any session (a refusal, a wrong scheme): a plain-text body
    /// with <c>Connection: close</c>, and <c>Retry-After</c> when given.
    /// </summary>
    internal static async Task SendPlainAndCloseAsync(Connection connection, int status, byte[] body, int? retryAfterSeconds, CancellationToken timeout)
    {
        var writer = new ResponseHeadWriter();
        try
        {
            // HTTP/1.1 is what an HTTP/1.0 client also reads (RFC 9110 §2.5).
            writer.Start(status, ServerName);
            if (retryAfterSeconds is int seconds)
            {
                writer.Header("Retry-After"u8, seconds);
            }

            writer.Header("Content-Type"u8, "text/plain; charset=utf-8"u8);
            writer.Header("Content-Length"u8, body.Length);
            writer.Header("Connection"u8, "close"u8);
            writer.End();
            writer.Append(body);
            await connection.SendAsync(writer.Written, timeout);
        }
        finally
        {
            writer.Release();
        }
    }
}

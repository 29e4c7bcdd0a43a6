using System.Buffers;
using System.Net;
using System.Text;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Reply;

/// <summary>
/// Seed 004's "thanks" server (§4.3), served to every client at once: read the client's message
/// until a newline, a pause, its half-close or the read limit (a client that sends nothing is
/// answered at the request timeout); log it in the seed's shape; send the fixed reply; half-close;
/// then close with a lingering close, so a client that sent more than the limit still reads the
/// reply instead of losing it to a reset. What follows the message is read only by that bounded
/// lingering close, and the log says how much was ignored.
/// On a stop (the door drains) a message still arriving ends with what has arrived and is answered.
/// </summary>
internal sealed class ReplyConnectionHandler : IConnectionHandler
{
    private readonly ReplyOptions _options;
    private readonly byte[] _reply;
    private readonly ILogger _logger;

    public ReplyConnectionHandler(ReplyOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _reply = Encoding.UTF8.GetBytes(options.Text);
        _logger = logger;
    }

    public Task OnConnectedAsync(Connection connection, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.Info.Protocol = "reply";
        return ServeAsync(connection, stopping);
    }

    private async Task ServeAsync(Connection connection, CancellationToken stopping)
    {
        var message = await ReadMessageAsync(connection, stopping);
        string? client = _logger.IsEnabled(LogLevel.Information) ? Client(connection.RemoteEndPoint) : null;
        try
        {
            if (client is not null)
            {
                Log(client, message);
            }
        }
        finally
        {
            message.Return();
        }

        // Not cut short by a stop: the drain timeout bounds it (and the minimum data rate a client that never reads).
        await connection.SendAsync(_reply, CancellationToken.None);
        long before = connection.Info.BytesReceived;
        await LingeringClose.RunAsync(connection);
        long lingered = connection.Info.BytesReceived - before;
        long ignored = message.Ignored + lingered;
        if (client is null || ignored == 0)
        {
            return;
        }

        if (lingered >= LingeringClose.MaxBytes)
        {
            ReplyLog.IgnoredUntilBound(_logger, client, ignored, LingeringClose.MaxBytes);
        }
        else
        {
            ReplyLog.Ignored(_logger, client, ignored);
        }
    }

    private async Task<ReplyMessage> ReadMessageAsync(Connection connection, CancellationToken stopping)
    {
        var timeouts = connection.Timeouts;
        // From the connection's start: time a middleware spent waiting (TLS sniffing a silent client) counts.
        var left = _options.RequestTimeout - connection.Info.Age;
        timeouts.SetDeadline(left > TimeSpan.Zero ? left : TimeSpan.Zero, TimeoutReason.RequestHead);
        var deadline = timeouts.Token;
        // One source for every wait: the request timeout, the door's stop, and the pause (CancelAfter, restarted per read).
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(deadline, stopping);
        byte[]? buffer = null;
        int count = 0;
        try
        {
            try
            {
                // Hold no buffer while the client is quiet.
                await connection.WaitForDataAsync(wait.Token);
                buffer = ArrayPool<byte>.Shared.Rent(_options.ReadLimit);
                while (true)
                {
                    int received = await connection.ReceiveAsync(buffer.AsMemory(count, _options.ReadLimit - count), wait.Token);
                    if (Take(buffer, ref count, received) is { } message)
                    {
                        return message;
                    }

                    // The next byte must come within the pause, or the message is over.
                    wait.CancelAfter(_options.Pause);
                }
            }
            catch (OperationCanceledException) when (wait.IsCancellationRequested)
            {
                if (!stopping.IsCancellationRequested)
                {
                    return ReplyMessage.Whole(buffer, count, deadline.IsCancellationRequested ? MessageEnd.RequestTimeout : MessageEnd.Pause);
                }

                return await TakeWaitingAsync(connection, buffer, count);
            }
        }
        catch
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            throw;
        }
        finally
        {
            timeouts.ClearDeadline();
        }
    }

    /// <summary>The door is stopping: what has already arrived is part of the message, without waiting for more.</summary>
    private async Task<ReplyMessage> TakeWaitingAsync(Connection connection, byte[]? buffer, int count)
    {
        if (connection.Available == 0)
        {
            return ReplyMessage.Whole(buffer, count, MessageEnd.Stopping);
        }

        buffer ??= ArrayPool<byte>.Shared.Rent(_options.ReadLimit);
        // Bytes are waiting, so this read doesn't block.
        int received = await connection.ReceiveAsync(buffer.AsMemory(count, _options.ReadLimit - count), CancellationToken.None);
        return Take(buffer, ref count, received) ?? ReplyMessage.Whole(buffer, count, MessageEnd.Stopping);
    }

    /// <summary>Adds one read to the message; returns the message when that read ended it.</summary>
    private ReplyMessage? Take(byte[] buffer, ref int count, int received)
    {
        if (received == 0)
        {
            return ReplyMessage.Whole(buffer, count, MessageEnd.ClientEnded);
        }

        int newline = buffer.AsSpan(count, received).IndexOf((byte)'\n');
        int start = count;
        count += received;
        if (newline >= 0)
        {
            int end = start + newline;
            int text = end > 0 && buffer[end - 1] == (byte)'\r' ? end - 1 : end;
            return new ReplyMessage(buffer, text, end + 1, count, MessageEnd.Newline);
        }

        return count == _options.ReadLimit ? ReplyMessage.Whole(buffer, count, MessageEnd.ReadLimit) : null;
    }

    private void Log(string client, in ReplyMessage message)
    {
        string text = VisibleText.From(message.Text);
        switch (message.End)
        {
            case MessageEnd.ReadLimit:
                ReplyLog.SaidTooMuch(_logger, client, text, _options.ReadLimit);
                break;
            case MessageEnd.RequestTimeout when message.TextLength == 0:
                ReplyLog.SaidNothing(_logger, client, _options.RequestTimeout);
                break;
            case MessageEnd.RequestTimeout:
                ReplyLog.SaidTooSlowly(_logger, client, text, _options.RequestTimeout);
                break;
            case MessageEnd.Stopping:
                ReplyLog.CutByStop(_logger, client, text);
                break;
            default:
                ReplyLog.Said(_logger, client, text);
                break;
        }
    }

    /// <summary>The client's address as the seed prints it: Python's (host, port) tuple.</summary>
    internal static string Client(IPEndPoint endPoint) => $"('{endPoint.Address}', {endPoint.Port})";
}

using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Doorway.Transport;

namespace Doorway.Capitalize;

/// <summary>
/// The client of the TCP capitalize door, in its three modes: one text, line by line, and a stream.
/// Works with Doorway's door and with the book's server (which replies once and closes).
/// </summary>
public sealed class TcpCapitalizeClient : IDisposable
{
    private const int ChunkSize = 16 * 1024;
    private readonly ClientConnection _socket;
    private readonly TimeSpan _timeout;

    private TcpCapitalizeClient(ClientConnection socket, TimeSpan timeout)
    {
        _socket = socket;
        _timeout = timeout;
    }

    /// <param name="tls">How to trust the door over TLS; null speaks plaintext (the book's way).</param>
    public static async Task<TcpCapitalizeClient> ConnectAsync(HostPort server, TimeSpan timeout, CancellationToken cancellationToken = default, ClientTls? tls = null)
    {
        var connection = await ClientConnection.ConnectAsync(server, timeout, tls, cancellationToken: cancellationToken);
        return new TcpCapitalizeClient(connection, timeout);
    }

    /// <summary>
    /// Sends <paramref name="text"/>, half-closes, and copies the reply to <paramref name="output"/> until the server closes.
    /// Returns the reply's length: 0 for a text means the server closed without answering (another kind of door).
    /// </summary>
    public async Task<long> SendTextAsync(ReadOnlyMemory<byte> text, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        await _socket.SendAsync(text, cancellationToken);
        await _socket.ShutdownSendAsync();
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sent = new StrongBox<bool>(true);
        quiet.CancelAfter(_timeout);
        return await CopyReplyAsync(output, quiet, sent, cancellationToken);
    }

    /// <summary>
    /// Sends one line (a newline is added) and returns the reply up to its newline, without it.
    /// Returns null when the server closed the connection before any reply.
    /// </summary>
    public async Task<byte[]?> ExchangeLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken = default)
    {
        byte[] message = new byte[line.Length + 1];
        line.CopyTo(message);
        message[^1] = (byte)'\n';
        await _socket.SendAsync(message, cancellationToken);

        var reply = new ArrayBufferWriter<byte>();
        while (true)
        {
            int received = await ReceiveAsync(reply.GetMemory(ChunkSize), cancellationToken);
            if (received == 0)
            {
                return reply.WrittenCount == 0 ? null : reply.WrittenSpan.ToArray();
            }

            int newline = reply.GetSpan()[..received].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int length = reply.WrittenCount + newline;
                reply.Advance(received);
                return reply.WrittenSpan[..length].ToArray();
            }

            reply.Advance(received);
        }
    }

    /// <summary>
    /// Streams <paramref name="input"/> to the server and the replies to <paramref name="output"/> at the
    /// same time, half-closes at the end of input, and returns when the server closes. Any size, constant memory.
    /// Returns the bytes sent and received.
    /// </summary>
    public async Task<(long Sent, long Received)> StreamAsync(Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        // While input is still going out, a quiet server is no timeout (the input may be slow);
        // once all is sent, the reply must keep coming within the timeout.
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sent = new StrongBox<bool>(false);
        var sending = SendAllAsync(input, sent, quiet, failed.Token);
        long received;
        try
        {
            received = await CopyReplyAsync(output, quiet, sent, cancellationToken);
        }
        catch
        {
            await failed.CancelAsync();
            try
            {
                await sending;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
            {
                // The reply side's failure is the one to report.
            }

            throw;
        }

        return (await sending, received);
    }

    private async Task<long> SendAllAsync(Stream input, StrongBox<bool> sent, CancellationTokenSource quiet, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        long total = 0;
        try
        {
            int read;
            while ((read = await input.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken)) > 0)
            {
                await _socket.SendAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
            }

            await _socket.ShutdownSendAsync();
            Volatile.Write(ref sent.Value, true);
            quiet.CancelAfter(_timeout);
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<long> CopyReplyAsync(Stream output, CancellationTokenSource quiet, StrongBox<bool> sent, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        long total = 0;
        try
        {
            while (true)
            {
                int received;
                try
                {
                    received = await _socket.ReceiveAsync(buffer.AsMemory(0, ChunkSize), quiet.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"timed out: no reply within {_timeout.TotalSeconds:0.###} s");
                }

                if (received == 0)
                {
                    break;
                }

                if (Volatile.Read(ref sent.Value))
                {
                    quiet.CancelAfter(_timeout);
                }

                await output.WriteAsync(buffer.AsMemory(0, received), cancellationToken);
                total += received;
            }

            await output.FlushAsync(cancellationToken);
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            return await _socket.ReceiveAsync(buffer, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"timed out: no reply within {_timeout.TotalSeconds:0.###} s");
        }
    }

    public void Dispose() => _socket.Dispose();
}

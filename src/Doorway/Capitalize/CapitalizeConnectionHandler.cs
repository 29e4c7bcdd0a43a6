using System.Buffers;
using Doorway.Transport;

namespace Doorway.Capitalize;

/// <summary>
/// The TCP capitalize protocol: every byte received is answered with its upper case, in order,
/// as soon as it arrives. No newline and no end of input is waited for, so the book's client
/// (no newline, one recv, no half-close) and a pipe of any size both work.
/// On a stop (the door drains) it answers the bytes already waiting, then half-closes: the client
/// reads its last reply and end of stream, and what it sends after that is read and dropped.
/// </summary>
public sealed class CapitalizeConnectionHandler : IConnectionHandler
{
    private readonly CapitalizeOptions _options;

    public CapitalizeConnectionHandler(CapitalizeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReadSize, 1);
        _options = options;
    }

    public Task OnConnectedAsync(Connection connection, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.Info.Protocol = "capitalize";
        return _options.Once ? AnswerOnceAsync(connection) : StreamAsync(connection, stopping);
    }

    private async Task StreamAsync(Connection connection, CancellationToken stopping)
    {
        var caser = default(UpperCaser);
        byte[]? input = null;
        byte[]? output = null;
        try
        {
            while (true)
            {
                if (stopping.IsCancellationRequested && connection.Available == 0)
                {
                    // Stopping, and every byte received is answered.
                    // A character cut in two by the network may still be held back.
                    output ??= ArrayPool<byte>.Shared.Rent(UpperCaser.MaxOutputLength(4));
                    int tail = caser.Flush(output);
                    if (tail > 0)
                    {
                        await connection.SendAsync(output.AsMemory(0, tail));
                    }

                    Return(ref input, ref output);
                    await LingeringClose.RunAsync(connection);
                    return;
                }

                if (input is null)
                {
                    // Hold no buffer while the client is quiet. Once stopping, bytes are waiting (above): no wait.
                    if (!stopping.IsCancellationRequested)
                    {
                        try
                        {
                            await connection.WaitForDataAsync(stopping);
                        }
                        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                        {
                            // The door is stopping: answer what may have arrived meanwhile, then half-close (above).
                            continue;
                        }
                    }

                    input = ArrayPool<byte>.Shared.Rent(_options.ReadSize);
                    output = ArrayPool<byte>.Shared.Rent(UpperCaser.MaxOutputLength(_options.ReadSize));
                }

                int received = await connection.ReceiveAsync(input.AsMemory(0, _options.ReadSize));
                if (received == 0)
                {
                    // The client closed its side: finish the reply, then close ours.
                    int tail = caser.Flush(output);
                    await connection.SendAsync(output.AsMemory(0, tail));
                    connection.ShutdownSend();
                    return;
                }

                int written = caser.Transform(input.AsSpan(0, received), output);
                // The next read waits for this send: a client that doesn't read stops us reading,
                // so the kernel's buffers, not ours, absorb its bytes.
                await connection.SendAsync(output.AsMemory(0, written));

                if (received < _options.ReadSize)
                {
                    // Caught up with the client: give the buffers back until it sends again.
                    Return(ref input, ref output);
                }
            }
        }
        finally
        {
            Return(ref input, ref output);
        }
    }

    private static async Task AnswerOnceAsync(Connection connection)
    {
        byte[] input = ArrayPool<byte>.Shared.Rent(CapitalizeOptions.OnceReadSize);
        byte[] output = ArrayPool<byte>.Shared.Rent(UpperCaser.MaxOutputLength(CapitalizeOptions.OnceReadSize));
        try
        {
            int received = await connection.ReceiveAsync(input.AsMemory(0, CapitalizeOptions.OnceReadSize));
            int written = UpperCaser.TransformWhole(input.AsSpan(0, received), output);
            await connection.SendAsync(output.AsMemory(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    private static void Return(ref byte[]? input, ref byte[]? output)
    {
        if (input is not null)
        {
            ArrayPool<byte>.Shared.Return(input);
            input = null;
        }

        if (output is not null)
        {
            ArrayPool<byte>.Shared.Return(output);
            output = null;
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;
using Doorway.Transport;

namespace Doorway.Dns;

/// <summary>
/// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message has a two-byte length in front; a client
/// may send several queries on one connection, and they are answered in order. Between queries the
/// connection holds no buffer; the door's idle timeout closes a quiet one (RFC 7766 §6.2.3), and a
/// query that has begun must arrive whole within <see cref="DnsOptions.TcpQueryTimeout"/>. A zero
/// length, or a message the answerer will not answer, closes the connection.
/// </summary>
internal sealed class DnsConnectionHandler(DnsConnectionHandler.AnswerAsync answer, DnsOptions options) : IConnectionHandler
{
    /// <summary>Answers one query (the reply buffer holds 65535 bytes); returns the reply's length or -1.</summary>
    public delegate ValueTask<int> AnswerAsync(ReadOnlyMemory<byte> query, Memory<byte> reply, CancellationToken cancellationToken);

    public const int MaxMessage = ushort.MaxValue;

    public Task OnConnectedAsync(Connection connection, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.Info.Protocol = "dns";
        return ServeAsync(connection, stopping);
    }

    private async Task ServeAsync(Connection connection, CancellationToken stopping)
    {
        var timeouts = connection.Timeouts;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await connection.WaitForDataAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            byte[] query = ArrayPool<byte>.Shared.Rent(MaxMessage);
            byte[] reply = ArrayPool<byte>.Shared.Rent(MaxMessage + 2);
            try
            {
                timeouts.SetDeadline(options.TcpQueryTimeout, TimeoutReason.RequestHead);
                int length;
                try
                {
                    if (!await ReadExactlyAsync(connection, query.AsMemory(0, 2), timeouts.Token))
                    {
                        return;
                    }

                    length = BinaryPrimitives.ReadUInt16BigEndian(query);
                    if (length == 0 || !await ReadExactlyAsync(connection, query.AsMemory(0, length), timeouts.Token))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException)
                {
                    // The query did not arrive in time: close (there is nothing to answer).
                    return;
                }
                finally
                {
                    timeouts.ClearDeadline();
                }

                int replyLength = await answer(query.AsMemory(0, length), reply.AsMemory(2, MaxMessage), stopping);
                if (replyLength < 0)
                {
                    return;
                }

                BinaryPrimitives.WriteUInt16BigEndian(reply, (ushort)replyLength);
                await connection.SendAsync(reply.AsMemory(0, replyLength + 2), CancellationToken.None);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(query);
                ArrayPool<byte>.Shared.Return(reply);
            }
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false when the client closed first.</summary>
    private static async ValueTask<bool> ReadExactlyAsync(Connection connection, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int received = await connection.ReceiveAsync(buffer[read..], cancellationToken);
            if (received == 0)
            {
                return false;
            }

            read += received;
        }

        return true;
    }
}

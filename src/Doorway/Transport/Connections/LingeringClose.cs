using System.Buffers;

namespace Doorway.Transport;

/// <summary>
/// How a server ends a connection after an answer without destroying it: half-close, then read
/// (and drop) what the peer still sends until it closes too, bounded in bytes and time. Closing
/// with unread bytes would make the kernel send a reset, and a reset can destroy the answer the
/// peer has not read yet (RFC 9112 §9.6, "lingering close").
/// </summary>
public static class LingeringClose
{
    /// <summary>Bytes a closing connection may read and drop.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Time a closing connection may wait for the peer's end.</summary>
    public static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Half-closes and drains. A stop doesn't cut it short: the answer is what it protects, and its
    /// own limits bound it. Never throws for a network end.
    /// </summary>
    public static async Task RunAsync(Connection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.ShutdownSend();
        using var limit = new CancellationTokenSource(MaxTime);
        byte[] sink = ArrayPool<byte>.Shared.Rent(4096);
        int total = 0;
        try
        {
            while (total < MaxBytes)
            {
                int received = await connection.ReceiveAsync(sink, limit.Token);
                if (received == 0)
                {
                    return;
                }

                total += received;
            }
        }
        catch (Exception e) when (NetworkErrors.IsNetworkEnd(e))
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sink);
        }
    }
}

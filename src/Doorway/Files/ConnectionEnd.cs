using System.Buffers;
using Doorway.Transport;

namespace Doorway.Files;

internal static class ConnectionEnd
{
    /// <summary>Bytes and time a closing connection may spend reading what the client still sends.</summary>
    private const int LingerBytes = 64 * 1024;
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Half-closes, then reads (and drops) what the client still sends until it closes too, bounded
    /// in bytes and time. Closing with unread bytes would make the kernel send a reset, and a reset
    /// can destroy the reply the client has not read yet (RFC 9112 §9.6). A stop doesn't cut it
    /// short: the reply is what it protects, and its own limits bound it.
    /// </summary>
    public static async Task LingerAsync(Connection connection)
    {
        connection.ShutdownSend();
        using var limit = new CancellationTokenSource(LingerTime);
        byte[] sink = ArrayPool<byte>.Shared.Rent(4096);
        int total = 0;
        try
        {
            while (total < LingerBytes)
            {
                int received = await connection.ReceiveAsync(sink, limit.Token);
                if (received == 0)
                {
                    return;
                }

                total += received;
            }
        }
        catch (Exception e) when (WelcomeDoor.IsNetworkEnd(e))
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sink);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Doorway.Tests.Support;

/// <summary>Small client-side helpers for talking to doors in tests.</summary>
internal static class Sockets
{
    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).WithDeadline();
        return socket;
    }

    /// <summary>Sends <paramref name="text"/> and reads until as many reply bytes as expected arrive.</summary>
    public static async Task<string> ExchangeAsync(Socket socket, string text, string expectedReply)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text)).WithDeadline();
        byte[] reply = await ReceiveExactlyAsync(socket, Encoding.UTF8.GetByteCount(expectedReply));
        return Encoding.UTF8.GetString(reply);
    }

    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        byte[] buffer = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int received = await socket.ReceiveAsync(buffer.AsMemory(filled)).WithDeadline();
            if (received == 0)
            {
                throw new IOException($"closed after {filled} of {count} bytes");
            }

            filled += received;
        }

        return buffer;
    }

    /// <summary>Reads until the server closes; returns everything.</summary>
    public static async Task<byte[]> ReceiveToEndAsync(Socket socket, TimeSpan? limit = null)
    {
        var all = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        int received;
        while ((received = await socket.ReceiveAsync(buffer).WithDeadline(limit)) > 0)
        {
            all.Write(buffer, 0, received);
        }

        return all.ToArray();
    }

    /// <summary>True when the server has closed the connection (end of stream or reset).</summary>
    public static async Task<bool> IsClosedByServerAsync(Socket socket, TimeSpan? limit = null)
    {
        try
        {
            byte[] one = new byte[1];
            return await socket.ReceiveAsync(one).WithDeadline(limit) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }
}

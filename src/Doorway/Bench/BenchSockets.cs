using System.Net.Sockets;
using Doorway.Transport;

namespace Doorway.Bench;

/// <summary>What every bench connection does the same way at its end.</summary>
internal static class BenchSockets
{
    /// <summary>Why a connection's loop ended, in the words the summary shows.</summary>
    public static string Describe(Exception e, bool aborted) =>
        aborted ? "still waiting on the server when the drain timeout passed" : NetworkErrors.Describe(e);

    /// <summary>Shuts both directions down (the server sees a clean end), then closes.</summary>
    public static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        socket.Dispose();
    }
}

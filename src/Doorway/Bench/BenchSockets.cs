using System.Net.Sockets;
using Doorway.Transport;

namespace Doorway.Bench;

/// <summary>What every bench connection does the same way at its end.</summary>
internal static class BenchSockets
{
    /// <summary>The error of a connection closed because its replies did not come within the drain timeout.</summary>
    public const string StillWaiting = "still waiting on the server when the drain timeout passed";

    /// <summary>Why a connection's loop ended, in the words the summary shows.</summary>
    public static string Describe(Exception e, bool aborted) =>
        aborted ? StillWaiting : NetworkErrors.Describe(e);

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

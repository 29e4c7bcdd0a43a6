using System.Net.Sockets;

namespace Doorway.Cli;

/// <summary>
/// Failures of this machine's file system, told apart from the network's: both surface as
/// IOException, and a user must know whether to look at their disk or at the server.
/// </summary>
internal static class LocalFiles
{
    public static bool IsLocal(Exception e) =>
        e is UnauthorizedAccessException || (e is IOException && e.InnerException is not SocketException);

    public static string Describe(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "no such directory",
        PathTooLongException => "the path is too long",
        // .NET's messages for the rest carry strerror ("No space left on device : 'path'"): keep the words.
        IOException io => io.Message.Split(" : '", 2)[0],
        _ => e.Message,
    };
}

using System.Net.Sockets;

namespace Doorway.Transport;

/// <summary>Plain words for socket errors, for one-line messages to users.</summary>
public static class NetworkErrors
{
    /// <summary>Whether an exception is the network (or the transport's close) ending a connection, not a bug.</summary>
    public static bool IsNetworkEnd(Exception e) =>
        e is SocketException or ObjectDisposedException or OperationCanceledException
        || (e is IOException { InnerException: SocketException });

    /// <summary>A short word for a connection's end, for the debug log.</summary>
    internal static string Reason(Exception e) => e switch
    {
        SocketException s => s.SocketErrorCode.ToString(),
        IOException { InnerException: SocketException s } => s.SocketErrorCode.ToString(),
        ObjectDisposedException => "closed",
        OperationCanceledException => "cancelled",
        _ => e.GetType().Name,
    };

    public static string Describe(Exception exception) => exception switch
    {
        SocketException s => Describe(s.SocketErrorCode),
        IOException { InnerException: SocketException s } => Describe(s.SocketErrorCode),
        TimeoutException t => t.Message,
        OperationCanceledException => "cancelled",
        _ => exception.Message,
    };

    public static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset by the server",
        SocketError.TimedOut => "timed out",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.AddressAlreadyInUse => "address already in use",
        SocketError.AddressNotAvailable => "address not available on this machine",
        SocketError.AccessDenied => "permission denied",
        SocketError.Shutdown or SocketError.ConnectionAborted => "connection closed",
        SocketError.MessageSize => "message too long",
        _ => error.ToString(),
    };
}

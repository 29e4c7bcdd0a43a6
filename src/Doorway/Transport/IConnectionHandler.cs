namespace Doorway.Transport;

/// <summary>
/// A protocol, as the transport sees it: one method that serves one accepted connection.
/// The transport owns the socket; the handler returns when it is done with it.
/// </summary>
public interface IConnectionHandler
{
    /// <param name="connection">The connection door for one client.</param>
    /// <param name="stopping">Signalled when the server begins to drain: finish the current exchange and return.</param>
    Task OnConnectedAsync(Connection connection, CancellationToken stopping);
}

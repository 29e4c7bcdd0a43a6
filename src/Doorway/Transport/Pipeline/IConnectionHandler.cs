namespace Doorway.Transport;

/// <summary>
/// A protocol, as the transport sees it: one method that serves one connection, the last step
/// of a door's pipeline. The transport owns the connection; the handler returns when it is done with it.
/// </summary>
public interface IConnectionHandler
{
    /// <param name="connection">The connection door for one client, as the middleware before it left it.</param>
    /// <param name="stopping">Signalled when the server begins to drain: what the handler then does is part of its contract.</param>
    Task OnConnectedAsync(Connection connection, CancellationToken stopping);
}

using System.Net;

namespace Doorway.Transport;

/// <summary>
/// A connection a welcome door accepted, whichever transport made it (.NET's sockets or
/// Doorway's own epoll loops): what the door itself needs beyond <see cref="Connection"/>.
/// </summary>
internal abstract class DoorConnection(ConnectionInfo info, IPAddress acceptedFrom) : Connection(info)
{
    /// <summary>The address the socket was accepted from (a PROXY header may later name another client).</summary>
    internal IPAddress AcceptedFrom { get; } = acceptedFrom;

    /// <summary>Ends the connection with a FIN after what is already queued.</summary>
    internal abstract void Close();
}

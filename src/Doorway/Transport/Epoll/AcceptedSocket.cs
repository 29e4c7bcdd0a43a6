using System.Net;

namespace Doorway.Transport.Epoll;

/// <summary>A socket one loop accepted, before the welcome door admits (or refuses) it.</summary>
internal readonly record struct AcceptedSocket(SocketDescriptor Descriptor, EpollLoop Loop, IPEndPoint LocalEndPoint, IPEndPoint RemoteEndPoint);

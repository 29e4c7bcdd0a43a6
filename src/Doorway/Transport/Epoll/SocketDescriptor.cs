using System.Runtime.InteropServices;

namespace Doorway.Transport.Epoll;

/// <summary>
/// A socket descriptor owned by the Linux transport. Every call on it holds a reference, so a
/// close from another thread (the heartbeat, a stop) waits for a call in flight and the number
/// can't be reused under it by the next accept. Closed exactly once, when the last reference goes.
/// </summary>
internal sealed class SocketDescriptor : SafeHandle
{
    public SocketDescriptor(int fd)
        : base(-1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle < 0;

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => EpollInterop.close((int)handle) == 0;
}

using System.Runtime.InteropServices;

namespace Doorway.Transport;

/// <summary>
/// recvmmsg(2) and sendmmsg(2): many datagrams in one system call, each with its own address and
/// buffer. Linux on a 64-bit process only (the layouts below are LP64's); <see cref="Supported"/>
/// says whether this process may use them, and the UDP door falls back to one recvfrom/sendto per
/// datagram where it may not.
/// </summary>
/// <remarks>
/// DllImport with blittable arguments, as <c>NativeFile</c>: LibraryImport's generated stubs need
/// AllowUnsafeBlocks, which this library keeps off. The headers are passed as a pinned
/// <c>ref MessageHeader</c>; the buffers they point at are pinned arrays whose addresses are taken
/// once, when a receiver starts.
/// </remarks>
internal static class NativeDatagrams
{
    /// <summary>MSG_WAITFORONE: block for the first datagram only, then take what is already queued (recvmmsg(2)).</summary>
    public const int WaitForOne = 0x10000;

    /// <summary>MSG_TRUNC in a header's flags: the datagram was longer than its buffer.</summary>
    public const int Truncated = 0x20;

    // errno values (asm-generic/errno-base.h, errno.h; the same on x86-64 and arm64).
    public const int Interrupted = 4;
    public const int TryAgain = 11;
    public const int BadDescriptor = 9;
    public const int MessageTooLong = 90;
    public const int NetworkUnreachable = 101;
    public const int ConnectionReset = 104;
    public const int NoBufferSpace = 105;
    public const int NotConnected = 107;
    public const int TimedOut = 110;
    public const int ConnectionRefused = 111;
    public const int HostUnreachable = 113;

    /// <summary>Linux and 8-byte pointers: the struct layouts below hold.</summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux() && IntPtr.Size == 8;

    /// <summary>recvmmsg(fd, headers, count, flags, NULL): datagrams received, or -1 and errno.</summary>
    public static int Receive(SafeHandle socket, Span<MessageHeader> headers, int flags, out int errno)
    {
        int received = recvmmsg(socket, ref MemoryMarshal.GetReference(headers), (uint)headers.Length, flags, 0);
        errno = received < 0 ? Marshal.GetLastPInvokeError() : 0;
        return received;
    }

    /// <summary>sendmmsg(fd, headers, count, 0): datagrams sent (fewer than asked when one failed), or -1 and errno.</summary>
    public static int Send(SafeHandle socket, Span<MessageHeader> headers, out int errno)
    {
        int sent = sendmmsg(socket, ref MemoryMarshal.GetReference(headers), (uint)headers.Length, 0);
        errno = sent < 0 ? Marshal.GetLastPInvokeError() : 0;
        return sent;
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int recvmmsg(SafeHandle sockfd, ref MessageHeader msgvec, uint vlen, int flags, nint timeout);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int sendmmsg(SafeHandle sockfd, ref MessageHeader msgvec, uint vlen, int flags);

    /// <summary>struct iovec (LP64): base, length.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public nint Base;
        public nuint Length;
    }

    /// <summary>
    /// struct mmsghdr (LP64): a struct msghdr (name, name length, iovec array and count, control,
    /// control length, flags; 56 bytes with padding) followed by msg_len, the bytes received or sent.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct MessageHeader
    {
        [FieldOffset(0)] public nint Name;
        [FieldOffset(8)] public uint NameLength;
        [FieldOffset(16)] public nint IoVectors;
        [FieldOffset(24)] public nuint IoVectorCount;
        [FieldOffset(32)] public nint Control;
        [FieldOffset(40)] public nuint ControlLength;
        [FieldOffset(48)] public int Flags;
        [FieldOffset(56)] public uint Length;
    }
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Transport;

/// <summary>
/// pread(2) on a file handle. .NET's RandomAccess.Read first asks whether a new handle can seek,
/// with an lseek(2) per handle; a file door opens a new handle per request and already knows
/// (statx said it is a regular file), so that call would be one in eight of a small GET's (issue 8).
/// </summary>
public static class PositionalRead
{
    /// <summary>Reads at most <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; 0 at the end of the file.</summary>
    public static int Read(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int read = ReadAt(file, buffer, offset, flags: 0, out int errno);
        return read >= 0 ? read : throw new IOException($"cannot read the file: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    /// <summary>
    /// preadv2(2) with RWF_NOWAIT (Linux 4.14): the bytes already in the page cache, at most
    /// <paramref name="buffer"/>.Length, and never a wait for the disk. Fewer than asked (even 0)
    /// when the rest is not cached, the file ends, or the file system or the kernel cannot promise
    /// not to wait (EOPNOTSUPP; glibc says so too for a kernel without preadv2): the caller reads
    /// the rest with <see cref="Read"/> off the loop.
    /// </summary>
    public static int ReadWithoutWaiting(SafeFileHandle file, Span<byte> buffer, long offset) =>
        // EAGAIN (not cached), EOPNOTSUPP (no promise here), or an error the blocking read will report: 0.
        Math.Max(ReadAt(file, buffer, offset, NoWait, out _), 0);

    /// <summary>pread(2), or preadv2(2) with <paramref name="flags"/>, retried on EINTR; -1 and the errno on failure.</summary>
    private static unsafe int ReadAt(SafeFileHandle file, Span<byte> buffer, long offset, int flags, out int errno)
    {
        ArgumentNullException.ThrowIfNull(file);
        errno = 0;
        if (buffer.IsEmpty)
        {
            return 0;
        }

        bool held = false;
        file.DangerousAddRef(ref held);
        try
        {
            fixed (byte* start = buffer)
            {
                var vector = new IoVector { Base = start, Length = (nuint)buffer.Length };
                while (true)
                {
                    // Plain pread without flags: glibc's preadv2 says EOPNOTSUPP on a kernel without it.
                    nint read = flags == 0
                        ? pread(file.DangerousGetHandle(), start, (nuint)buffer.Length, offset)
                        : preadv2(file.DangerousGetHandle(), &vector, 1, offset, flags);
                    if (read >= 0)
                    {
                        return (int)read;
                    }

                    errno = Marshal.GetLastPInvokeError();
                    if (errno != Eintr)
                    {
                        return -1;
                    }
                }
            }
        }
        finally
        {
            if (held)
            {
                file.DangerousRelease();
            }
        }
    }

    private const int Eintr = 4;

    /// <summary>RWF_NOWAIT (linux/fs.h).</summary>
    private const int NoWait = 0x08;

    private unsafe struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern unsafe nint preadv2(nint fd, IoVector* vector, int count, long offset, int flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern unsafe nint pread(nint fd, byte* buffer, nuint count, long offset);
}

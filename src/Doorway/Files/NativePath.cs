using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Files;

/// <summary>
/// realpath(3): the path with every symlink, "." and ".." resolved, as the kernel sees it.
/// .NET resolves only a path's last link; a link in a middle directory would slip past a check.
/// </summary>
internal static class NativePath
{
    /// <summary>The resolved path, or null when some component does not exist or is not a directory.</summary>
    public static string? RealPath(string path)
    {
        IntPtr resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    // Linux's values (the same on x86-64 and arm64).
    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;

    /// <summary>
    /// Whether a file can be read like a regular file, found out without blocking: a plain open
    /// (.NET's) would wait forever on a FIFO with no writer. FIFOs, sockets and terminals are not seekable.
    /// </summary>
    public static bool IsSeekable(string path)
    {
        int fd = open(path, ReadOnly | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            return false;
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0, isAsync: false);
        return stream.CanSeek;
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void free(IntPtr pointer);
}

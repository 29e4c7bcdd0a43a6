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
        ArgumentNullException.ThrowIfNull(file);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        bool held = false;
        file.DangerousAddRef(ref held);
        try
        {
            while (true)
            {
                nint read = pread(file.DangerousGetHandle(), ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length, offset);
                if (read >= 0)
                {
                    return (int)read;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != Eintr)
                {
                    throw new IOException($"cannot read the file: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
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

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint pread(nint fd, ref byte buffer, nuint count, long offset);
}

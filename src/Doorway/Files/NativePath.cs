using System.Runtime.InteropServices;

namespace Doorway.Files;

/// <summary>
/// realpath(3) of the root as given (<see cref="FileRoot"/>'s constructor): the path with every
/// symlink, "." and ".." resolved, as the kernel sees it. .NET resolves only a path's last link,
/// and the root's own path must be the real one: the fallback and the hidden-name check compare
/// real paths with it. Names under the root are never resolved by path here.
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

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void free(IntPtr pointer);
}

using System.Buffers.Text;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Files;

/// <summary>
/// The Linux file calls the file door makes on descriptors: openat2(2), statx(2), readlink(2) of
/// /proc/self/fd/N, fcntl(2) F_DUPFD_CLOEXEC, getdents64(2). Paths are NUL-terminated bytes, never
/// strings: a name on disk need not be UTF-8, and a string per call would be an allocation per request.
/// Every call returns the kernel's answer and errno; none throws for a file-system error.
/// </summary>
/// <remarks>
/// DllImport rather than LibraryImport: the source-generated stubs need AllowUnsafeBlocks, which
/// this library keeps off, and every signature here is blittable (spans pass as pinned
/// <c>ref byte</c>), so the runtime's stubs cost only the errno save (SetLastError) and the
/// SafeHandle reference count, which keeps a descriptor from being closed and reused under a call.
/// </remarks>
internal static class NativeFile
{
    // open(2) flags. These are the same on x86-64 and arm64 (asm-generic/fcntl.h) ...
    public const int ReadOnly = 0;
    public const int NoControllingTerminal = 0x100;
    public const int NonBlocking = 0x800;
    public const int CloseOnExec = 0x80000;
    public const int PathOnly = 0x200000;

    // ... except O_DIRECTORY, which arm (and powerpc) moved (arch/arm64/include/uapi/asm/fcntl.h).
    public static readonly int DirectoryOnly =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm or Architecture.Ppc64le ? 0x4000 : 0x10000;

    // openat2(2) resolve flags (linux/openat2.h).
    public const ulong ResolveNoMagicLinks = 0x02;
    public const ulong ResolveNoSymlinks = 0x04;
    public const ulong ResolveBeneath = 0x08;

    /// <summary>RESOLVE_NO_XDEV: the walk never crosses a mount point (EXDEV), so it stays on the root's file system.</summary>
    public const ulong ResolveNoCrossing = 0x01;

    /// <summary>RESOLVE_CACHED (Linux 5.12): EAGAIN unless every step of the walk is in the kernel's lookup cache, so the call never waits for a disk.</summary>
    public const ulong ResolveCached = 0x20;

    // statx(2).
    public const int EmptyPath = 0x1000;
    public const int SymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxModified = 0x40;
    private const uint StatxChanged = 0x80;
    private const uint StatxInode = 0x100;
    private const uint StatxSize = 0x200;

    /// <summary>Every field a <see cref="FileVersion"/> and a listing need, and nothing the kernel must work harder for (no btime).</summary>
    private const uint StatxWanted = StatxType | StatxMode | StatxModified | StatxChanged | StatxInode | StatxSize;

    // errno values, the same on x86-64 and arm64 (asm-generic/errno-base.h, errno.h).
    public const int NoPermission = 1;
    public const int NoEntry = 2;
    public const int Interrupted = 4;
    public const int NoDeviceOrAddress = 6;
    public const int TryAgain = 11;
    public const int AccessDenied = 13;
    public const int CrossDevice = 18;
    public const int NoDevice = 19;
    public const int NotADirectory = 20;
    public const int NameTooLong = 36;
    public const int NoSystemCall = 38;
    public const int TooManyLinks = 40;

    /// <summary>openat2 is 437 in the unified syscall table: x86-64, arm64 and every newer port.</summary>
    private const int Openat2Number = 437;

    private const int DuplicateCloseOnExec = 1030;

    /// <summary>PATH_MAX: readlink and realpath never return more.</summary>
    public const int MaxPath = 4096;

    /// <summary>openat2(dirfd, path, how) with flags and resolve; the new descriptor, or -1 and errno.</summary>
    public static int OpenBeneath(SafeFileHandle directory, ReadOnlySpan<byte> pathZ, ulong flags, ulong resolve, out int errno)
    {
        var how = new OpenHow { Flags = flags, Resolve = resolve };
        nint fd = syscall(Openat2Number, directory, in MemoryMarshal.GetReference(pathZ), ref how, (nuint)Marshal.SizeOf<OpenHow>());
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)fd;
    }

    /// <summary>open(2) of an absolute path: the checked fallback when openat2 is missing.</summary>
    public static int Open(ReadOnlySpan<byte> pathZ, int flags, out int errno)
    {
        int fd = open(in MemoryMarshal.GetReference(pathZ), flags);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    /// <summary>statx(fd, "", AT_EMPTY_PATH): the status of the open descriptor itself, no path walked.</summary>
    public static bool Status(SafeFileHandle file, out StatxBuffer status, out int errno) =>
        StatusAt(file, "\0"u8, EmptyPath, out status, out errno);

    /// <summary>statx(dirfd, name, flags) of an entry of an open directory.</summary>
    public static bool StatusAt(SafeFileHandle directory, ReadOnlySpan<byte> nameZ, int flags, out StatxBuffer status, out int errno)
    {
        status = default;
        int result = statx(directory, in MemoryMarshal.GetReference(nameZ), flags, StatxWanted, ref status);
        errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
        return result == 0;
    }

    /// <summary>
    /// The path the kernel holds for an open descriptor, from readlink of /proc/self/fd/N: the
    /// file's real path now (symlinks resolved), whatever name opened it. Its length in
    /// <paramref name="buffer"/>, or -1 (no /proc, or a path longer than the buffer).
    /// </summary>
    public static int DescriptorPath(SafeFileHandle file, Span<byte> buffer, out int errno)
    {
        Span<byte> link = stackalloc byte[32];
        "/proc/self/fd/"u8.CopyTo(link);
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            Utf8Formatter.TryFormat((int)file.DangerousGetHandle(), link[14..], out int digits);
            link[14 + digits] = 0;
            nint length = readlink(in MemoryMarshal.GetReference(link), ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
            errno = length < 0 ? Marshal.GetLastPInvokeError() : 0;
            // A full buffer may be a cut-off path: never trust it.
            return length < 0 || length >= buffer.Length ? -1 : (int)length;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>realpath(3) into <paramref name="resolved"/> (at least PATH_MAX bytes); its length, or -1 and errno.</summary>
    public static int RealPath(ReadOnlySpan<byte> pathZ, Span<byte> resolved, out int errno)
    {
        if (resolved.Length < MaxPath)
        {
            throw new ArgumentException("realpath writes up to PATH_MAX bytes", nameof(resolved));
        }

        nint result = realpath(in MemoryMarshal.GetReference(pathZ), ref MemoryMarshal.GetReference(resolved));
        if (result == 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return -1;
        }

        errno = 0;
        return resolved.IndexOf((byte)0);
    }

    /// <summary>fcntl(fd, F_DUPFD_CLOEXEC): a second descriptor for the same open file, or -1 and errno.</summary>
    public static int Duplicate(SafeFileHandle file, out int errno)
    {
        int fd = fcntl(file, DuplicateCloseOnExec, 0);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    /// <summary>getdents64(2): fills <paramref name="buffer"/> with linux_dirent64 records; bytes filled, 0 at the end, or -1 and errno.</summary>
    public static int ReadEntries(SafeFileHandle directory, Span<byte> buffer, out int errno)
    {
        nint read = getdents64(directory, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
        errno = read < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)read;
    }

    /// <summary>
    /// fstatfs(2)'s f_type: the file system a descriptor lies on (a magic number, linux/magic.h), or
    /// -1. struct statfs starts with f_type, a C long (nint) on every Linux ABI.
    /// </summary>
    public static long FileSystemType(SafeFileHandle file)
    {
        Span<byte> buffer = stackalloc byte[256];
        return fstatfs(file, ref MemoryMarshal.GetReference(buffer)) == 0 ? (long)MemoryMarshal.Read<nint>(buffer) : -1;
    }

    /// <summary>cachestat is 451 in the unified syscall table (Linux 6.5): x86-64, arm64 and every newer port.</summary>
    private const nint CachestatNumber = 451;

    /// <summary>
    /// cachestat(2): how many pages of the file's bytes [offset, offset + length) the page cache
    /// holds; -1 (with errno: ENOSYS before Linux 6.5, EPERM under a seccomp filter) when unknown.
    /// </summary>
    public static long CachedPages(SafeFileHandle file, long offset, long length)
    {
        var range = new CachestatRange { Offset = (ulong)offset, Length = (ulong)length };
        var stat = default(Cachestat);
        return syscall(CachestatNumber, file, ref range, ref stat, 0) == 0 ? (long)stat.Cached : -1;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CachestatRange
    {
        public ulong Offset;
        public ulong Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Cachestat
    {
        public ulong Cached;
        public ulong Dirty;
        public ulong Writeback;
        public ulong Evicted;
        public ulong RecentlyEvicted;
    }

    /// <summary>lseek(fd, 0, SEEK_SET): a directory is read again from its first entry.</summary>
    public static bool Rewind(SafeFileHandle directory) => lseek(directory, 0, 0) == 0;

    // syscall(2) is variadic; every argument here is an integer or a pointer, which x86-64 and
    // arm64 pass in the same registers as for a plain call, and glibc's syscall reads none as a
    // va_list. C's long (syscall's number and result, and off_t for lseek) is pointer-sized on
    // Linux, 64-bit and 32-bit alike: nint.
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint syscall(nint number, SafeFileHandle dirfd, in byte path, ref OpenHow how, nuint size);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint syscall(nint number, SafeFileHandle fd, ref CachestatRange range, ref Cachestat stat, nuint flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int open(in byte path, int flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int statx(SafeFileHandle dirfd, in byte path, int flags, uint mask, ref StatxBuffer buffer);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint readlink(in byte path, ref byte buffer, nuint size);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint realpath(in byte path, ref byte resolved);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int fcntl(SafeFileHandle fd, int command, int argument);

    // glibc 2.30 and later wrap getdents64, so no per-architecture syscall number is needed (x86-64 217, arm64 61).
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint getdents64(SafeFileHandle fd, ref byte buffer, nuint size);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint lseek(SafeFileHandle fd, nint offset, int whence);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int fstatfs(SafeFileHandle fd, ref byte buffer);
}

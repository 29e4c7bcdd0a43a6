using System.Text;
using Doorway.Transport;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Files;

/// <summary>
/// The one directory the file door serves from, and the rules that keep every name inside it.
/// Both dialects ask it; a name is served only if it is a regular file (or, over HTTP, a
/// directory) that lies under the root. The root is opened once as a descriptor, and
/// <see cref="Open"/> opens a name beneath it with one openat2(2) (issue 8): the kernel, not a
/// path string compared after the fact, keeps the walk inside, so a symlink swapped between a
/// check and an open has no window to slip through.
/// </summary>
public sealed class FileRoot : IDisposable
{
    /// <summary>
    /// How a served file is opened. O_NONBLOCK: a FIFO's open returns at once instead of waiting
    /// for a writer (fifo(7)); it changes nothing for a regular file's reads. O_NOCTTY: a terminal
    /// under the root never becomes this process's controlling terminal.
    /// </summary>
    private const ulong ServeFlags = NativeFile.ReadOnly | NativeFile.NonBlocking | NativeFile.CloseOnExec | NativeFile.NoControllingTerminal;

    /// <summary>O_PATH: find and stat without opening for reading (the listing's symlink checks): no device or FIFO is ever opened.</summary>
    private const ulong LocateFlags = NativeFile.PathOnly | NativeFile.CloseOnExec;

    /// <summary>
    /// RESOLVE_BENEATH: every step, ".." and symlink targets included, stays under the root, and an
    /// absolute symlink is refused (EXDEV). RESOLVE_NO_MAGICLINKS: no /proc/PID/fd/N jumps (openat2(2)).
    /// </summary>
    private const ulong Beneath = NativeFile.ResolveBeneath | NativeFile.ResolveNoMagicLinks;

    /// <summary>openat2 answers EAGAIN when a rename raced its ".." check; the man page says retry. Then refuse.</summary>
    private const int Attempts = 4;

    private readonly SafeFileHandle _handle;

    // The root's real path as bytes, to read the paths /proc/self/fd gives back. Replaced (never
    // changed in place) if the root directory is moved while served: the descriptor follows it.
    private volatile byte[] _path;
    private volatile bool _fallback;
    private readonly bool _opensCached;

    /// <summary>Opens <paramref name="directory"/> as the root; throws <see cref="DirectoryNotFoundException"/> if it is not one.</summary>
    public FileRoot(string directory, bool showHidden = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        string? real = NativePath.RealPath(full);
        if (real is null || !System.IO.Directory.Exists(real))
        {
            throw new DirectoryNotFoundException($"{directory} is not a directory");
        }

        Directory = real;
        ShowHidden = showHidden;
        _path = Encoding.UTF8.GetBytes(real);
        int fd = NativeFile.Open([.. _path, 0], NativeFile.PathOnly | NativeFile.DirectoryOnly | NativeFile.CloseOnExec, out _);
        if (fd < 0)
        {
            throw new DirectoryNotFoundException($"{directory} is not a directory");
        }

        _handle = new SafeFileHandle(fd, ownsHandle: true);
        _fallback = !Openat2Works(_handle, Beneath);
        _opensCached = !_fallback && PageCache.IsLocal(_handle) && Openat2Works(_handle, Beneath | WithoutWaiting);
    }

    /// <summary>The root with its own symlinks resolved.</summary>
    public string Directory { get; }

    /// <summary>Whether names starting with '.' are listed and served (--hidden).</summary>
    public bool ShowHidden { get; }

    /// <summary>
    /// Whether <see cref="Open"/> uses openat2 with RESOLVE_BENEATH; false where the kernel lacks it
    /// (before 5.6) or a seccomp filter forbids it, and names are then opened by the checked fallback.
    /// </summary>
    internal bool UsesOpenat2 => !_fallback;

    /// <summary>
    /// Whether <see cref="Open"/> can open without waiting for a disk: openat2 with RESOLVE_CACHED
    /// (Linux 5.12), and a root on a local file system. RESOLVE_CACHED makes only the walk wait for
    /// nothing; the file system's own open, statx and close still run, and FUSE sends each to its
    /// daemon and NFS to its server (found in review: a FUSE open that sleeps stalled the loop).
    /// With RESOLVE_NO_XDEV the walk stays on the root's file system. Where it cannot, every open
    /// asked to wait for nothing answers <see cref="FileOpenKind.NotCached"/>.
    /// </summary>
    internal bool OpensWithoutWaiting => _opensCached && !_fallback;

    /// <summary>The root's descriptor (O_PATH|O_DIRECTORY): what every name is opened beneath.</summary>
    internal SafeFileHandle Handle => _handle;

    /// <summary>Makes <see cref="Open"/> take the checked fallback, as on a kernel without openat2 (for tests).</summary>
    internal void UseCheckedFallback() => _fallback = true;

    /// <summary>
    /// Opens a client's name under the root: the lexical rules of <see cref="NameRules"/>, then
    /// one openat2 and one statx on the new descriptor. Unless <see cref="ShowHidden"/>, a name with
    /// a symlink on its way costs a second openat2 and one readlink of /proc/self/fd/N, so a symlink
    /// to a hidden name is refused. The name is raw bytes
    /// as the client sent them; <paramref name="allowRoot"/> lets an empty name mean the root.
    /// A File or Directory result carries an <see cref="OpenedFile"/> the caller disposes.
    /// With <paramref name="withoutWaiting"/> (an event loop's thread), a walk that would read the
    /// disk is not made: the answer is <see cref="FileOpenKind.NotCached"/>, and the caller opens
    /// again off the loop. The open itself, of a name found in the cache, reads nothing: the inode
    /// is in memory, and the served flags (no O_CREAT, no O_TRUNC) write nothing.
    /// </summary>
    internal FileOpenResult Open(ReadOnlySpan<byte> name, bool allowRoot = false, bool withoutWaiting = false)
    {
        if (name.IsEmpty)
        {
            return allowRoot ? Open("."u8, trailingSlash: false, ServeFlags, withoutWaiting) : FileOpenResult.Refuse("empty name");
        }

        if (NameRules.Refusal(name, ShowHidden) is { } reason)
        {
            return FileOpenResult.Refuse(reason);
        }

        return Open(name, name[^1] == (byte)'/', ServeFlags, withoutWaiting);
    }

    /// <summary>
    /// <see cref="Open"/> from any thread: on an event loop (<see cref="LoopThread"/>) the open
    /// waits for no disk, and a walk the caches cannot answer is made again on the thread pool,
    /// where the caller's method then goes on. Completes at once (no allocation) unless it moves.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<FileOpenResult> OpenAsync(ReadOnlyMemory<byte> name, bool allowRoot = false)
    {
        var result = Open(name.Span, allowRoot, withoutWaiting: LoopThread.IsCurrent);
        if (result.Kind != FileOpenKind.NotCached)
        {
            return result;
        }

        await LoopThread.LeaveAsync();
        return Open(name.Span, allowRoot);
    }

    /// <summary>
    /// For the listing: the status of a name under the root (relative, already past
    /// <see cref="NameRules"/>) as serving it would find it, opened O_PATH, so nothing is read.
    /// </summary>
    internal FileOpenResult Locate(ReadOnlySpan<byte> name) => Open(name, trailingSlash: false, LocateFlags, withoutWaiting: false);

    /// <summary>The resolve flags of an open on the loop: the lookup cache only, and no other mount.</summary>
    private const ulong WithoutWaiting = NativeFile.ResolveCached | NativeFile.ResolveNoCrossing;

    private FileOpenResult Open(ReadOnlySpan<byte> name, bool trailingSlash, ulong flags, bool withoutWaiting)
    {
        if (withoutWaiting && !OpensWithoutWaiting)
        {
            // No RESOLVE_CACHED here (or no openat2): no open can promise not to wait.
            return FileOpenResult.NotCached;
        }

        // NameRules bounds a name to PATH_MAX, so the NUL-terminated copy fits on the stack.
        Span<byte> path = stackalloc byte[name.Length + 1];
        name.CopyTo(path);
        path[^1] = 0;
        return _fallback ? OpenChecked(path, trailingSlash, flags) : OpenBeneath(path, trailingSlash, flags, withoutWaiting ? WithoutWaiting : 0);
    }

    private FileOpenResult OpenBeneath(ReadOnlySpan<byte> path, bool trailingSlash, ulong flags, ulong cached)
    {
        int fd, errno;
        if (!ShowHidden)
        {
            // First with RESOLVE_NO_SYMLINKS: a name that passed NameRules and has no symlink on its
            // way is its own real path, so it cannot lead to a hidden name and needs no readlink
            // (the small-file path's system call count, issue 11). ELOOP says a symlink is on the
            // way: then the walk that follows symlinks, and the check of where it ended.
            fd = OpenBeneath(path, flags, Beneath | NativeFile.ResolveNoSymlinks | cached, out errno);
            if (fd >= 0)
            {
                return Finish(new SafeFileHandle(fd, ownsHandle: true), trailingSlash, verify: false, checkPath: false);
            }

            if (errno != NativeFile.TooManyLinks)
            {
                return Unopened(path, trailingSlash, flags, errno, cached);
            }
        }

        fd = OpenBeneath(path, flags, Beneath | cached, out errno);
        if (fd >= 0)
        {
            return Finish(new SafeFileHandle(fd, ownsHandle: true), trailingSlash, verify: false, checkPath: !ShowHidden);
        }

        return Unopened(path, trailingSlash, flags, errno, cached);
    }

    /// <summary>Why openat2 failed, as an answer: not cached (asked not to wait), the fallback (no openat2 after all), or the error.</summary>
    private FileOpenResult Unopened(ReadOnlySpan<byte> path, bool trailingSlash, ulong flags, int errno, ulong cached) => errno switch
    {
        NativeFile.TryAgain when cached != 0 => FileOpenResult.NotCached,
        // EXDEV: the walk reached another mount (RESOLVE_NO_XDEV) or left the root; the open off the loop says which.
        NativeFile.CrossDevice when cached != 0 => FileOpenResult.NotCached,
        NativeFile.NoSystemCall or NativeFile.NoPermission => cached != 0 ? FileOpenResult.NotCached : Fallback(path, trailingSlash, flags, errno),
        _ => Failed(errno),
    };

    /// <summary>
    /// One openat2 beneath the root, retried as openat2(2) says when a rename raced its ".." check.
    /// Not with RESOLVE_CACHED: its EAGAIN says the walk needs the disk, which no retry changes.
    /// </summary>
    private int OpenBeneath(ReadOnlySpan<byte> path, ulong flags, ulong resolve, out int errno)
    {
        int fd, attempt = 0;
        int attempts = (resolve & NativeFile.ResolveCached) != 0 ? 1 : Attempts;
        do
        {
            fd = NativeFile.OpenBeneath(_handle, path, flags, resolve, out errno);
        }
        while (fd < 0 && errno is NativeFile.TryAgain or NativeFile.Interrupted && ++attempt < attempts);

        return fd;
    }

    private FileOpenResult Fallback(ReadOnlySpan<byte> path, bool trailingSlash, ulong flags, int errno)
    {

        // ENOSYS: no openat2 here, for good. EPERM: a seccomp filter (or a file system) forbade it this once.
        if (errno == NativeFile.NoSystemCall)
        {
            _fallback = true;
        }

        return OpenChecked(path, trailingSlash, flags);
    }

    /// <summary>
    /// Where openat2 is missing: realpath, the resolved path checked against the root, a plain
    /// open of it, and then the check that matters, on the handle: the path the kernel holds for
    /// the new descriptor (/proc/self/fd/N) must lie under the root, or the file is closed and refused.
    /// </summary>
    private FileOpenResult OpenChecked(ReadOnlySpan<byte> path, bool trailingSlash, ulong flags)
    {
        byte[] root = _path;
        Span<byte> candidate = stackalloc byte[root.Length + 1 + path.Length];
        root.CopyTo(candidate);
        candidate[root.Length] = (byte)'/';
        path.CopyTo(candidate[(root.Length + 1)..]);

        Span<byte> real = stackalloc byte[NativeFile.MaxPath + 1];
        int length = NativeFile.RealPath(candidate, real, out int errno);
        if (length < 0)
        {
            return Failed(errno);
        }

        if (!Below(real[..length], root, out var below))
        {
            return FileOpenResult.Refuse("symlink leads outside the root");
        }

        if (!ShowHidden && NameRules.HasHiddenSegment(below))
        {
            return FileOpenResult.Refuse("symlink leads to a hidden name");
        }

        real[length] = 0;
        int fd, attempt = 0;
        do
        {
            fd = NativeFile.Open(real[..(length + 1)], (int)flags, out errno);
        }
        while (fd < 0 && errno == NativeFile.Interrupted && ++attempt < Attempts);

        return fd < 0 ? Failed(errno) : Finish(new SafeFileHandle(fd, ownsHandle: true), trailingSlash, verify: true, checkPath: true);
    }

    /// <summary>statx on the new descriptor, then the checks on it; the handle is closed on every refusal.</summary>
    private FileOpenResult Finish(SafeFileHandle handle, bool trailingSlash, bool verify, bool checkPath)
    {
        var refusal = Check(handle, trailingSlash, verify, checkPath, out var status);
        if (refusal.Kind is FileOpenKind.Missing or FileOpenKind.Refused)
        {
            handle.Dispose();
            return refusal;
        }

        return new FileOpenResult(refusal.Kind, refusal.Reason, new OpenedFile(handle, status));
    }

    private FileOpenResult Check(SafeFileHandle handle, bool trailingSlash, bool verify, bool checkPath, out StatxBuffer status)
    {
        if (!NativeFile.Status(handle, out status, out int errno))
        {
            return Failed(errno);
        }

        if (!status.IsRegularFile && !status.IsDirectory)
        {
            // FIFOs, sockets and devices: nothing a client should be handed.
            return FileOpenResult.Refuse("not a regular file");
        }

        if (trailingSlash && !status.IsDirectory)
        {
            return FileOpenResult.Missing("not a directory");
        }

        if (checkPath)
        {
            // The file's real path now: one readlink, needed only when it can change the answer.
            Span<byte> real = stackalloc byte[NativeFile.MaxPath];
            int length = NativeFile.DescriptorPath(handle, real, out _);
            if (length < 0)
            {
                return FileOpenResult.Refuse("cannot read the opened file's path");
            }

            if (!Below(real[..length], out var below))
            {
                // Under openat2 the kernel kept the walk inside, so only a moved root gets here; the
                // fallback's check on the handle catches a swap between realpath and open.
                return FileOpenResult.Refuse(verify ? "symlink leads outside the root" : "opened file lies outside the root's path");
            }

            if (!ShowHidden && NameRules.HasHiddenSegment(below))
            {
                return FileOpenResult.Refuse("symlink leads to a hidden name");
            }
        }

        return status.IsDirectory
            ? new FileOpenResult(FileOpenKind.Directory, "directory", null)
            : new FileOpenResult(FileOpenKind.File, "file", null);
    }

    /// <summary>Whether a real path lies under the root, reading the root's path again from its descriptor once if it moved.</summary>
    private bool Below(ReadOnlySpan<byte> real, out ReadOnlySpan<byte> below)
    {
        if (Below(real, _path, out below))
        {
            return true;
        }

        Span<byte> current = stackalloc byte[NativeFile.MaxPath];
        int length = NativeFile.DescriptorPath(_handle, current, out _);
        if (length < 0 || current[..length].SequenceEqual(_path))
        {
            return false;
        }

        byte[] moved = current[..length].ToArray();
        _path = moved;
        return Below(real, moved, out below);
    }

    /// <summary>True when <paramref name="real"/> is <paramref name="root"/> or under it by whole components; <paramref name="below"/> is the rest.</summary>
    private static bool Below(ReadOnlySpan<byte> real, ReadOnlySpan<byte> root, out ReadOnlySpan<byte> below)
    {
        below = default;
        if (!real.StartsWith(root))
        {
            return false;
        }

        if (real.Length == root.Length || root[^1] == (byte)'/')
        {
            below = real[root.Length..];
            return true;
        }

        // "/srv/data2" starts with "/srv/data" but is not under it.
        if (real[root.Length] != (byte)'/')
        {
            return false;
        }

        below = real[(root.Length + 1)..];
        return true;
    }

    private static FileOpenResult Failed(int errno) => errno switch
    {
        NativeFile.NoEntry => FileOpenResult.Missing("no such file"),
        NativeFile.NotADirectory => FileOpenResult.Missing("not a directory"),
        // EXDEV: RESOLVE_BENEATH caught a step out of the root; ELOOP: a symlink loop or a magic link.
        NativeFile.CrossDevice or NativeFile.TooManyLinks => FileOpenResult.Refuse("symlink leads outside the root"),
        NativeFile.AccessDenied => FileOpenResult.Missing("not readable"),
        // open(2) of a socket is ENXIO, of a device without a driver ENXIO or ENODEV.
        NativeFile.NoDeviceOrAddress or NativeFile.NoDevice => FileOpenResult.Refuse("not a regular file"),
        NativeFile.NameTooLong => FileOpenResult.Missing("name too long"),
        NativeFile.TryAgain => FileOpenResult.Refuse("the path kept changing while it was opened"),
        _ => FileOpenResult.Missing("cannot open: " + System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)),
    };

    /// <summary>
    /// One openat2 of "." at start with these resolve flags: ENOSYS (no openat2), EPERM (seccomp)
    /// or EINVAL (flags this kernel does not know: RESOLVE_CACHED before 5.12) say they cannot be used.
    /// </summary>
    private static bool Openat2Works(SafeFileHandle root, ulong resolve)
    {
        int fd = NativeFile.OpenBeneath(root, ".\0"u8, LocateFlags, resolve, out _);
        if (fd < 0)
        {
            return false;
        }

        new SafeFileHandle(fd, ownsHandle: true).Dispose();
        return true;
    }

    /// <summary>Closes the root's descriptor; <see cref="Open"/> then throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _handle.Dispose();
}

using Microsoft.Win32.SafeHandles;

namespace Doorway.Files;

/// <summary>
/// What an event loop asks before it lets a call read a file: whether the file's file system
/// answers from memory, and whether the page cache holds every page of the bytes the call reads.
/// When both are true, sendfile(2) only copies (as nginx's worker calls it, on its loop); when
/// either is not, the call moves to the thread pool (see <see cref="Transport.LoopThread"/>).
/// </summary>
internal static class PageCache
{
    /// <summary>
    /// File systems whose open, statx, close and cached reads read nothing and ask no one
    /// (linux/magic.h): ext2/3/4, XFS, Btrfs, F2FS, ZFS, tmpfs, ramfs, and overlayfs (a
    /// container's, whose layers are such file systems). Anything else (FUSE, NFS, SMB, Ceph, 9p,
    /// procfs, sysfs, ...) may wait even for a cached page, and is read on the thread pool.
    /// </summary>
    private static readonly long[] LocalFileSystems =
        [0xEF53, 0x58465342, 0x9123683E, 0xF2F52010, 0x2FC12FC1, 0x01021994, 0x858458F6, 0x794C7630];

    /// <summary>Whether <paramref name="file"/> lies on one of <see cref="LocalFileSystems"/>.</summary>
    public static bool IsLocal(SafeFileHandle file) => Array.IndexOf(LocalFileSystems, NativeFile.FileSystemType(file)) >= 0;

    /// <summary>
    /// Whether reading [<paramref name="offset"/>, + <paramref name="length"/>) of a file on a local
    /// file system would find every page in the page cache (cachestat(2), Linux 6.5). False where
    /// that can't be known (an older kernel, a seccomp filter, another file system). The answer is
    /// a moment's: memory pressure may evict a page before the read, which then waits for it.
    /// </summary>
    public static bool Holds(SafeFileHandle file, long offset, long length)
    {
        if (length <= 0)
        {
            return true;
        }

        long pageSize = Environment.SystemPageSize;
        long pages = ((offset + length - 1) / pageSize) - (offset / pageSize) + 1;
        return NativeFile.CachedPages(file, offset, length) >= pages && IsLocal(file);
    }
}

namespace Doorway.Files;

/// <summary>
/// One version of one file, as statx(2) tells it on the open descriptor: which inode on which
/// device, and its size, modification and status-change times in nanoseconds. The change time
/// (ctime) is set by the kernel on every write and cannot be set back by a user (touch -d sets
/// only mtime), so a file rewritten with the same size and an old mtime is still a new version.
/// Usable as a dictionary key.
/// </summary>
internal readonly record struct FileVersion(ulong Device, ulong Inode, long Size, long ModifiedNanoseconds, long ChangedNanoseconds)
{
    /// <summary>The file this is a version of, whatever its contents: (device, inode).</summary>
    public (ulong Device, ulong Inode) Identity => (Device, Inode);
}

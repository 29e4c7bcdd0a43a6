using System.Runtime.InteropServices;

namespace Doorway.Files;

/// <summary>
/// struct statx of statx(2) (linux/stat.h), only the fields the file door reads. The layout is
/// fixed by the kernel's ABI and the same on every architecture (it was designed so: explicit
/// 64-bit fields, 256 bytes with room to grow), which is why it is used instead of struct stat.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct StatxBuffer
{
    /// <summary>S_IFMT, S_IFREG and S_IFDIR of inode(7).</summary>
    public const int TypeMask = 0xF000;
    public const int RegularFile = 0x8000;
    public const int Directory = 0x4000;
    public const int SymbolicLink = 0xA000;

    /// <summary>Which fields the kernel filled (STATX_* bits).</summary>
    [FieldOffset(0)]
    public uint Mask;

    [FieldOffset(28)]
    public ushort Mode;

    [FieldOffset(32)]
    public ulong Inode;

    [FieldOffset(40)]
    public ulong Size;

    [FieldOffset(96)]
    public long ChangedSeconds;

    [FieldOffset(104)]
    public uint ChangedNanoseconds;

    [FieldOffset(112)]
    public long ModifiedSeconds;

    [FieldOffset(120)]
    public uint ModifiedNanoseconds;

    [FieldOffset(136)]
    public uint DeviceMajor;

    [FieldOffset(140)]
    public uint DeviceMinor;

    public readonly int Type => Mode & TypeMask;

    public readonly bool IsRegularFile => Type == RegularFile;

    public readonly bool IsDirectory => Type == Directory;

    public readonly bool IsSymbolicLink => Type == SymbolicLink;

    public readonly long Length => (long)Size;

    /// <summary>Nanoseconds since the Unix epoch: a long holds them until the year 2262.</summary>
    public readonly long ModifiedTotalNanoseconds => (ModifiedSeconds * 1_000_000_000L) + ModifiedNanoseconds;

    public readonly long ChangedTotalNanoseconds => (ChangedSeconds * 1_000_000_000L) + ChangedNanoseconds;

    /// <summary>The modification time in DateTime's 100 ns ticks (what HTTP's ETag and Last-Modified use).</summary>
    public readonly DateTime ModifiedUtc =>
        DateTime.UnixEpoch.AddTicks((ModifiedSeconds * TimeSpan.TicksPerSecond) + (ModifiedNanoseconds / 100));

    public readonly FileVersion Version =>
        new(((ulong)DeviceMajor << 32) | DeviceMinor, Inode, Length, ModifiedTotalNanoseconds, ChangedTotalNanoseconds);
}

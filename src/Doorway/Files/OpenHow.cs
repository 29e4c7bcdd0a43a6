using System.Runtime.InteropServices;

namespace Doorway.Files;

/// <summary>
/// struct open_how of openat2(2) (linux/openat2.h): three 64-bit fields, the same on every
/// architecture. The kernel takes its size as an argument, so this layout stays valid when it grows.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OpenHow
{
    public ulong Flags;
    public ulong Mode;
    public ulong Resolve;
}

using System.Runtime.InteropServices;

namespace Doorway.Transport;

/// <summary>
/// The process's file descriptors as a budget shared by every door: a connection takes one, a
/// file being sent takes another. A reserve is kept out of it, so accepting a client only to
/// refuse it, opening a log or a listing, and the runtime's own needs never find the limit
/// reached: running out of descriptors inside the runtime aborts the process (issue 8).
/// </summary>
public sealed class DescriptorBudget
{
    private int _inUse;

    public DescriptorBudget(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>Descriptors doors may hold at once.</summary>
    public int Capacity { get; }

    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>
    /// The budget under this process's RLIMIT_NOFILE (soft limit, which .NET raises to the hard
    /// limit at start): the limit less a reserve of a tenth, at least 64.
    /// </summary>
    public static DescriptorBudget FromProcessLimit()
    {
        long limit = ProcessLimit();
        long reserve = Math.Max(64, limit / 10);
        return new DescriptorBudget((int)Math.Clamp(limit - reserve, 1, int.MaxValue));
    }

    /// <summary>The soft RLIMIT_NOFILE, or a large number where it can't be read.</summary>
    internal static long ProcessLimit()
    {
        if (!OperatingSystem.IsLinux() || getrlimit(NoFile, out var limit) != 0)
        {
            return 1 << 20;
        }

        return (long)Math.Min(limit.Current, int.MaxValue);
    }

    public bool TryTake(int count = 1)
    {
        while (true)
        {
            int used = Volatile.Read(ref _inUse);
            if (used + count > Capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inUse, used + count, used) == used)
            {
                return true;
            }
        }
    }

    public void Return(int count = 1) => Interlocked.Add(ref _inUse, -count);

    // RLIMIT_NOFILE on Linux (x86-64 and arm64).
    private const int NoFile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int getrlimit(int resource, out RLimit limit);
}

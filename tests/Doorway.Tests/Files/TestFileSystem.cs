using System.Runtime.InteropServices;
using System.Text;

namespace Doorway.Tests.Files;

/// <summary>File-system calls .NET does not offer, for laying out awkward trees: FIFOs, byte names, atomic swaps.</summary>
internal static partial class TestFileSystem
{
    private const int AtCurrentDirectory = -100;
    private const uint RenameExchange = 2;

    /// <summary>mkfifo(3): a named pipe, which a careless open would wait on forever.</summary>
    public static void MakeFifo(string path)
    {
        if (mkfifo(path, Convert.ToInt32("644", 8)) != 0)
        {
            throw new IOException($"mkfifo {path}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Creates a file whose name is raw bytes (need not be UTF-8) in <paramref name="directory"/>.</summary>
    public static void WriteFile(string directory, ReadOnlySpan<byte> name, ReadOnlySpan<byte> content)
    {
        byte[] path = [.. Encoding.UTF8.GetBytes(directory), (byte)'/', .. name, 0];
        int fd = open(path, 0x1 | 0x40 | 0x200 | 0x80000, Convert.ToInt32("644", 8)); // O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC
        if (fd < 0)
        {
            throw new IOException($"open: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (write(fd, content.ToArray(), (nuint)content.Length) != content.Length)
            {
                throw new IOException($"write: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    /// <summary>
    /// Drops a file's pages from the page cache (fsync, then posix_fadvise DONTNEED of clean pages):
    /// its next read must go to the disk, as for a file nobody has read since boot.
    /// </summary>
    public static void DropCachedPages(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        int fd = (int)file.DangerousGetHandle();
        if (fsync(fd) != 0)
        {
            throw new IOException($"fsync {path}: errno {Marshal.GetLastPInvokeError()}");
        }

        int error = posix_fadvise(fd, 0, 0, FadviseDontNeed);
        if (error != 0)
        {
            throw new IOException($"posix_fadvise {path}: error {error}");
        }
    }

    private const int FadviseDontNeed = 4;

    /// <summary>renameat2(RENAME_EXCHANGE): swaps two names in one step, so neither is ever missing.</summary>
    public static bool TryExchange(string first, string second) =>
        renameat2(AtCurrentDirectory, first, AtCurrentDirectory, second, RenameExchange) == 0;

    /// <summary>The calling thread's kernel id, what strace -p attaches to.</summary>
    public static int ThreadId() => gettid();

    /// <summary>
    /// Starts strace with <paramref name="args"/> and returns it once its stderr says a line
    /// containing <paramref name="attached"/> (it traces from then on); if it does not within the
    /// deadline, kills it and fails the test with what it said. Stop it with <see cref="Interrupt"/>.
    /// </summary>
    public static async Task<System.Diagnostics.Process> AttachStraceAsync(IEnumerable<string> args, string attached)
    {
        var info = new System.Diagnostics.ProcessStartInfo("strace") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var strace = System.Diagnostics.Process.Start(info)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new StringBuilder();
        strace.ErrorDataReceived += (_, line) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(line.Data);
            }

            if (line.Data?.Contains(attached, StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        strace.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(Doorway.Tests.Support.Deadline.Default);
            return strace;
        }
        catch (TimeoutException)
        {
            strace.Kill();
            strace.Dispose();
            lock (stderr)
            {
                throw new Xunit.Sdk.XunitException($"strace did not attach: {stderr}");
            }
        }
    }

    /// <summary>Sends SIGINT: strace detaches from its tracee and flushes its output.</summary>
    public static void Interrupt(int pid) => _ = kill(pid, 2);

    /// <summary>tgkill(2) to the calling thread: the signal is delivered to this thread, now.</summary>
    public static void SignalThisThread(int signal) => _ = tgkill(Environment.ProcessId, gettid(), signal);

    /// <summary>access(2) of a name nobody has: a mark in a syscall trace.</summary>
    public static void Mark(string marker) => _ = access("/" + marker, 0);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int mkfifo(string path, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int open(byte[] path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte[] buffer, nuint count);

    [LibraryImport("libc")]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc")]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int renameat2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);

    [LibraryImport("libc")]
    private static partial int gettid();

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    private static partial int tgkill(int pid, int tid, int signal);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int access(string path, int mode);
}

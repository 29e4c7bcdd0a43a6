using System.Diagnostics;
using System.Text.RegularExpressions;
using Doorway.Files;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>
/// What one open costs, counted by strace attached to the one thread that opens: openat2, statx,
/// close, and nothing else touching files or descriptors; a name with a symlink on its way, with
/// hidden names off, costs a second openat2 (the first refuses symlinks) and a readlink (issue 11).
/// </summary>
public sealed partial class FileOpenSyscallTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData(false, "a.txt", new[] { "openat2", "statx", "close" })]
    [InlineData(true, "a.txt", new[] { "openat2", "statx", "close" })]
    [InlineData(false, "link-in", new[] { "openat2", "openat2", "statx", "readlink", "close" })]
    [InlineData(true, "link-in", new[] { "openat2", "statx", "close" })]
    public async Task A_small_file_open_is_openat2_statx_close(bool showHidden, string name, string[] expected)
    {
        using var root = new FileRoot(_tree.Root, showHidden);
        void Work()
        {
            var result = root.Open(System.Text.Encoding.UTF8.GetBytes(name));
            Assert.Equal(FileOpenKind.File, result.Kind);
            result.File!.Dispose();
        }

        // Once untraced first: the first call of each P/Invoke compiles its stub (mmaps, not file calls).
        Work();
        var calls = await TraceAsync(Work);

        Assert.Equal(expected, calls);
    }

    /// <summary>
    /// A signal that lands on the traced thread runs the runtime's handler there, and .NET's handler
    /// writes the signal's number to a pipe (SIGCHLD from any child process the test host reaps does
    /// it): that write is the handler's, not the open's, and the trace leaves it out.
    /// </summary>
    [Fact]
    public async Task A_signal_handled_on_the_traced_thread_is_not_counted_as_the_open()
    {
        using var root = new FileRoot(_tree.Root, showHidden: true);
        const int SigChld = 17;
        void Work()
        {
            TestFileSystem.SignalThisThread(SigChld);
            var result = root.Open("a.txt"u8.ToArray());
            Assert.Equal(FileOpenKind.File, result.Kind);
            result.File!.Dispose();
        }

        Work();
        var calls = await TraceAsync(Work);

        Assert.Equal(new[] { "openat2", "statx", "close" }, calls);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a thread of its own under strace -p (that thread only),
    /// between two marks, and returns the names of the file and descriptor calls it made.
    /// </summary>
    private async Task<string[]> TraceAsync(Action work)
    {
        string mark = "doorway-trace-" + Guid.NewGuid().ToString("N");
        string output = Path.Combine(_tree.Base, "strace.out");
        using var attached = new ManualResetEventSlim();
        using var go = new ManualResetEventSlim();
        int tid = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            tid = TestFileSystem.ThreadId();
            attached.Set();
            go.Wait();
            TestFileSystem.Mark(mark + "-begin");
            try
            {
                work();
            }
            catch (Exception e)
            {
                failure = e;
            }

            TestFileSystem.Mark(mark + "-end");
        });
        thread.Start();
        attached.Wait(TimeSpan.FromSeconds(10));
        attached.Reset();

        System.Diagnostics.Process strace;
        try
        {
            strace = await TestFileSystem.AttachStraceAsync(
                ["-p", tid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", output, "-e", "trace=%file,%desc,getdents64,rt_sigreturn"], "attached");
        }
        catch
        {
            go.Set();
            throw;
        }

        using var traced = strace;

        go.Set();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the traced thread did not finish");
        TestFileSystem.Interrupt(strace.Id);
        await strace.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (failure is not null)
        {
            throw new InvalidOperationException("the traced work failed", failure);
        }

        var lines = await File.ReadAllLinesAsync(output);
        int begin = Array.FindIndex(lines, l => l.Contains(mark + "-begin", StringComparison.Ordinal));
        int end = Array.FindIndex(lines, l => l.Contains(mark + "-end", StringComparison.Ordinal));
        Assert.True(begin >= 0 && end > begin, string.Join('\n', lines));
        // mmap and friends are the runtime's memory, not the file's: the GC's heap, and the JIT's
        // code pages, which .NET maps twice through a memfd (W^X) when a method tiers up on this
        // thread.
        string[] memory = ["mmap", "munmap", "mprotect", "madvise", "mremap"];
        return WithoutSignalHandlers(lines[(begin + 1)..end])
            .Select(l => CallName().Match(l) is { Success: true } m ? m.Groups[1].Value : l)
            .Where(call => !memory.Contains(call))
            .ToArray();
    }

    /// <summary>
    /// Leaves out what signal handlers did: a "--- SIG" line is a signal delivered to the thread
    /// (GC suspension uses one, SIGCHLD another), and its handler runs until its rt_sigreturn.
    /// Handlers can nest, so the depth is counted.
    /// </summary>
    private static IEnumerable<string> WithoutSignalHandlers(IEnumerable<string> lines)
    {
        int depth = 0;
        foreach (string line in lines)
        {
            if (line.StartsWith("--- SIG", StringComparison.Ordinal))
            {
                depth++;
            }
            else if (line.StartsWith("rt_sigreturn(", StringComparison.Ordinal))
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0 && !line.StartsWith("---", StringComparison.Ordinal))
            {
                yield return line;
            }
        }
    }

    [GeneratedRegex(@"^([a-z0-9_]+)\(")]
    private static partial Regex CallName();
}

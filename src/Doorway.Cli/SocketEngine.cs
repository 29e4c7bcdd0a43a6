using System.Globalization;

namespace Doorway.Cli;

/// <summary>
/// How .NET's socket engine runs continuations. By default every completed receive hops from the
/// engine's epoll thread to a thread-pool thread; with inline completions the continuation runs on
/// the epoll thread itself, and .NET starts one epoll thread per core. Doorway's handlers and its
/// load generator never block (hashing and other slow work go to the thread pool explicitly), so
/// both run inline: measured on 2 cores, that took the TCP door from 0.72× to 1.10× the native epoll
/// server at 50 connections and from 0.43× to 0.67× at 500 (docs/benchmarks.md).
/// .NET reads these settings once, from the environment only, when the first socket registers with
/// the engine: call this before any socket is made. Values the user set win.
/// </summary>
internal static class SocketEngine
{
    public static void PreferInlineCompletions(int? epollThreads = null)
    {
        SetUnlessSet("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        if (epollThreads is int threads)
        {
            SetUnlessSet("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", threads.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Epoll threads for inline completions on <paramref name="cores"/> cores: one per core, .NET's
    /// own choice for inline completions. Measured on 2 cores (docs/benchmarks.md, "The TCP engine's
    /// layout"), one thread did better only at 50 connections on a quiet machine; at 500
    /// connections, and under load, two did better in every run, so the default stays.
    /// </summary>
    internal static int EpollThreadsFor(int cores) => Math.Max(1, cores);

    private static void SetUnlessSet(string variable, string value)
    {
        if (Environment.GetEnvironmentVariable(variable) is null)
        {
            Environment.SetEnvironmentVariable(variable, value);
        }
    }
}

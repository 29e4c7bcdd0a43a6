using System.CommandLine;
using Doorway.Transport;

namespace Doorway.Cli;

/// <summary>
/// serve's <c>--transport</c> and <c>--transport-loops</c>: what moves the TCP doors' bytes, chosen
/// from measurement (docs/benchmarks.md, "The TCP engine's layout"): Doorway's own epoll loops on
/// Linux, .NET's sockets elsewhere. The choice is made before the first socket, because .NET's
/// socket engine reads its settings once, when the first socket registers with it.
/// </summary>
internal static class TransportFlags
{
    public const string Epoll = "epoll";
    public const string Sockets = "sockets";

    public static Option<string> CreateTransport() => new Option<string>("--transport")
    {
        Description = "What moves the TCP doors' bytes: 'epoll' (Doorway's own Linux event loops) or 'sockets' (.NET's). [default: epoll on Linux, sockets elsewhere]",
        HelpName = "epoll|sockets",
        DefaultValueFactory = _ => DefaultTransport,
    }.AcceptOnlyFromAmong(Epoll, Sockets);

    public static Option<int> CreateLoops() => CommonOptions.Count("--transport-loops", 0, 0,
        "Event loops of the epoll transport (or the socket engine's threads); 0: chosen from the cores this process may run on.");

    private static string DefaultTransport => OperatingSystem.IsLinux() ? Epoll : Sockets;

    /// <summary>Applies the choice to the doors' options and sets .NET's engine up for it. Call before any socket is made.</summary>
    public static WelcomeDoorOptions Apply(WelcomeDoorOptions tcp, string? transport, int loops)
    {
        if (transport == Epoll && !OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("--transport epoll runs on Linux only; use --transport sockets.");
        }

        int cores = Environment.ProcessorCount;
        if (transport == Epoll)
        {
            // The UDP door and every client still use .NET's sockets: one engine thread is plenty for them.
            SocketEngine.PreferInlineCompletions(epollThreads: 1);
            return tcp with { Transport = TcpTransport.Epoll, TransportLoops = loops > 0 ? loops : EpollLoopsFor(cores) };
        }

        SocketEngine.PreferInlineCompletions(loops > 0 ? loops : SocketEngine.EpollThreadsFor(cores));
        return tcp with { Transport = TcpTransport.Sockets };
    }

    /// <summary>The epoll transport's loops on <paramref name="cores"/> cores (measured in docs/benchmarks.md).</summary>
    internal static int EpollLoopsFor(int cores) => Math.Max(1, cores);
}

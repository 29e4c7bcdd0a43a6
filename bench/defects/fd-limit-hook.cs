// A .NET startup hook for fd-limit.sh's diagnosis (DOTNET_STARTUP_HOOKS); not part of Doorway.
// fd-limit.sh compiles it in its temporary directory, outside the repository's build settings.
//
// When an OutOfMemoryException is thrown, it prints the managed stack of the throwing thread to
// stderr, and it reports an unhandled exception. It opens nothing once the server runs: stderr is
// taken, and the stack-trace machinery (System.Diagnostics.StackTrace.dll and the metadata reader
// behind source lines) is loaded, at start-up, while file descriptors are still free.
using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

internal static class StartupHook
{
    private static int s_reported;

    public static void Initialize()
    {
        TextWriter err = Console.Error;
        _ = new StackTrace(fNeedFileInfo: true).ToString();
        try
        {
            throw new InvalidOperationException("warm-up");
        }
        catch (InvalidOperationException e)
        {
            _ = e.ToString();
        }

        AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
        {
            if (e.Exception is OutOfMemoryException && Interlocked.Increment(ref s_reported) <= 3)
            {
                var thread = Thread.CurrentThread;
                err.WriteLine($"[fd-limit-hook] first-chance OutOfMemoryException on thread '{thread.Name}' (thread pool: {thread.IsThreadPoolThread}):");
                err.WriteLine(new StackTrace(fNeedFileInfo: false).ToString());
                err.Flush();
            }
        };
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            err.WriteLine($"[fd-limit-hook] unhandled {e.ExceptionObject.GetType().FullName} (terminating: {e.IsTerminating})");
            err.Flush();
        };
    }
}

using System.Runtime.CompilerServices;

namespace Doorway.Transport;

/// <summary>
/// Whether this thread runs an event loop (the epoll transport's): a thread every connection of
/// its loop waits on, so it must never wait for a disk. Code that may block asks
/// <see cref="IsCurrent"/>: on a loop it first tries the call that fails rather than waits
/// (openat2 with RESOLVE_CACHED, preadv2 with RWF_NOWAIT), and only when the kernel says it would
/// wait does it <c>await</c> <see cref="LeaveAsync"/>, which moves the rest of the method to the
/// thread pool. Off a loop (the thread pool, the managed engine's continuations, a test) both are free.
/// </summary>
public static class LoopThread
{
    [ThreadStatic]
    private static bool t_isLoop;

    /// <summary>True on an event loop's thread.</summary>
    public static bool IsCurrent => t_isLoop;

    /// <summary>Marks the calling thread as an event loop's, for its life.</summary>
    internal static void Enter() => t_isLoop = true;

    /// <summary>
    /// Awaited: on a loop thread, continues on the thread pool; anywhere else, continues at once.
    /// The continuation after a receive or a send that had to wait comes back to the loop, so code
    /// that may block asks again after each wait.
    /// </summary>
    public static LeaveAwaitable LeaveAsync() => default;

    /// <summary>The awaitable of <see cref="LeaveAsync"/>; allocates only when it leaves (the pool's work item).</summary>
    public readonly struct LeaveAwaitable : ICriticalNotifyCompletion
    {
        public LeaveAwaitable GetAwaiter() => this;

        public bool IsCompleted => !t_isLoop;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => ThreadPool.QueueUserWorkItem(static run => run(), continuation, preferLocal: false);

        public void UnsafeOnCompleted(Action continuation) => ThreadPool.UnsafeQueueUserWorkItem(static run => run(), continuation, preferLocal: false);
    }
}

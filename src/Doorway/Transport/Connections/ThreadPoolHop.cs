using System.Runtime.CompilerServices;

namespace Doorway.Transport;

/// <summary>
/// An awaitable that always continues on the thread pool: after a socket wait completes on the
/// engine's thread (inline completions), a handler that may block moves off it before it touches
/// the file system. One per connection and direction, so a hop allocates nothing.
/// </summary>
internal sealed class ThreadPoolHop : ICriticalNotifyCompletion, IThreadPoolWorkItem
{
    private Action? _continuation;

    public bool IsCompleted => false;

    public ThreadPoolHop GetAwaiter() => this;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation)
    {
        _continuation = continuation;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        var continuation = _continuation!;
        _continuation = null;
        continuation();
    }
}

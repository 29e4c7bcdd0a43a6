using System.Threading.Tasks.Sources;

namespace Doorway.Transport.Epoll;

/// <summary>
/// One direction of an epoll connection as a reusable awaitable (as <see cref="SocketOperation"/>
/// is for the managed engine): at most one operation per direction is outstanding, so one
/// instance serves them all and no operation allocates. The operation first tries the system
/// call on the caller's thread; only when the kernel would block does it wait, and the event loop
/// finishes it when epoll reports the descriptor ready.
/// </summary>
/// <remarks>
/// Readiness is edge-triggered: the loop counts events in <see cref="Events"/>. A caller that
/// found the kernel empty (or full) remembers the count it saw before its call; if the count moved
/// since, an edge came in between and it tries again instead of waiting, so no edge is lost.
/// State changes happen under the instance's lock; continuations run outside it.
/// </remarks>
internal abstract class EpollOperation : IValueTaskSource<int>, IValueTaskSource, IThreadPoolWorkItem
{
    protected const int Idle = 0;

    private ManualResetValueTaskSourceCore<int> _core;
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _token;
    private Exception? _failure;

    private readonly bool _continueOnThreadPool;

    protected EpollOperation(bool continueOnThreadPool)
    {
        _continueOnThreadPool = continueOnThreadPool;
        _core.RunContinuationsAsynchronously = continueOnThreadPool;
    }

    /// <summary>Readiness events the loop reported for this direction (written under the lock).</summary>
    protected int Events;

    /// <summary>What is pending (Idle when nothing is); guarded by the lock.</summary>
    protected int State;

    protected short Version => _core.Version;

    /// <summary>
    /// Under the lock: a pending operation begins; a cancellable token can end it. Its continuation
    /// runs on the thread pool if the connection's does, or if <paramref name="continueOnThreadPool"/> asks for this one.
    /// </summary>
    protected void BeginPending(int state, CancellationToken cancellationToken, bool continueOnThreadPool = false)
    {
        State = state;
        _core.Reset();
        _core.RunContinuationsAsynchronously = _continueOnThreadPool || continueOnThreadPool;
        _token = cancellationToken;
        if (cancellationToken.CanBeCanceled)
        {
            // A token already cancelled runs the callback here, on this thread, which holds the
            // lock (Monitor is reentrant): the operation fails before it is handed out.
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((EpollOperation)state!).Cancel(token), this);
        }
    }

    /// <summary>Under the lock: the pending operation is done (the caller completes it after releasing the lock).</summary>
    protected void EndPending()
    {
        State = Idle;
        _token = default;
    }

    /// <summary>Outside the lock: completes what <see cref="EndPending"/> ended.</summary>
    protected void Complete(int result)
    {
        _cancellation.Unregister();
        _cancellation = default;
        _core.SetResult(result);
    }

    /// <summary>Outside the lock: fails what <see cref="EndPending"/> ended.</summary>
    protected void CompleteFailure(Exception failure)
    {
        _cancellation.Unregister();
        _cancellation = default;
        _core.SetException(failure);
    }

    /// <summary>
    /// The connection closed (any thread): a pending operation fails with <paramref name="failure"/>,
    /// its continuation on the thread pool, never on the closing thread (the heartbeat, a stop).
    /// </summary>
    public void Fail(Exception failure)
    {
        lock (this)
        {
            if (State == Idle)
            {
                return;
            }

            EndPending();
            _failure = failure;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Whether an operation is waiting on the kernel now.</summary>
    public bool IsPending
    {
        get
        {
            lock (this)
            {
                return State != Idle;
            }
        }
    }

    private void Cancel(CancellationToken token)
    {
        lock (this)
        {
            // The registration of an operation already done may still fire: only the one pending with this token ends.
            if (State == Idle || _token != token)
            {
                return;
            }

            EndPending();
            _failure = new OperationCanceledException(token);
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        var failure = _failure!;
        _failure = null;
        CompleteFailure(failure);
    }

    public int GetResult(short token) => _core.GetResult(token);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

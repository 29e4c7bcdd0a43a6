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
    private CancellationToken _token;
    private Exception? _failure;

    // An operation's own registration with its token, for tokens other than the door's.
    private CancellationTokenRegistration _cancellation;

    // The door's stopping token is registered once, at the first operation that passes it, and
    // kept until the connection closes (Fail): every wait of a connection passes it (issue 11), and
    // registering and unregistering on a source that every connection of the door shares would
    // take its lock, and move its cache line between the loops' cores, on every message. Only that
    // token is kept: the door cancels it once and never resets it (a reset drops registrations).
    private readonly CancellationToken _doorStopping;
    private CancellationTokenRegistration _stoppingRegistration;
    private bool _stoppingRegistered;

    // Set once by Fail: the connection closed, and an operation begun after that fails at once.
    private Exception? _closedBy;

    private readonly bool _continueOnThreadPool;

    protected EpollOperation(bool continueOnThreadPool, CancellationToken doorStopping)
    {
        _continueOnThreadPool = continueOnThreadPool;
        _doorStopping = doorStopping;
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
        if (_closedBy is { } closed)
        {
            // The connection closed between this operation's system call and now: nothing will wake it.
            EndWith(closed);
            return;
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return;
        }

        if (cancellationToken != _doorStopping)
        {
            // A token already cancelled runs the callback here, on this thread, which holds the
            // lock (Monitor is reentrant): the operation fails before it is handed out.
            _cancellation = Register(cancellationToken);
        }
        else if (!_stoppingRegistered)
        {
            _stoppingRegistered = true;
            _stoppingRegistration = Register(cancellationToken);
        }
        else if (cancellationToken.IsCancellationRequested)
        {
            // The kept registration's callback has run (it found no operation), or waits for this
            // lock and will find this one: either way this operation ends now, as cancelled.
            EndWith(new OperationCanceledException(cancellationToken));
        }
    }

    private CancellationTokenRegistration Register(CancellationToken token) =>
        token.UnsafeRegister(static (state, token) => ((EpollOperation)state!).Cancel(token), this);

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

    /// <summary>Under the lock: ends the pending operation with <paramref name="failure"/>, completed on the thread pool.</summary>
    private void EndWith(Exception failure)
    {
        EndPending();
        _failure = failure;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>
    /// The connection closed (any thread): a pending operation fails with <paramref name="failure"/>,
    /// its continuation on the thread pool, never on the closing thread (the heartbeat, a stop).
    /// </summary>
    public void Fail(Exception failure)
    {
        lock (this)
        {
            _closedBy = failure;
            // Unregister, not Dispose: Dispose waits for a callback running on another thread,
            // which would be waiting for this lock. A callback that runs late finds nothing pending.
            _stoppingRegistration.Unregister();
            _stoppingRegistration = default;
            if (State != Idle)
            {
                EndWith(failure);
            }
        }
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
            // The kept registration fires whatever is pending: only an operation pending with this token ends.
            if (State == Idle || _token != token)
            {
                return;
            }

            EndWith(new OperationCanceledException(token));
        }
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

using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Doorway.Transport;

/// <summary>
/// One direction of a socket connection as a reusable awaitable: it awaits the socket's own
/// operation, does the connection's bookkeeping (bytes, clocks, more pieces of a send) when it
/// completes, then completes itself. At most one operation per direction is outstanding (a
/// connection's contract), so one instance serves them all and no operation allocates: an async
/// method, even with a pooling builder, allocated its box per message when its continuation ran
/// on another thread (measured: 230–340 B per capitalize exchange).
/// </summary>
internal abstract class SocketOperation : IValueTaskSource<int>, IValueTaskSource
{
    // Made at the first suspension: a direction that always completes at once (most sends) never needs it.
    private Action? _onInnerCompleted;
    private ManualResetValueTaskSourceCore<int> _core;
    private ConfiguredValueTaskAwaitable<int>.ConfiguredValueTaskAwaiter _inner;

    protected SocketOperation(bool continueOnThreadPool)
    {
        // A door whose handler may block gets its continuations queued to the thread pool,
        // off the socket engine's thread that completed the operation.
        _core.RunContinuationsAsynchronously = continueOnThreadPool;
    }

    /// <summary>Awaits <paramref name="inner"/>; <see cref="Completed"/> decides what follows.</summary>
    protected ValueTask<int> Await(ValueTask<int> inner)
    {
        while (inner.IsCompleted)
        {
            // The common case (bytes were waiting, the kernel took the send): no suspension at all.
            int result = inner.Result;
            if (!Completed(result, out var next))
            {
                return ValueTask.FromResult(Result(result));
            }

            inner = next;
        }

        _core.Reset();
        _inner = inner.ConfigureAwait(false).GetAwaiter();
        _inner.UnsafeOnCompleted(_onInnerCompleted ??= OnInnerCompleted);
        return new ValueTask<int>(this, _core.Version);
    }

    /// <summary>As <see cref="Await"/>, for an operation whose result means nothing (a wait, a whole send).</summary>
    protected ValueTask AwaitVoid(ValueTask<int> inner)
    {
        var operation = Await(inner);
        if (operation.IsCompleted)
        {
            operation.GetAwaiter().GetResult();
            return ValueTask.CompletedTask;
        }

        return new ValueTask(this, _core.Version);
    }

    /// <summary>Bookkeeping for one completed inner operation; true with <paramref name="next"/> to go on (the next piece of a send).</summary>
    protected abstract bool Completed(int result, out ValueTask<int> next);

    /// <summary>What the whole operation returns once <see cref="Completed"/> says it is done.</summary>
    protected virtual int Result(int lastResult) => lastResult;

    private void OnInnerCompleted()
    {
        while (true)
        {
            int result;
            ValueTask<int> next;
            try
            {
                result = _inner.GetResult();
                if (!Completed(result, out next))
                {
                    _core.SetResult(Result(result));
                    return;
                }
            }
            catch (Exception e)
            {
                _core.SetException(e);
                return;
            }

            if (!next.IsCompleted)
            {
                _inner = next.ConfigureAwait(false).GetAwaiter();
                _inner.UnsafeOnCompleted(_onInnerCompleted!);
                return;
            }

            _inner = next.ConfigureAwait(false).GetAwaiter();
        }
    }

    public int GetResult(short token) => _core.GetResult(token);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

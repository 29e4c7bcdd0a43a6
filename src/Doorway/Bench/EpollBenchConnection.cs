using System.Runtime.InteropServices;
using Doorway.Transport.Epoll;

namespace Doorway.Bench;

/// <summary>
/// A TCP bench connection on the Linux transport's client loops that acts on readiness itself, as
/// the native load generator's connections do: the loop calls <see cref="OnEvents"/>, which reads
/// what came, checks it, and sends the next messages, all on the loop's thread. Nothing awaits, so
/// a message touches this object, its ring of send times and what its loop shares (one receive
/// buffer and one set of counters per loop), not a state machine, two operations, a connection's
/// info and its clocks. With 500 connections those objects no longer stayed in the cache between
/// one connection's turns, and the awaiting connection spent 3× the user time per message that it
/// did at 50 (issue 11). Used for a closed-loop load; with a rate, the awaiting
/// <see cref="TcpBenchConnection"/> keeps the schedule.
/// </summary>
internal sealed class EpollBenchConnection : IBenchConnection, IEpollReady
{
    private const uint Ended = EpollInterop.EpollErr | EpollInterop.EpollHup | EpollInterop.EpollRdHup;

    private readonly BenchRun _run;
    private readonly TextPattern _pattern;
    private readonly EpollBenchLoop _shared;
    private readonly SocketDescriptor _descriptor;
    private readonly EpollLoop _loop;
    private readonly ulong _key;
    private readonly int _fd;
    private readonly int _id;
    private readonly int _size;
    private readonly long[] _sentAt;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Loop thread only, from Start on.
    private long _sent;
    private int _sendFrom;
    private int _unsent;
    private ReplyCursor _cursor;
    private bool _finished;

    // The server sent urgent data (EPOLLPRI): recv stops at the mark, so a short read no longer
    // says the queue is empty, only EAGAIN does.
    private bool _urgent;

    private EpollBenchConnection(EpollConnection connected, int id, BenchRun run, TextPattern pattern)
    {
        _id = id;
        _run = run;
        _pattern = pattern;
        _size = run.Options.MessageSize;
        _sentAt = new long[run.Options.Pipeline];
        _shared = run.Share(connected.Loop);
        _fd = connected.Fd;
        // Last: from here on the loop may call OnEvents, so every field is set before.
        (_descriptor, _loop, _key) = connected.HandOver(this);
    }

    /// <summary>Shared by every connection of this one's loop (the merge counts each once).</summary>
    public ConnectionStats Stats => _shared.Stats;

    public static async Task<IBenchConnection> ConnectAsync(EpollClient client, int id, BenchRun run, TextPattern pattern, CancellationToken cancellationToken)
    {
        var connection = (EpollConnection)await client.ConnectAsync(run.Options.Server, run.Options.ConnectTimeout, cancellationToken);
        try
        {
            return new EpollBenchConnection(connection, id, run, pattern);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public Task RunAsync()
    {
        _loop.Post(Start);
        return _done.Task;
    }

    /// <summary>Closes the socket at once, on its loop; a connection still waiting counts the drain timeout as its error.</summary>
    public void Abort() => _loop.Post(() =>
    {
        if (!_finished)
        {
            Stats.Error(BenchSockets.StillWaiting);
            Finish();
        }
    });

    public void Dispose() => _loop.Post(Finish);

    public void OnEvents(uint events)
    {
        if (_finished)
        {
            return;
        }

        _urgent |= (events & EpollInterop.EpollPri) != 0;
        if ((events & (EpollInterop.EpollIn | EpollInterop.EpollPri | Ended)) != 0)
        {
            // With the peer's end (or an error) in this edge, no edge follows: read until recv
            // says so, even past a short read that emptied the data.
            Read(untilEmpty: (events & Ended) != 0);
        }

        if (!_finished && _unsent > 0 && (events & EpollInterop.EpollOut) != 0)
        {
            Flush();
            if (_unsent == 0)
            {
                // Replies that completed while the batch was going out make room now.
                Next();
            }
        }
    }

    private void Start()
    {
        if (_finished)
        {
            return;
        }

        // Whatever came before the hand-over (a server that speaks first, or hangs up) is read now: its edge went to the old handler.
        Read(untilEmpty: true);
    }

    /// <summary>Reads until the queue is empty, then sends what the window allows.</summary>
    /// <param name="untilEmpty">Read until recv says EAGAIN (or the end), not only until a short read.</param>
    private unsafe void Read(bool untilEmpty)
    {
        byte[] buffer = _shared.Receive;
        while (true)
        {
            nint received;
            fixed (byte* p = buffer)
            {
                received = EpollInterop.recv(_fd, p, (nuint)buffer.Length, 0);
            }

            if (received > 0)
            {
                if (!_cursor.Take(buffer.AsSpan(0, (int)received), BenchClock.Now(), _sent, _size, _id, _pattern, _sentAt, Stats, _run.IsMeasuring))
                {
                    Finish();
                    return;
                }

                if (received < buffer.Length && !untilEmpty && !_urgent)
                {
                    // TCP handed over all it had: the next arrival is a new edge.
                    break;
                }

                continue;
            }

            if (received == 0)
            {
                Stats.Error("the server closed the connection");
                Finish();
                return;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == EpollInterop.EAGAIN)
            {
                break;
            }

            if (errno != EpollInterop.EINTR)
            {
                Fail(errno);
                return;
            }
        }

        Next();
    }

    /// <summary>After progress: the next messages, or, once stopping and every reply is in, the end.</summary>
    private void Next()
    {
        if (!_run.IsStopping)
        {
            Fill();
        }
        else if (_cursor.Completed == _sent && _unsent == 0)
        {
            Finish();
        }
    }

    /// <summary>Sends as many new messages as the window has room for, stamped now.</summary>
    private void Fill()
    {
        if (_unsent > 0)
        {
            return;
        }

        int batch = _sentAt.Length - (int)(_sent - _cursor.Completed);
        if (batch <= 0)
        {
            return;
        }

        long now = BenchClock.Now();
        for (int i = 0; i < batch; i++)
        {
            _sentAt[(_sent + i) % _sentAt.Length] = now;
        }

        _sendFrom = TextPattern.Offset(_sent * _size, _id);
        _unsent = batch * _size;
        _sent += batch;
        Flush();
    }

    /// <summary>Sends what is left of the batch; what the kernel can't take waits for the next writable edge.</summary>
    private unsafe void Flush()
    {
        while (_unsent > 0)
        {
            nint sent;
            fixed (byte* p = &_pattern.Lower[_sendFrom])
            {
                sent = EpollInterop.send(_fd, p, (nuint)_unsent, EpollInterop.MsgNoSignal);
            }

            if (sent > 0)
            {
                _sendFrom += (int)sent;
                _unsent -= (int)sent;
                continue;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == EpollInterop.EAGAIN)
            {
                return;
            }

            if (errno != EpollInterop.EINTR)
            {
                Fail(errno);
                return;
            }
        }
    }

    private void Fail(int errno)
    {
        Stats.Error(Transport.NetworkErrors.Describe(EpollInterop.Error(errno)));
        Finish();
    }

    /// <summary>On the loop, once: a FIN (the server sees a clean end), the descriptor closed, and the run's task done.</summary>
    private void Finish()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        _loop.Unregister(_key);
        _ = EpollInterop.shutdown(_fd, EpollInterop.ShutWrite);
        _descriptor.Dispose();
        _done.TrySetResult();
    }
}

/// <summary>What the bench connections of one client loop share: only that loop's thread touches it.</summary>
internal sealed class EpollBenchLoop
{
    private const int ReceiveBytes = 64 * 1024;

    public ConnectionStats Stats { get; } = new();

    /// <summary>Every read of the loop's connections lands here, and is checked before the next.</summary>
    public byte[] Receive { get; } = GC.AllocateUninitializedArray<byte>(ReceiveBytes);
}

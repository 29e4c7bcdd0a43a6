using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport.Epoll;

/// <summary>
/// One event loop of the Linux transport: a thread, its epoll set, its own listening socket (one
/// of the door's SO_REUSEPORT group, so the kernel spreads new connections over the loops), and
/// the connections it accepted. Handlers of inline doors run on this thread when epoll reports
/// their socket ready, as they run on .NET's epoll threads with inline completions; nothing else
/// runs here, and every system call on it is non-blocking.
/// </summary>
internal sealed unsafe class EpollLoop
{
    /// <summary>Events taken per epoll_wait: .NET's engine and the native baseline take up to 1024 and 256.</summary>
    private const int MaxEvents = 256;

    /// <summary>Connections accepted per readiness of the listener before the loop serves the others again.</summary>
    private const int AcceptsPerTurn = 64;

    private const ulong WakeKey = ulong.MaxValue;
    private const ulong ListenerKey = ulong.MaxValue - 1;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly int _index;
    private readonly ILogger _logger;
    private readonly Lock _slotsGate = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly TaskCompletionSource _listenerClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IEpollReady?[] _slots = new IEpollReady?[64];
    private readonly System.Collections.Concurrent.ConcurrentQueue<Action> _posted = new();
    private readonly Lock _postGate = new();
    private bool _exited;
    private uint[] _generations = new uint[64];
    private int _usedSlots;
    private readonly SocketDescriptor? _listener;
    private Action<AcceptedSocket>? _admit;
    private Timer? _backOffTimer;
    private TimeSpan _backOff;
    private int _closeListener;
    private int _stop;

    /// <summary>A loop; with no listener it serves connections a client made (the load generator).</summary>
    public EpollLoop(int index, SocketDescriptor? listener, ILogger logger)
    {
        _index = index;
        _listener = listener;
        _logger = logger;
        _epoll = EpollInterop.epoll_create1(EpollInterop.CloseOnExec);
        if (_epoll < 0)
        {
            throw EpollInterop.Error(Marshal.GetLastPInvokeError());
        }

        _wake = EpollInterop.eventfd(0, EpollInterop.CloseOnExec | EpollInterop.NonBlocking);
        if (_wake < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            EpollInterop.close(_epoll);
            throw EpollInterop.Error(errno);
        }

        Control(EpollInterop.EpollCtlAdd, _wake, EpollInterop.EpollIn, WakeKey);
    }

    /// <summary>Starts the loop's thread; each accepted socket goes to <paramref name="admit"/> (on this loop's thread).</summary>
    public void Start(Action<AcceptedSocket> admit)
    {
        _admit = admit;
        if (_listener is not null)
        {
            // The listener is level-triggered: a turn that leaves connections in the backlog sees it again next turn.
            Control(EpollInterop.EpollCtlAdd, _listener.Fd, EpollInterop.EpollIn, ListenerKey);
        }

        var thread = new Thread(Run) { IsBackground = true, Name = $"Doorway epoll {_index}" };
        thread.UnsafeStart();
    }

    /// <summary>
    /// Closes this loop's listening socket now (an accept in flight keeps the descriptor until it
    /// returns); once the task completes, the loop finished its turn and admits no one.
    /// </summary>
    public Task CloseListenerAsync()
    {
        _listener?.Dispose();
        Volatile.Write(ref _closeListener, 1);
        Wake();
        return _listenerClosed.Task;
    }

    /// <summary>Ends the loop's thread (after its door's connections closed) and frees its epoll set.</summary>
    public Task StopAsync()
    {
        Volatile.Write(ref _stop, 1);
        Wake();
        return _stopped.Task;
    }

    /// <summary>For a loop whose thread never started (a later listener failed to bind): its listener and epoll set are closed here.</summary>
    public void DisposeUnstarted()
    {
        CloseListener();
        EpollInterop.close(_wake);
        EpollInterop.close(_epoll);
    }

    /// <summary>Adds a connection to the epoll set, edge-triggered for reading and writing: one epoll_ctl per connection, none per message.</summary>
    public ulong Register(IEpollReady connection, int fd)
    {
        ulong key;
        lock (_slotsGate)
        {
            int slot;
            if (!_freeSlots.TryPop(out slot))
            {
                if (_usedSlots == _slots.Length)
                {
                    Array.Resize(ref _slots, _slots.Length * 2);
                    Array.Resize(ref _generations, _generations.Length * 2);
                }

                slot = _usedSlots++;
            }

            _slots[slot] = connection;
            key = ((ulong)_generations[slot] << 32) | (uint)slot;
        }

        const uint events = EpollInterop.EpollIn | EpollInterop.EpollPri | EpollInterop.EpollOut | EpollInterop.EpollRdHup | EpollInterop.EpollEdgeTriggered;
        if (!TryControl(EpollInterop.EpollCtlAdd, fd, events, key, out int errno))
        {
            Unregister(key);
            throw EpollInterop.Error(errno);
        }

        return key;
    }

    /// <summary>
    /// From now on the events of <paramref name="key"/>'s socket go to <paramref name="next"/> (any
    /// thread). An event the loop already looked up in this turn may still reach the old handler.
    /// </summary>
    public void Replace(ulong key, IEpollReady next)
    {
        int slot = (int)(uint)key;
        lock (_slotsGate)
        {
            if (_generations[slot] != (uint)(key >> 32) || _slots[slot] is null)
            {
                throw new InvalidOperationException("the socket is no longer registered");
            }

            _slots[slot] = next;
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the loop's thread (any thread may post): soon, in its
    /// turn, or when the loop stops at the latest. Once the loop's thread has ended (a stop, or
    /// epoll failing), the caller runs it, so an abort or a close is never lost. An exception it
    /// throws is logged.
    /// </summary>
    public void Post(Action action)
    {
        lock (_postGate)
        {
            _posted.Enqueue(action);
            if (_exited)
            {
                RunPosted();
            }
            else
            {
                Wake();
            }
        }
    }

    /// <summary>Forgets a connection (any thread): an event for it still in a batch finds a newer generation and is dropped.</summary>
    public void Unregister(ulong key)
    {
        int slot = (int)(uint)key;
        lock (_slotsGate)
        {
            if (_generations[slot] == (uint)(key >> 32) && _slots[slot] is not null)
            {
                _slots[slot] = null;
                _generations[slot]++;
                _freeSlots.Push(slot);
            }
        }
    }

    private void Run()
    {
        LoopThread.Enter();
        byte* events = (byte*)NativeMemory.Alloc((nuint)(EpollInterop.EventSize * MaxEvents));
        var ready = new IEpollReady?[MaxEvents];
        var readyEvents = new uint[MaxEvents];
        try
        {
            while (Volatile.Read(ref _stop) == 0)
            {
                int count = EpollInterop.epoll_wait(_epoll, events, MaxEvents, -1);
                if (count < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EpollInterop.EINTR)
                    {
                        continue;
                    }

                    EpollLog.LoopFailed(_logger, _index, errno);
                    return;
                }

                var (accept, woken) = Turn(events, count, ready, readyEvents);
                if (woken)
                {
                    long value;
                    _ = EpollInterop.read(_wake, &value, sizeof(long));
                    if (Volatile.Read(ref _closeListener) == 1)
                    {
                        CloseListener();
                    }

                    RunPosted();
                }

                if (accept)
                {
                    Accept();
                }
            }
        }
        finally
        {
            // What was posted before the stop still runs (a connection's close); what is posted
            // after it runs on the poster's thread, and no wake is written to a closed eventfd.
            lock (_postGate)
            {
                _exited = true;
                RunPosted();
            }

            NativeMemory.Free(events);
            CloseListener();
            EpollInterop.close(_wake);
            EpollInterop.close(_epoll);
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// One turn's events: every socket looked up under one lock, then served outside it. A method
    /// of its own, so no connection it served stays referenced from the loop's frame (a closed
    /// connection must be collectable) and so it is compiled like any method, not as the long
    /// loop's on-stack replacement.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private (bool Accept, bool Woken) Turn(byte* events, int count, IEpollReady?[] ready, uint[] readyEvents)
    {
        int stride = EpollInterop.EventSize;
        int dataOffset = EpollInterop.EventDataOffset;
        // Look every socket up first, under one lock, then serve them: handlers run outside the lock.
        int sockets = 0;
        bool accept = false;
        bool woken = false;
        lock (_slotsGate)
        {
            for (int i = 0; i < count; i++)
            {
                byte* e = events + (i * stride);
                ulong key = *(ulong*)(e + dataOffset);
                if (key == WakeKey)
                {
                    woken = true;
                }
                else if (key == ListenerKey)
                {
                    accept = true;
                }
                else
                {
                    int slot = (int)(uint)key;
                    if (slot < _usedSlots && _generations[slot] == (uint)(key >> 32) && _slots[slot] is { } connection)
                    {
                        ready[sockets] = connection;
                        readyEvents[sockets] = *(uint*)e;
                        sockets++;
                    }
                }
            }
        }

        for (int i = 0; i < sockets; i++)
        {
            try
            {
                ready[i]!.OnEvents(readyEvents[i]);
            }
            catch (Exception e)
            {
                EpollLog.EventFailed(_logger, e, _index);
            }

            ready[i] = null;
        }

        return (accept, woken);
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out var action))
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                EpollLog.EventFailed(_logger, e, _index);
            }
        }
    }

    private void Accept()
    {
        byte* address = stackalloc byte[SocketAddresses.MaxLength];
        byte* local = stackalloc byte[SocketAddresses.MaxLength];
        for (int i = 0; i < AcceptsPerTurn && Volatile.Read(ref _closeListener) == 0; i++)
        {
            uint length = SocketAddresses.MaxLength;
            int fd;
            int errno = 0;
            bool held = false;
            try
            {
                _listener!.DangerousAddRef(ref held);
                fd = EpollInterop.accept4(_listener.Fd, address, &length, EpollInterop.NonBlocking | EpollInterop.CloseOnExec);
                if (fd < 0)
                {
                    errno = Marshal.GetLastPInvokeError();
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            finally
            {
                if (held)
                {
                    _listener!.DangerousRelease();
                }
            }

            if (fd < 0)
            {
                switch (errno)
                {
                    case EpollInterop.EAGAIN:
                        return;
                    case EpollInterop.EINTR:
                    case EpollInterop.ECONNABORTED:
                        // A connection reset while still in the backlog: try the next one.
                        continue;
                    case EpollInterop.EMFILE:
                    case EpollInterop.ENFILE:
                    case EpollInterop.ENOBUFS:
                    case EpollInterop.ENOMEM:
                        TransportLog.AcceptFailed(_logger, EpollInterop.ToSocketError(errno).ToString());
                        BackOff();
                        return;
                    default:
                        TransportLog.AcceptFailed(_logger, EpollInterop.ToSocketError(errno).ToString());
                        return;
                }
            }

            _backOff = TimeSpan.Zero;
            var descriptor = new SocketDescriptor(fd);
            try
            {
                var remote = Connection.Normalize(SocketAddresses.Read(address, length));
                uint localLength = SocketAddresses.MaxLength;
                var localEndPoint = EpollInterop.getsockname(fd, local, &localLength) == 0
                    ? Connection.Normalize(SocketAddresses.Read(local, localLength))
                    : new IPEndPoint(IPAddress.None, 0);
                int one = 1;
                _ = EpollInterop.setsockopt(fd, EpollInterop.IpProtoTcp, EpollInterop.TcpNoDelay, &one, sizeof(int));
                _admit!(new AcceptedSocket(descriptor, this, localEndPoint, remote));
            }
            catch (Exception e)
            {
                // A socket that fails while being admitted: close it, say so, and go on accepting.
                TransportLog.AdmissionFailed(_logger, e, new IPEndPoint(IPAddress.None, 0));
                descriptor.Dispose();
            }
        }
    }

    /// <summary>Out of descriptors or buffers: stop watching the listener for 50 ms doubling to 5 s (as the managed door), then again.</summary>
    private void BackOff()
    {
        _backOff = _backOff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromTicks(Math.Min(_backOff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        TryControl(EpollInterop.EpollCtlDel, _listener!.Fd, 0, 0, out _);
        _backOffTimer ??= new Timer(static state => ((EpollLoop)state!).ListenAgain(), this, Timeout.Infinite, Timeout.Infinite);
        _backOffTimer.Change(_backOff, Timeout.InfiniteTimeSpan);
    }

    private void ListenAgain()
    {
        bool held = false;
        try
        {
            _listener!.DangerousAddRef(ref held);
            TryControl(EpollInterop.EpollCtlAdd, _listener.Fd, EpollInterop.EpollIn, ListenerKey, out _);
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile: the door is stopping.
        }
        finally
        {
            if (held)
            {
                _listener!.DangerousRelease();
            }
        }
    }

    /// <summary>On the loop's thread (or for a loop never started): the listener is closed and the loop admits no one from now on.</summary>
    private void CloseListener()
    {
        Volatile.Write(ref _closeListener, 1);
        _listener?.Dispose();
        _backOffTimer?.Dispose();
        _listenerClosed.TrySetResult();
    }

    private void Wake()
    {
        long one = 1;
        _ = EpollInterop.write(_wake, &one, sizeof(long));
    }

    private void Control(int operation, int fd, uint events, ulong key)
    {
        if (!TryControl(operation, fd, events, key, out int errno))
        {
            throw EpollInterop.Error(errno);
        }
    }

    private bool TryControl(int operation, int fd, uint events, ulong key, out int errno)
    {
        byte* e = stackalloc byte[16];
        EpollInterop.WriteEvent(e, events, key);
        if (EpollInterop.epoll_ctl(_epoll, operation, fd, e) == 0)
        {
            errno = 0;
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return false;
    }
}

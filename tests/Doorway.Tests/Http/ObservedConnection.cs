using Doorway.Transport;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Tests.Http;

/// <summary>
/// An in-memory connection that tells the test what the protocol does with it: how many sends,
/// and each time it waits for the client (idle), what <see cref="OnWait"/> said then.
/// </summary>
internal sealed class ObservedConnection : Connection
{
    private readonly InMemoryConnection _inner;
    private readonly SemaphoreSlim _waits = new(0);
    private int _sends;

    public ObservedConnection()
        : this(new InMemoryConnection())
    {
    }

    private ObservedConnection(InMemoryConnection inner)
        : base(inner.Info)
    {
        _inner = inner;
    }

    public InMemoryPeer Peer => _inner.Peer;

    public InMemoryConnection Inner => _inner;

    public int Sends => Volatile.Read(ref _sends);

    /// <summary>Asked each time the protocol starts waiting for the client; the answers are kept in <see cref="AtWaits"/>.</summary>
    public Func<int>? OnWait { get; set; }

    public List<int> AtWaits { get; } = [];

    public override int Available => _inner.Available;

    /// <summary>Completes once the protocol has begun a wait for the client it was not awaited for yet (each wait counts once).</summary>
    public Task WaitingAsync() => _waits.WaitAsync();

    public override ValueTask WaitForDataAsync(CancellationToken cancellationToken = default)
    {
        if (OnWait is { } probe)
        {
            lock (AtWaits)
            {
                AtWaits.Add(probe());
            }
        }

        _waits.Release();
        return _inner.WaitForDataAsync(cancellationToken);
    }

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReceiveAsync(buffer, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _sends);
        return _inner.SendAsync(buffer, cancellationToken);
    }

    public override Task SendFileAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _sends);
        return base.SendFileAsync(file, offset, count, cancellationToken);
    }

    public override void ShutdownSend() => _inner.ShutdownSend();

    public override void Abort() => _inner.Abort();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _waits.Dispose();
        }
    }
}

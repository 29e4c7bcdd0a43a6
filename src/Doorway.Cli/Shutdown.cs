using System.Runtime.InteropServices;

namespace Doorway.Cli;

/// <summary>
/// Turns Ctrl-C and SIGTERM into cancellation tokens, instead of killing the process: the first
/// signal asks for a stop (<see cref="Token"/>; serve drains), a second one for a stop at once
/// (<see cref="Now"/>), so a drain that takes too long can still be cut short from the keyboard.
/// </summary>
internal sealed class Shutdown : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly CancellationTokenSource _now = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private int _signals;

    public Shutdown()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled by the first Ctrl-C or SIGTERM.</summary>
    public CancellationToken Token => _requested.Token;

    /// <summary>Cancelled by the second.</summary>
    public CancellationToken Now => _now.Token;

    public bool Requested => _requested.IsCancellationRequested;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _requested.Cancel();
        }
        else
        {
            _now.Cancel();
        }
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _requested.Dispose();
        _now.Dispose();
    }
}

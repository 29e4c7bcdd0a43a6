using System.Runtime.InteropServices;

namespace Doorway.Cli;

/// <summary>Turns Ctrl-C and SIGTERM into a cancellation token, instead of killing the process.</summary>
internal sealed class Shutdown : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public Shutdown()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _requested.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _requested.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _requested.Dispose();
    }
}

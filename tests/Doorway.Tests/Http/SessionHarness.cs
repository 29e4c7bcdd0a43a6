using System.Text;
using Doorway.Http;
using Doorway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Http;

/// <summary>One <see cref="Http1Session"/> over an in-memory connection, no sockets: the test plays the client.</summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public SessionHarness(IHttpResponder responder, HttpLimits? limits = null)
    {
        Connection = new ObservedConnection();
        Handler = new Http1ConnectionHandler(responder, limits ?? HttpLimits.Default, NullLogger.Instance);
        Session = new Http1Session(Handler, Connection, _stop.Token);
        Connection.OnWait = () => Session.BuffersHeld;
        Reader = new PeerReader(Connection.Peer);
        Run = Task.Run(Session.RunAsync);
    }

    public ObservedConnection Connection { get; }

    public Http1ConnectionHandler Handler { get; }

    public Http1Session Session { get; }

    public PeerReader Reader { get; }

    /// <summary>The session's run; it ends when the connection does.</summary>
    public Task Run { get; }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public Task SendAsync(byte[] bytes) => Connection.Peer.SendAsync(bytes).AsTask().WithDeadline();

    public Task<TestResponse> ReadResponseAsync(bool head = false) => Reader.ReadResponseAsync(head, Deadline.Token()).WithDeadline();

    /// <summary>Everything until the server half-closes (after a Connection: close).</summary>
    public Task<byte[]> ReadToEndAsync() => Reader.ReadToEndAsync(Deadline.Token()).WithDeadline();

    /// <summary>The client's half-close; the session's lingering close then ends.</summary>
    public void ShutdownSend() => Connection.Peer.ShutdownSend();

    public void Stop() => _stop.Cancel();

    /// <summary>Waits until the session has answered and waits for the client again.</summary>
    public Task IdleAsync() => Connection.WaitingAsync().WithDeadline();

    public async ValueTask DisposeAsync()
    {
        try
        {
            Connection.Peer.ShutdownSend();
        }
        catch (InvalidOperationException)
        {
            // Already half-closed by the test.
        }

        await Run.WithDeadline();
        Session.Dispose();
        Connection.Dispose();
        _stop.Dispose();
    }
}

using System.Net;
using Doorway.Reply;
using Doorway.Tests.Udp;
using Doorway.Transport;

namespace Doorway.Tests.Reply;

/// <summary>A reply door opened in the test process through the same setup as <c>serve</c>, on loopback port 0, with its log recorded.</summary>
internal sealed class ReplyTestDoor : IAsyncDisposable
{
    private ReplyTestDoor(WelcomeDoor door, RecordingLogger log)
    {
        Door = door;
        Log = log;
    }

    public WelcomeDoor Door { get; }

    public RecordingLogger Log { get; }

    public IPEndPoint EndPoint => Door.LocalEndPoint;

    /// <summary>Bytes the door's connections received from the network, open and closed.</summary>
    public long BytesReceived => ((IConnectionSource)Door).BytesReceived;

    public static ReplyTestDoor Open(ReplyOptions? options = null, WelcomeDoorOptions? door = null, IPAddress? address = null, House? house = null)
    {
        var log = new RecordingLogger();
        var welcome = ReplyDoor.Bind((door ?? WelcomeDoorOptions.Default) with
        {
            EndPoint = new IPEndPoint(address ?? IPAddress.Loopback, 0),
        }, options ?? ReplyOptions.Default, log, house);
        welcome.Start();
        return new ReplyTestDoor(welcome, log);
    }

    /// <summary>The seed-shaped lines (events 600–604) logged so far.</summary>
    public IReadOnlyList<string> Said => [.. Log.Events.Where(e => e.Id.Id is >= 600 and <= 604).Select(e => e.Message)];

    /// <summary>Waits until <paramref name="count"/> lines of event <paramref name="id"/> are logged and returns them.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(int id, int count = 1)
    {
        await Support.Deadline.UntilAsync(() => Log.Messages(id).Count >= count, $"{count} log lines of event {id}");
        return Log.Messages(id);
    }

    public ValueTask DisposeAsync() => Door.DisposeAsync();
}

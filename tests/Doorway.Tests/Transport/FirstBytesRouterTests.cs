using System.Text;
using Doorway.Transport;

namespace Doorway.Tests.Transport;

/// <summary>The sniffer and the replaying connection, over an in-memory connection: no sockets.</summary>
public sealed class FirstBytesRouterTests
{
    // Branch 0 when the bytes start "HELLO", 1 for anything else, -1 while fewer than 5 bytes came.
    private static int Classify(ReadOnlySpan<byte> first, bool mustDecide, bool quiet)
    {
        if (first.Length < 5 && !mustDecide)
        {
            return "HELLO"u8.StartsWith(first) ? -1 : 1;
        }

        return first.StartsWith("HELLO"u8) ? 0 : first.IsEmpty ? -1 : 1;
    }

    private static ConnectionDelegate Echo(string tag) => async (connection, _) =>
    {
        byte[] buffer = new byte[3]; // small on purpose: the replay must work across several reads
        var all = new MemoryStream();
        int n;
        while ((n = await connection.ReceiveAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        await connection.SendAsync(Encoding.ASCII.GetBytes($"{tag}:{Encoding.ASCII.GetString(all.ToArray())}"));
        connection.ShutdownSend();
    };

    private static async Task<string> RunAsync(params string[] pieces)
    {
        var router = FirstBytesRouter.Create(Classify, [Echo("greeting"), Echo("other")], maxBytes: 64, TimeSpan.FromSeconds(5));
        var connection = new InMemoryConnection();
        var serving = router(connection, CancellationToken.None);
        foreach (string piece in pieces)
        {
            await connection.Peer.SendAsync(Encoding.ASCII.GetBytes(piece));
        }

        connection.Peer.ShutdownSend();
        string reply = Encoding.ASCII.GetString(await connection.Peer.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        return reply;
    }

    [Fact]
    public async Task The_chosen_branch_reads_every_byte_the_sniffer_read_first_then_the_rest()
    {
        Assert.Equal("greeting:HELLO there, and more", await RunAsync("HELLO there", ", and more"));
        Assert.Equal("other:GET / HTTP/1.1", await RunAsync("GET / HTTP/1.1"));
    }

    [Fact]
    public async Task First_bytes_cut_into_pieces_are_joined_before_the_choice()
    {
        Assert.Equal("greeting:HELLO!", await RunAsync("HE", "L", "LO!"));
        Assert.Equal("other:HELP", await RunAsync("HE", "LP"));
    }

    [Fact]
    public async Task End_of_stream_before_a_decision_lets_the_classifier_decide_on_what_came()
    {
        Assert.Equal("other:HEL", await RunAsync("HEL"));
    }

    [Fact]
    public async Task A_classifier_may_decide_when_no_more_bytes_are_waiting()
    {
        // The book's client sends its name and waits: only "quiet" tells the sniffer it came whole.
        var router = FirstBytesRouter.Create((first, mustDecide, quiet) => quiet ? 1 : -1, [Echo("greeting"), Echo("other")], 64, TimeSpan.FromSeconds(30));
        var connection = new InMemoryConnection();
        var serving = router(connection, CancellationToken.None);
        await connection.Peer.SendAsync("hello.txt"u8.ToArray());
        // Not closed: the branch was chosen on the quiet alone, and it reads the rest.
        await connection.Peer.SendAsync(" and more"u8.ToArray());
        connection.Peer.ShutdownSend();
        Assert.Equal("other:hello.txt and more", Encoding.ASCII.GetString(await connection.Peer.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10))));
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task At_the_timeout_the_classifier_decides_on_what_came()
    {
        int calls = 0;
        var router = FirstBytesRouter.Create((first, mustDecide, quiet) =>
        {
            calls++;
            return mustDecide ? 1 : -1;
        }, [Echo("greeting"), Echo("other")], 64, TimeSpan.FromMilliseconds(50));
        var connection = new InMemoryConnection();
        var serving = router(connection, CancellationToken.None);
        await connection.Peer.SendAsync("HE"u8.ToArray());
        // The door's heartbeat, played by the test, until the sniffer's clock runs out.
        var policy = new TimeoutPolicy(IdleMs: 0, MinBytesPerSecond: 0, GraceMs: 0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (connection.Timeouts.Expired != TimeoutReason.RequestHead && DateTime.UtcNow < deadline)
        {
            connection.Timeouts.Check(Environment.TickCount64, policy);
            await Task.Delay(10);
        }

        connection.Peer.ShutdownSend();
        Assert.Equal("other:HE", Encoding.ASCII.GetString(await connection.Peer.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10))));
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_peer_that_says_nothing_and_closes_reaches_no_branch()
    {
        var reached = false;
        var router = FirstBytesRouter.Create((_, _, _) => { reached = true; return -1; }, [Echo("x")], 64, TimeSpan.FromSeconds(5));
        var connection = new InMemoryConnection();
        connection.Peer.ShutdownSend();
        await router(connection, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(reached);
    }

    [Fact]
    public async Task The_replaying_connection_reports_its_bytes_as_available_and_then_the_end()
    {
        var inner = new InMemoryConnection();
        inner.Peer.ShutdownSend();
        byte[] prefix = System.Buffers.ArrayPool<byte>.Shared.Rent(8);
        "abcdef"u8.CopyTo(prefix);
        using var replay = new PrefixConnection(inner, prefix, 6, endOfStream: true);
        Assert.Equal(6, replay.Available);
        Assert.Same(inner.Info, replay.Info);
        byte[] buffer = new byte[4];
        Assert.Equal(4, await replay.ReceiveAsync(buffer));
        Assert.Equal(2, replay.Available);
        Assert.Equal(2, await replay.ReceiveAsync(buffer));
        Assert.Equal(0, await replay.ReceiveAsync(buffer));
    }
}

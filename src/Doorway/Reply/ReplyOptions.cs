namespace Doorway.Reply;

/// <summary>How the reply door (seed 004's "thanks" server, issue 15) reads a client's message and answers it.</summary>
public sealed record ReplyOptions
{
    public static ReplyOptions Default { get; } = new();

    /// <summary>
    /// The most a read limit may be: the kept bytes are one connection's buffer and one log line,
    /// so 64 KiB bounds both (10,000 connections at once would hold at most 640 MiB).
    /// </summary>
    public const int MaxReadLimit = 64 * 1024;

    /// <summary>The answer every client gets, sent as UTF-8 with nothing added: the seed sends "thanks" with no newline.</summary>
    public string Text { get; init; } = "thanks";

    /// <summary>The most bytes of a message kept and logged; the seed reads with recv(1024). More is ignored.</summary>
    public int ReadLimit { get; init; } = 1024;

    /// <summary>
    /// A quiet gap after the client's last byte that ends its message, for clients that send no
    /// newline and never half-close (the seed's and the book's). A message written in two sends
    /// can arrive in two segments, the second held back by the client's Nagle algorithm until the
    /// first is acknowledged; this server's delayed ACK waits at most 200 ms for that (Linux's
    /// TCP_DELACK_MAX; RFC 1122 §4.2.3.2). A quarter second covers it plus a LAN round trip and
    /// still answers the seed's client well within a second.
    /// </summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Time from the connection's start to the end of its message: a client that sends nothing (or
    /// dribbles bytes closer together than the pause) is answered with what has arrived by then.
    /// 10 s, as the file door's request timeout.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws when a setting cannot make a door.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Text);
        if (ReadLimit is < 1 or > MaxReadLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(ReadLimit), ReadLimit, $"the read limit must be from 1 to {MaxReadLimit} bytes");
        }

        if (Pause <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Pause), Pause, "the pause must be positive");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "the request timeout must be positive");
        }
    }
}

namespace Doorway.Bench;

/// <summary>
/// What one connection counted. Only its own loop writes it, so counting needs no locks; the
/// progress reporter reads <see cref="Messages"/> while the loop runs (a 64-bit read is atomic).
/// </summary>
internal sealed class ConnectionStats
{
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Replies completed while measuring.</summary>
    public long Messages;

    /// <summary>Reply payload bytes completed while measuring.</summary>
    public long Bytes;

    /// <summary>Socket errors, closed connections, unanswered messages; whole run.</summary>
    public long Errors;

    /// <summary>Replies that were not what the server should have answered; whole run.</summary>
    public long Mismatches;

    /// <summary>UDP datagrams with no reply within the loss timeout, while measuring.</summary>
    public long Lost;

    /// <summary>UDP replies that came after their datagram was counted lost.</summary>
    public long Late;

    /// <summary>The first error, in plain words, for the summary.</summary>
    public string? FirstError;

    /// <summary>Why the first mismatch was one (a status, a length), for the summary.</summary>
    public string? FirstMismatch;

    /// <summary>What a mismatch means for this kind of connection, when nothing more particular was said.</summary>
    public string MismatchMeaning { get; init; } = "a reply that is not the upper case of the message sent";

    /// <summary>Counts one completed reply: always its mismatch, and its latency and bytes while measuring.</summary>
    public void Complete(bool measuring, long latency, long bytes, bool mismatched)
    {
        if (mismatched)
        {
            Mismatches++;
            FirstMismatch ??= MismatchMeaning;
        }

        if (measuring)
        {
            Latency.Record(latency);
            Bytes += bytes;
            Volatile.Write(ref Messages, Messages + 1);
        }
    }

    public void Error(string what)
    {
        Errors++;
        FirstError ??= what;
    }
}

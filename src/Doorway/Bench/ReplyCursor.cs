namespace Doorway.Bench;

/// <summary>
/// How far a TCP bench connection's replies have come: messages completed, bytes of the next one
/// seen, and whether any of them was wrong. Every reply byte is checked against the upper case of
/// the text sent at the same place of the stream.
/// </summary>
internal struct ReplyCursor
{
    /// <summary>Replies complete so far (whole run).</summary>
    public long Completed;

    private int _partial;
    private bool _bad;

    /// <summary>
    /// Checks <paramref name="received"/>, the stream's next bytes, and counts each reply it
    /// completes (its latency from <paramref name="sentAt"/>, a ring of the send times).
    /// Returns false, with the mismatch and the error counted, when more came than was sent: the
    /// connection is given up.
    /// </summary>
    public bool Take(ReadOnlySpan<byte> received, long now, long sent, int size, int id, TextPattern pattern, long[] sentAt, ConnectionStats stats, bool measuring)
    {
        long position = (Completed * size) + _partial;
        if (position + received.Length > sent * size)
        {
            stats.Mismatches++;
            stats.FirstMismatch ??= "more reply bytes than were sent";
            stats.Error("the server sent more bytes than it was sent");
            return false;
        }

        for (int done = 0; done < received.Length;)
        {
            int take = Math.Min(size - _partial, received.Length - done);
            int offset = TextPattern.Offset(position + done, id);
            _bad |= !received.Slice(done, take).SequenceEqual(pattern.Upper.AsSpan(offset, take));
            _partial += take;
            done += take;
            if (_partial == size)
            {
                stats.Complete(measuring, now - sentAt[Completed % sentAt.Length], size, _bad);
                Completed++;
                _partial = 0;
                _bad = false;
            }
        }

        return true;
    }
}

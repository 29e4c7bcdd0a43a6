namespace Doorway.Ping;

/// <summary>What became of one datagram or one reply, as <c>doorway ping</c> prints it.</summary>
public enum PingEventKind
{
    /// <summary>The reply to a datagram, within the timeout.</summary>
    Reply,

    /// <summary>No reply within the timeout: the datagram counts as lost.</summary>
    TimedOut,

    /// <summary>A reply that came after its datagram was counted as lost.</summary>
    Late,

    /// <summary>A second reply to a datagram already answered.</summary>
    Duplicate,

    /// <summary>A reply from the server that is not the upper case of any datagram sent.</summary>
    Mismatch,
}

/// <param name="Sequence">The datagram's number, from 1; 0 when a mismatched reply names none.</param>
/// <param name="Bytes">The reply's length (0 for <see cref="PingEventKind.TimedOut"/>).</param>
/// <param name="RoundTrip">From sending the datagram to receiving this reply.</param>
public readonly record struct PingEvent(PingEventKind Kind, int Sequence, int Bytes, TimeSpan RoundTrip);

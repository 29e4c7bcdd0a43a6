namespace Doorway.Reply;

/// <summary>What ended a client's message on the reply door.</summary>
internal enum MessageEnd
{
    /// <summary>A newline (<c>echo … | nc</c>, a line-based client); the newline and a CR before it are not part of the text.</summary>
    Newline,

    /// <summary>No byte for the pause after the last one (the seed's client: no newline, no half-close).</summary>
    Pause,

    /// <summary>The client half-closed (<c>nc -N</c> at the end of its input).</summary>
    ClientEnded,

    /// <summary>The read limit was reached; anything more is ignored.</summary>
    ReadLimit,

    /// <summary>The request timeout passed first (a client that sends nothing, or too slowly).</summary>
    RequestTimeout,

    /// <summary>The door began to drain: the message ends with what has arrived.</summary>
    Stopping,
}

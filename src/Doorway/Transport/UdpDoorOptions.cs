using System.Net;

namespace Doorway.Transport;

/// <summary>Limits of one UDP door.</summary>
public sealed record UdpDoorOptions
{
    public static UdpDoorOptions Default { get; } = new();

    /// <summary>
    /// The largest UDP payload over IPv4: 65535 (IP total length) - 20 (IP header) - 8 (UDP header) (RFC 768, RFC 791).
    /// </summary>
    public const int MaxIPv4Payload = 65_507;

    /// <summary>
    /// The largest UDP payload over IPv6 without jumbograms: 65535 (payload length, header excluded) - 8 (UDP header) (RFC 8200).
    /// </summary>
    public const int MaxIPv6Payload = 65_527;

    /// <summary>Where the door receives. <c>[::]:0</c> with dual mode is "all interfaces, IPv4 and IPv6".</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.IPv6Any, 0);

    /// <summary>
    /// Receivers, each a thread blocked on the door's one socket with its own buffers; 0 (the
    /// default) is <see cref="AutomaticReceivers"/>.
    /// </summary>
    public int Receivers { get; init; }

    /// <summary>
    /// The receivers a door runs when <see cref="Receivers"/> is 0. Batched (Linux), one: it takes
    /// whatever is queued in one recvmmsg(2), and every receiver more would share the same socket's
    /// queue and its lock, which on the 2-core machine cost more than it gave (one batched receiver
    /// 1.11× the native loop at 64 clients, two 0.61×, docs/benchmarks.md). One datagram per call
    /// (elsewhere, or a batch of 1), one per core from 2 to 8, so one slow datagram (a 64 KiB one)
    /// does not hold up the others.
    /// </summary>
    public static int AutomaticReceivers(bool batched) => batched ? 1 : Math.Clamp(Environment.ProcessorCount, 2, 8);

    /// <summary>The most datagrams the batched receive loop (Linux) takes per recvmmsg(2) call.</summary>
    public const int MaxBatch = 1024;

    /// <summary>
    /// Datagrams a receiver takes from the socket in one system call: recvmmsg(2) with
    /// MSG_WAITFORONE (it waits for the first datagram only, then takes what is already queued),
    /// on Linux; their replies go out four at a time with sendmmsg(2). 1 is one recvfrom and
    /// one sendto per datagram, the path every other system takes.
    /// </summary>
    /// <remarks>
    /// A batch is answered in arrival order by its one receiver, so a slow datagram (a 64 KiB one)
    /// holds up the rest of its batch; under load that is a few microseconds per datagram against
    /// two system calls saved on each. Each receiver holds a buffer of 64 KiB per datagram of its
    /// batch (the largest datagram must fit whole), of which only the pages datagrams reach are ever
    /// touched, and at most 1 MiB of replies (or one largest reply).
    /// </remarks>
    public int Batch { get; init; } = 32;

    /// <summary>On shutdown, how long datagrams being answered may take before the door closes anyway.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The reply budget (issue 8): reply bytes per second the door may send to one source address
    /// (the IP, whatever the port), refilled continuously; 0 is unlimited. A datagram whose reply
    /// the source's budget cannot pay for is not answered.
    /// </summary>
    /// <remarks>
    /// A reply can be 3 times its datagram, so a door on the Internet is an amplifier: a datagram
    /// with a spoofed source sends 3 times its bytes to a victim. The budget caps what any one
    /// address gets from this door, asked for or not. 64 KiB/s (about 0.5 Mbit/s) is hundreds of
    /// times what a person at the book's client sends (a few lines a second, each under 1 KiB),
    /// and still lets one largest datagram a second be answered; <c>doorway bench udp</c> from
    /// another host needs it raised or off.
    /// </remarks>
    public long ReplyBytesPerSecondPerSource { get; init; } = 64 * 1024;

    /// <summary>
    /// The most reply bytes a source may spend at once: a source seen for the first time (or after
    /// a quiet spell) starts with this much. Keep it at least the largest datagram (65527 bytes):
    /// a reply larger than the burst is never sent.
    /// </summary>
    public long ReplyBurstBytesPerSource { get; init; } = 64 * 1024;

    /// <summary>
    /// Whether loopback sources (127.0.0.0/8, ::1, and IPv4-mapped 127/8) are held to the budget.
    /// Off by default: a local client cannot be spoofed from the Internet, and local benchmarks
    /// and tests want the door at full speed.
    /// </summary>
    public bool LimitLoopback { get; init; }

    /// <summary>
    /// The most sources the budget remembers at once (rounded down to a multiple of 8). The table
    /// is allocated whole on the first budgeted datagram (48 bytes a source, 3 MiB at the
    /// default) and never grows: a new source past the limit takes the place of the stalest in its
    /// set of 8, so a flood of spoofed sources costs time, not memory.
    /// </summary>
    public int ReplyBudgetSources { get; init; } = 65_536;
}

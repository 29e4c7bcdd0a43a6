namespace Doorway.Files;

/// <summary>The bounds of <see cref="DigestCache"/>'s work, with the defaults the file door uses.</summary>
internal sealed record DigestCacheOptions
{
    public static DigestCacheOptions Default { get; } = new();

    /// <summary>File versions whose SHA-256 is remembered; the least recently used is forgotten (--digest-cache).</summary>
    public int Capacity { get; init; } = 1024;

    /// <summary>
    /// Bytes hashed per second, all files together: a token bucket every read waits on. 1 GiB/s
    /// is about one core's SHA-256 with SHA-NI, so the default stops only a storm of new versions
    /// from taking the machine (issue 8); a lower value leaves the disk to the downloads.
    /// </summary>
    public long HashBytesPerSecond { get; init; } = 1L << 30;

    /// <summary>
    /// How long a file (device, inode) that changed while it was hashed is not hashed again;
    /// requests for it get no digest meanwhile. A file rewritten all the time (a log) is then
    /// hashed once per cooldown, not once per request.
    /// </summary>
    public TimeSpan ChangedCooldown { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock of the budget and the cooldown (tests give their own).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

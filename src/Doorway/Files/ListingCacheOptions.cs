namespace Doorway.Files;

/// <summary>The bounds of <see cref="ListingCache"/>, with the defaults the file door uses.</summary>
internal sealed record ListingCacheOptions
{
    public static ListingCacheOptions Default { get; } = new();

    /// <summary>Rendered pages kept, least recently used forgotten first.</summary>
    public int Capacity { get; init; } = 64;

    /// <summary>
    /// Bytes of rendered pages kept, all together: a full page of 10,000 rows is about 4.5 MB, so
    /// 64 of them would be 300 MB; this bounds the cache by memory as well as by count.
    /// </summary>
    public long MaxBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Rows per page; more entries are counted, not kept.</summary>
    public int MaxEntries { get; init; } = DirectoryListing.MaxEntries;

    /// <summary>
    /// How long a page is reused for its directory version. A directory's mtime and ctime move when
    /// entries are added, removed or renamed, but not when a listed file grows, and the kernel's
    /// coarse clock can give two changes within one tick the same time; this bounds how stale a
    /// size, a date or a just-added name can be.
    /// </summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The clock of <see cref="MaxAge"/> (tests give their own).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

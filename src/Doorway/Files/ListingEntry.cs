namespace Doorway.Files;

/// <summary>One row of a directory listing: what serving the name would find (a symlink's target, not the link).</summary>
internal readonly record struct ListingEntry(string Name, bool IsDirectory, long Size, DateTime ModifiedUtc);

namespace Doorway.Files;

/// <summary>
/// A rendered directory listing: the HTML (UTF-8, owned by <see cref="ListingCache"/> and shared by
/// every request for the same directory version, so never written to) and what it left out.
/// </summary>
/// <param name="Entries">Rows shown (at most the listing's MaxEntries).</param>
/// <param name="NotShown">
/// Entries past MaxEntries, counted but not kept. They are judged by name and type alone (no statx,
/// no symlink followed), so that a huge directory costs one pass of getdents and no more; a link
/// out of the root past the limit is counted though it would not be listed.
/// </param>
/// <param name="Unservable">Entries whose names no client could ask for (control characters), counted and not shown.</param>
internal sealed record ListingPage(ReadOnlyMemory<byte> Content, int Entries, int NotShown, int Unservable);

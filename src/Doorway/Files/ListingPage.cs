namespace Doorway.Files;

/// <summary>
/// A rendered directory listing: the HTML (UTF-8, owned by <see cref="ListingCache"/> and shared by
/// every request for the same directory version, so never written to) and what it left out.
/// </summary>
/// <param name="Entries">Rows shown (at most the listing's MaxEntries).</param>
/// <param name="NotShown">Servable entries past MaxEntries, counted but not kept.</param>
/// <param name="Unservable">Entries whose names no client could ask for (not UTF-8, control characters, %XX…), counted and not shown.</param>
internal sealed record ListingPage(ReadOnlyMemory<byte> Content, int Entries, int NotShown, int Unservable);

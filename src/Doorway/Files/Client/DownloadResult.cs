namespace Doorway.Files.Client;

/// <param name="Bytes">Size of the saved file.</param>
/// <param name="ResumedAt">Bytes that were already in the .part (0 for a fresh download).</param>
/// <param name="Verified">Whether the server's Repr-Digest was there and matched.</param>
public sealed record DownloadResult(string Path, long Bytes, long ResumedAt, bool Verified);

namespace Doorway.Files.Client;

/// <summary>What a download reports as it goes, for a progress display.</summary>
public interface IDownloadProgress
{
    /// <summary>The transfer began: <paramref name="total"/> bytes in all (null if unknown), <paramref name="resumedAt"/> already here.</summary>
    void Started(long? total, long resumedAt);

    /// <summary>The bytes received so far, counting those resumed from.</summary>
    void Advanced(long received);
}

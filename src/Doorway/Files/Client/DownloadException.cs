namespace Doorway.Files.Client;

/// <summary>A download failed in a way the user is told in one line (not found, cut off, mismatched).</summary>
public sealed class DownloadException : Exception
{
    public DownloadException(string message)
        : base(message)
    {
    }

    public DownloadException()
    {
    }

    public DownloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

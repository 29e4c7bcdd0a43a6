namespace Doorway.Tests.Files;

/// <summary>
/// A temporary directory in tmpfs where there is one (/dev/shm), for tests that make thousands of
/// entries: creates that take seconds on a busy disk take milliseconds in memory.
/// </summary>
internal sealed class MemoryDirectory : IDisposable
{
    public MemoryDirectory()
    {
        string parent = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        Path = System.IO.Path.Combine(parent, "doorway-files-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

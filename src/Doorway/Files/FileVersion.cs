using Doorway.Http;

namespace Doorway.Files;

/// <summary>A file's version as HTTP validators see it: its length and modification time (whole seconds for Last-Modified).</summary>
internal readonly record struct FileVersion(long Length, DateTime Modified)
{
    public DateTimeOffset LastModified => HttpDate.Truncate(new DateTimeOffset(Modified, TimeSpan.Zero));
}

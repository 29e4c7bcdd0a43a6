using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Files;

/// <summary>
/// A file or directory under the root, opened once by <see cref="FileRoot.Open"/>, with what
/// one statx(2) on its descriptor told. Everything after the open uses the descriptor (pread,
/// sendfile, hashing a duplicate, getdents), never the name again, so a name swapped after the
/// open cannot change what is served (issue 8).
/// </summary>
internal sealed class OpenedFile : IDisposable
{
    private FileStream? _stream;

    internal OpenedFile(SafeFileHandle handle, in StatxBuffer status)
    {
        Handle = handle;
        IsDirectory = status.IsDirectory;
        Length = status.Length;
        ModifiedUtc = status.ModifiedUtc;
        ModifiedNanoseconds = status.ModifiedTotalNanoseconds;
        Version = status.Version;
    }

    /// <summary>
    /// The descriptor (O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_NOCTTY): for pread with
    /// <see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>. Owned by this object.
    /// </summary>
    public SafeFileHandle Handle { get; }

    public bool IsDirectory { get; }

    /// <summary>Size in bytes when opened.</summary>
    public long Length { get; }

    /// <summary>Modification time when opened, to DateTime's 100 ns (what the ETag and Last-Modified use).</summary>
    public DateTime ModifiedUtc { get; }

    /// <summary>Modification time when opened, in nanoseconds since the Unix epoch.</summary>
    public long ModifiedNanoseconds { get; }

    /// <summary>Which version of which file this is: the key of digests and listing pages.</summary>
    public FileVersion Version { get; }

    /// <summary>
    /// A FileStream over the same descriptor, for <see cref="System.Net.Sockets.SendPacketsElement"/>
    /// (sendfile(2) on Linux). Made on first use; owned by this object: do not dispose it.
    /// </summary>
    /// <remarks>
    /// SendPacketsElement takes only a stream "opened for asynchronous I/O" (a rule from Windows'
    /// overlapped TransmitPackets; on Linux the socket engine calls sendfile on the descriptor and
    /// never looks), and FileStream(handle, isAsync: true) demands that the handle says IsAsync.
    /// .NET 10 sets that only in its own File.OpenHandle(FileOptions.Asynchronous); newer runtimes
    /// read it from O_NONBLOCK, which this descriptor has. So the flag is read first and set through
    /// its private setter only where the runtime did not find it; reopening /proc/self/fd/N with
    /// FileOptions.Asynchronous instead would cost an open, an fstat and an flock per download.
    /// </remarks>
    public FileStream Stream
    {
        get
        {
            ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
            if (IsDirectory)
            {
                throw new InvalidOperationException("a directory has no stream to send");
            }

            if (_stream is null)
            {
                if (!Handle.IsAsync)
                {
                    SetIsAsync(Handle, true);
                }

                _stream = new FileStream(Handle, FileAccess.Read, bufferSize: 0, isAsync: true);
            }

            return _stream;
        }
    }

    /// <summary>
    /// A second descriptor for the same open file (fcntl F_DUPFD_CLOEXEC), for work that outlives
    /// the request, like hashing: it stays valid after this object is disposed. The caller owns it.
    /// </summary>
    public SafeFileHandle Duplicate()
    {
        int fd = NativeFile.Duplicate(Handle, out int errno);
        if (fd < 0)
        {
            throw new IOException($"cannot duplicate a file descriptor: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    public void Dispose()
    {
        // The stream, if made, shares the handle: disposing it closes the descriptor once.
        _stream?.Dispose();
        Handle.Dispose();
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_IsAsync")]
    private static extern void SetIsAsync(SafeFileHandle handle, bool value);
}

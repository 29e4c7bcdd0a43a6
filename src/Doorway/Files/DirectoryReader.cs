using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Files;

/// <summary>
/// The entries of an open directory, read with getdents64(2) on its descriptor: raw name bytes
/// (a name on disk need not be UTF-8, and .NET's enumeration would hand it over already
/// replaced, so a link to it could not be written), d_type, and no second open by path (so a
/// directory swapped for a symlink after the open cannot redirect the listing). Memory is one
/// pooled buffer, whatever the directory's size.
/// </summary>
internal sealed class DirectoryReader : IDisposable
{
    // d_type values of linux_dirent64 (getdents64(2), readdir(3)).
    public const byte Unknown = 0;
    public const byte Fifo = 1;
    public const byte CharacterDevice = 2;
    public const byte Directory = 4;
    public const byte BlockDevice = 6;
    public const byte RegularFile = 8;
    public const byte SymbolicLink = 10;
    public const byte Socket = 12;

    // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
    private const int RecordLengthOffset = 16;
    private const int TypeOffset = 18;
    private const int NameOffset = 19;

    /// <summary>glibc's readdir reads 32 KiB at a time; the same here.</summary>
    private const int BufferBytes = 32 * 1024;

    private readonly SafeFileHandle _directory;
    private byte[]? _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferBytes);
    private int _filled;
    private int _position;

    public DirectoryReader(SafeFileHandle directory)
    {
        _directory = directory;
        // getdents64 goes on from the descriptor's offset: start from the first entry even if it was read before.
        if (!NativeFile.Rewind(directory))
        {
            throw new IOException($"cannot rewind a directory: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>The next entry other than "." and ".."; <paramref name="name"/> is valid until the next call.</summary>
    public bool TryNext(out ReadOnlySpan<byte> name, out byte type)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        while (true)
        {
            if (_position >= _filled)
            {
                int read = NativeFile.ReadEntries(_directory, _buffer, out int errno);
                if (read < 0)
                {
                    if (errno == NativeFile.Interrupted)
                    {
                        continue;
                    }

                    throw new IOException($"cannot read a directory: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
                }

                if (read == 0)
                {
                    name = default;
                    type = Unknown;
                    return false;
                }

                _filled = read;
                _position = 0;
            }

            var record = _buffer.AsSpan(_position, _filled - _position);
            int length = MemoryMarshal.Read<ushort>(record[RecordLengthOffset..]);
            type = record[TypeOffset];
            var field = record[NameOffset..length];
            name = field[..field.IndexOf((byte)0)];
            _position += length;
            if (name is not [(byte)'.'] and not [(byte)'.', (byte)'.'])
            {
                return true;
            }
        }
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}

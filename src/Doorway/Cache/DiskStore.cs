using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Doorway.Cache;

/// <summary>
/// Stored responses kept on disk as well, so they survive a restart: one file per variant,
/// written to a temporary name and renamed (a crash leaves no half file under a real name),
/// ending in the SHA-256 of all before it. A file that is truncated, corrupted or of another
/// format is discarded (deleted, logged), never served. The files together stay within
/// <see cref="CacheOptions.MaxDiskBytes"/>: the oldest written go first.
/// <para>Format: "DWC1", then fields (u32-length-prefixed bytes): key, status, request and response
/// time (ticks), vary count and each name and value, header count and each name and value,
/// content; then the 32-byte SHA-256.</para>
/// </summary>
internal sealed class DiskStore
{
    private static readonly byte[] Magic = "DWC1"u8.ToArray();

    private readonly Lock _lock = new();
    private readonly ILogger _logger;

    /// <summary>File name → its key and size, oldest written first.</summary>
    private readonly LinkedList<(string File, string Key, long Size)> _files = new();
    private readonly Dictionary<string, LinkedListNode<(string File, string Key, long Size)>> _byFile = new(StringComparer.Ordinal);
    private long _bytes;

    public DiskStore(string directory, long maxBytes, ILogger logger)
    {
        Directory = Path.GetFullPath(directory);
        MaxBytes = maxBytes;
        _logger = logger;
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public long MaxBytes { get; }

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Reads every entry at start: sound ones indexed and put in memory (newest first, as the budget allows), bad ones deleted.</summary>
    public void LoadInto(MemoryStore memory)
    {
        var found = new DirectoryInfo(Directory).GetFiles("*.entry").OrderBy(file => file.LastWriteTimeUtc).ToList();
        foreach (var stale in new DirectoryInfo(Directory).GetFiles("*.tmp"))
        {
            stale.Delete();
        }

        var loaded = new List<StoredResponse>();
        foreach (var file in found)
        {
            if (Read(file.FullName) is { } entry)
            {
                Index(file.Name, entry.Key, file.Length);
                loaded.Add(entry);
            }
        }

        long inMemory = 0;
        for (int i = loaded.Count - 1; i >= 0; i--)
        {
            if (inMemory + loaded[i].Size > memory.MaxBytes)
            {
                break;
            }

            memory.Put(loaded[i]);
            inMemory += loaded[i].Size;
        }

        CacheLog.DiskLoaded(_logger, Directory, loaded.Count, Bytes);
        Trim();
    }

    /// <summary>On a memory miss: the variants of <paramref name="key"/> on disk, put back in memory; null when none.</summary>
    public StoredResponse[]? Load(string key, MemoryStore memory)
    {
        List<string> files;
        lock (_lock)
        {
            files = _files.Where(f => f.Key == key).Select(f => f.File).ToList();
        }

        if (files.Count == 0)
        {
            return null;
        }

        foreach (var name in files)
        {
            if (Read(Path.Combine(Directory, name)) is { } entry)
            {
                memory.Put(entry);
            }
            else
            {
                Forget(name);
            }
        }

        return memory.Variants(key);
    }

    public void Save(StoredResponse entry)
    {
        string name = FileName(entry);
        string path = Path.Combine(Directory, name);
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        long size;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                void Write(ReadOnlySpan<byte> bytes)
                {
                    stream.Write(bytes);
                    hash.AppendData(bytes);
                }

                void Field(ReadOnlySpan<byte> bytes)
                {
                    Span<byte> length = stackalloc byte[4];
                    BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
                    Write(length);
                    Write(bytes);
                }

                void Number(long value)
                {
                    Span<byte> bytes = stackalloc byte[8];
                    BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
                    Write(bytes);
                }

                Write(Magic);
                Field(Encoding.UTF8.GetBytes(entry.Key));
                Number(entry.Status);
                Number(entry.RequestTime.UtcTicks);
                Number(entry.ResponseTime.UtcTicks);
                Number(entry.VaryNames.Length);
                for (int i = 0; i < entry.VaryNames.Length; i++)
                {
                    Field(Encoding.ASCII.GetBytes(entry.VaryNames[i]));
                    Number(entry.VaryValues[i] is null ? -1 : 0);
                    Field(Encoding.Latin1.GetBytes(entry.VaryValues[i] ?? ""));
                }

                Number(entry.Headers.Length);
                foreach (var line in entry.Headers)
                {
                    Field(line.Name);
                    Field(line.Value);
                }

                Number(entry.Body.Length);
                long offset = 0;
                while (offset < entry.Body.Length)
                {
                    var piece = entry.Body.Read(offset, long.MaxValue, out _, out _);
                    Write(piece.Span);
                    offset += piece.Length;
                }

                stream.Write(hash.GetHashAndReset());
                size = stream.Position;
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException e)
        {
            CacheLog.DiskEntryDiscarded(_logger, name, $"not written: {e.Message}");
            File.Delete(temporary);
            return;
        }

        Forget(name, delete: false);
        Index(name, entry.Key, size);
        Trim();
    }

    /// <summary>Deletes every variant of <paramref name="key"/> (invalidation).</summary>
    public void Remove(string key)
    {
        List<string> files;
        lock (_lock)
        {
            files = _files.Where(f => f.Key == key).Select(f => f.File).ToList();
        }

        foreach (var name in files)
        {
            Forget(name);
        }
    }

    /// <summary>The entry in <paramref name="path"/>, or null (and the file deleted) when it is not sound.</summary>
    internal StoredResponse? Read(string path)
    {
        string name = Path.GetFileName(path);
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            {
                return Discard(path, "not an entry (wrong format or truncated)");
            }

            var payload = bytes.AsSpan(0, bytes.Length - 32);
            if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            {
                return Discard(path, "checksum mismatch (corrupt or truncated)");
            }

            var reader = new EntryReader(payload[Magic.Length..].ToArray());
            string key = Encoding.UTF8.GetString(reader.Field());
            int status = (int)reader.Number();
            var requestTime = new DateTimeOffset(reader.Number(), TimeSpan.Zero);
            var responseTime = new DateTimeOffset(reader.Number(), TimeSpan.Zero);
            int varyCount = checked((int)reader.Number());
            var varyNames = new string[varyCount];
            var varyValues = new string?[varyCount];
            for (int i = 0; i < varyCount; i++)
            {
                varyNames[i] = Encoding.ASCII.GetString(reader.Field());
                bool absent = reader.Number() < 0;
                string value = Encoding.Latin1.GetString(reader.Field());
                varyValues[i] = absent ? null : value;
            }

            int headerCount = checked((int)reader.Number());
            var headers = new HeaderLine[headerCount];
            for (int i = 0; i < headerCount; i++)
            {
                headers[i] = new HeaderLine(reader.Field(), reader.Field());
            }

            long length = reader.Number();
            var content = reader.Rest();
            if (content.Length != length)
            {
                return Discard(path, "content length does not match");
            }

            return new StoredResponse(key, status, headers, BodySegments.Of(content), requestTime, responseTime, varyNames, varyValues);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            return Discard(path, e.Message);
        }
    }

    private StoredResponse? Discard(string path, string reason)
    {
        CacheLog.DiskEntryDiscarded(_logger, Path.GetFileName(path), reason);
        Forget(Path.GetFileName(path));
        return null;
    }

    private void Index(string name, string key, long size)
    {
        lock (_lock)
        {
            _byFile[name] = _files.AddLast((name, key, size));
            _bytes += size;
        }
    }

    private void Forget(string name, bool delete = true)
    {
        lock (_lock)
        {
            if (_byFile.Remove(name, out var node))
            {
                _files.Remove(node);
                _bytes -= node.Value.Size;
            }
        }

        if (delete)
        {
            try
            {
                File.Delete(Path.Combine(Directory, name));
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Deletes the oldest files until the rest fit the bound.</summary>
    private void Trim()
    {
        while (true)
        {
            string victim;
            lock (_lock)
            {
                if (_bytes <= MaxBytes || _files.First is not { } oldest)
                {
                    return;
                }

                victim = oldest.Value.File;
            }

            Forget(victim);
        }
    }

    /// <summary>One file per variant: the key and the request's values for the Vary fields, hashed.</summary>
    private static string FileName(StoredResponse entry)
    {
        var text = new StringBuilder(entry.Key);
        for (int i = 0; i < entry.VaryNames.Length; i++)
        {
            text.Append('\n').Append(entry.VaryNames[i].ToLowerInvariant()).Append(':').Append(entry.VaryValues[i] ?? "\0");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))) + ".entry";
    }

    /// <summary>Reads the fields back; a length past the end is a FormatException (a damaged file).</summary>
    private sealed class EntryReader(byte[] bytes)
    {
        private int _offset;

        public byte[] Field()
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
            return Take(checked((int)length)).ToArray();
        }

        public long Number() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public ReadOnlySpan<byte> Rest() => bytes.AsSpan(_offset);

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || _offset + count > bytes.Length)
            {
                throw new FormatException("a field runs past the end");
            }

            var span = bytes.AsSpan(_offset, count);
            _offset += count;
            return span;
        }
    }
}

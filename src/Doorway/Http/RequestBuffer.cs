using System.Buffers;
using System.Runtime.CompilerServices;
using Doorway.Transport;

namespace Doorway.Http;

/// <summary>
/// The bytes of a connection's request(s) not yet consumed, in one pooled array of fixed
/// capacity: a request can never make it grow. Returned to the pool while the connection waits.
/// <para>
/// While a request is answered its head is <see cref="Hold">held</see> in place, so the ranges a
/// parser found stay valid while the body behind it is read and consumed; a fill moves the held
/// head and the unread bytes together to the front, dropping the consumed body bytes between them.
/// </para>
/// </summary>
internal sealed class RequestBuffer : IDisposable
{
    private readonly int _capacity;
    private byte[]? _array;

    // [_start, _start + _held) is the held head; [_read, _end) the unread bytes; _read >= _start + _held.
    private int _start;
    private int _held;
    private int _read;
    private int _end;

    public RequestBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Capacity => _capacity;

    /// <summary>The bytes received and not consumed yet, after the held head if there is one.</summary>
    public Span<byte> Unread => _array is null ? [] : _array.AsSpan(_read, _end - _read);

    /// <summary><see cref="Unread"/> as memory, for a caller that awaits while it holds it.</summary>
    public Memory<byte> UnreadMemory => _array is null ? Memory<byte>.Empty : _array.AsMemory(_read, _end - _read);

    /// <summary>Bytes of <see cref="Unread"/>.</summary>
    public int Count => _end - _read;

    /// <summary>The held head (empty when none is held).</summary>
    public ReadOnlySpan<byte> Head => _array is null ? [] : _array.AsSpan(_start, _held);

    /// <summary>Whether no more bytes fit: the held head and the unread bytes fill the capacity.</summary>
    public bool IsFull => _held + Count == _capacity;

    /// <summary>Whether the pooled array is held (for the tests of what an idle connection costs).</summary>
    internal bool HoldsArray => _array is not null;

    /// <summary>
    /// Receives more bytes after the ones held; returns 0 at the client's end of stream. The first
    /// read after the connection was idle rents the array.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> FillAsync(Connection connection, CancellationToken cancellationToken)
    {
        _array ??= ArrayPool<byte>.Shared.Rent(_capacity);
        Compact();
        int received = await connection.ReceiveAsync(_array.AsMemory(_end, _capacity - _end), cancellationToken);
        _end += received;
        return received;
    }

    /// <summary>Holds the first <paramref name="headLength"/> unread bytes in place as the current request's head.</summary>
    public void Hold(int headLength)
    {
        if (_held != 0 || headLength > Count)
        {
            throw new InvalidOperationException("a head is already held, or longer than the bytes received");
        }

        _start = _read;
        _held = headLength;
        _read += headLength;
    }

    /// <summary>Lets the held head go: the request is answered. Whatever is unread belongs to the next one.</summary>
    public void ReleaseHead()
    {
        _held = 0;
        _start = _read;
        ResetIfEmpty();
    }

    /// <summary>Takes <paramref name="count"/> bytes off the front of <see cref="Unread"/>.</summary>
    public void Consume(int count)
    {
        if ((uint)count > (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _read += count;
        ResetIfEmpty();
    }

    /// <summary>Gives the array back to the pool if no bytes are held.</summary>
    public void ReleaseIfEmpty()
    {
        if (_array is not null && Count == 0 && _held == 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
            _start = _read = _end = 0;
        }
    }

    public void Dispose()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }

        _start = _held = _read = _end = 0;
    }

    private void ResetIfEmpty()
    {
        if (_held == 0 && _read == _end)
        {
            _start = _read = _end = 0;
        }
    }

    // Keeps the held head and a pipelined request's bytes at the front, so the whole capacity is there for them.
    private void Compact()
    {
        if (_start == 0 && _read == _held)
        {
            return;
        }

        var array = _array!;
        array.AsSpan(_start, _held).CopyTo(array);
        int unread = _end - _read;
        array.AsSpan(_read, unread).CopyTo(array.AsSpan(_held));
        _start = 0;
        _read = _held;
        _end = _held + unread;
    }
}

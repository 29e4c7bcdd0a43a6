using System.Buffers;
using Doorway.Transport;

namespace Doorway.Files;

/// <summary>
/// The bytes of a connection's request(s) not yet consumed, in one pooled array of fixed
/// capacity: a request can never make it grow. Returned to the pool while the connection waits.
/// </summary>
internal sealed class RequestBuffer : IDisposable
{
    private readonly int _capacity;
    private byte[]? _array;
    private int _start;
    private int _end;

    public RequestBuffer(int capacity)
    {
        _capacity = capacity;
    }

    public Span<byte> Data => _array is null ? [] : _array.AsSpan(_start, _end - _start);

    public int Count => _end - _start;

    public bool IsFull => Count == _capacity;

    /// <summary>Receives more bytes after the ones held; returns 0 at the client's end of stream.</summary>
    public async ValueTask<int> FillAsync(Connection connection, CancellationToken cancellationToken)
    {
        _array ??= ArrayPool<byte>.Shared.Rent(_capacity);
        if (_start > 0)
        {
            // Keep a pipelined request's bytes at the front, so the whole capacity is there for it.
            _array.AsSpan(_start, _end - _start).CopyTo(_array);
            _end -= _start;
            _start = 0;
        }

        int received = await connection.ReceiveAsync(_array.AsMemory(_end, _capacity - _end), cancellationToken);
        _end += received;
        return received;
    }

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Gives the array back to the pool if no bytes are held.</summary>
    public void ReleaseIfEmpty()
    {
        if (_array is not null && Count == 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
            _start = _end = 0;
        }
    }

    public void Dispose()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }
    }
}

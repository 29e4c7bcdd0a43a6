namespace Doorway.Http;

/// <summary>
/// A request's header fields as received, in order, over the bytes of its head: no copy, no
/// allocation. Names compare ASCII case-insensitively (RFC 9110 §5.1); values are trimmed of
/// surrounding whitespace (RFC 9112 §5). Valid while the request is being answered.
/// </summary>
internal readonly ref struct HttpHeaders
{
    private readonly ReadOnlySpan<byte> _head;
    private readonly ReadOnlySpan<HttpHeaderField> _fields;

    public HttpHeaders(ReadOnlySpan<byte> head, ReadOnlySpan<HttpHeaderField> fields)
    {
        _head = head;
        _fields = fields;
    }

    public int Count => _fields.Length;

    public ReadOnlySpan<byte> Name(int index) => _head.Slice(_fields[index].NameStart, _fields[index].NameLength);

    public ReadOnlySpan<byte> Value(int index) => _head.Slice(_fields[index].ValueStart, _fields[index].ValueLength);

    /// <summary>
    /// The value of the first field named <paramref name="name"/>. A field sent on several lines is
    /// a list (RFC 9110 §5.3); <see cref="CountOf"/> tells a responder that must combine them.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        foreach (var field in _fields)
        {
            if (field.NameLength == name.Length && System.Text.Ascii.EqualsIgnoreCase(_head.Slice(field.NameStart, field.NameLength), name))
            {
                value = _head.Slice(field.ValueStart, field.ValueLength);
                return true;
            }
        }

        value = default;
        return false;
    }

    public bool Contains(ReadOnlySpan<byte> name) => TryGet(name, out _);

    /// <summary>How many field lines are named <paramref name="name"/>.</summary>
    public int CountOf(ReadOnlySpan<byte> name)
    {
        int count = 0;
        foreach (var field in _fields)
        {
            if (field.NameLength == name.Length && System.Text.Ascii.EqualsIgnoreCase(_head.Slice(field.NameStart, field.NameLength), name))
            {
                count++;
            }
        }

        return count;
    }
}

using System.Buffers;

namespace Doorway.Reply;

/// <summary>
/// What the reply door read of one client: <see cref="Count"/> bytes in a pooled buffer, of which
/// the first <see cref="TextLength"/> are the message's text and the first <see cref="Consumed"/>
/// belong to the message (its text and its newline); the bytes after those are ignored.
/// </summary>
internal readonly record struct ReplyMessage(byte[]? Buffer, int TextLength, int Consumed, int Count, MessageEnd End)
{
    public ReadOnlySpan<byte> Text => Buffer.AsSpan(0, TextLength);

    /// <summary>Bytes read that are not part of the message (after its newline).</summary>
    public int Ignored => Count - Consumed;

    /// <summary>A message that ends with the bytes read so far.</summary>
    public static ReplyMessage Whole(byte[]? buffer, int count, MessageEnd end) => new(buffer, count, count, count, end);

    public void Return()
    {
        if (Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}

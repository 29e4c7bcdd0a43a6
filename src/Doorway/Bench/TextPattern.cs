using System.Text;

namespace Doorway.Bench;

/// <summary>
/// The text every connection sends, seen as an endless stream: byte i of connection c is
/// <c>Alphabet[(i + c) % Alphabet.Length]</c>. Any run of bytes of the stream is one slice of
/// <see cref="Lower"/>, and its expected reply the same slice of <see cref="Upper"/>, so sending
/// and checking copy and allocate nothing. The alphabet's length is prime, so consecutive messages
/// differ (a server that replays an old reply is caught) unless the size is a multiple of it.
/// </summary>
internal sealed class TextPattern
{
    /// <summary>Lowercase letters, and bytes the server must leave alone.</summary>
    public static ReadOnlySpan<byte> Alphabet => "abcdefghijklmnopqrstuvwxyz .,;:!?0123456789"u8;

    /// <param name="longestRun">The longest run of the stream ever sent or checked at once.</param>
    public TextPattern(int longestRun)
    {
        int length = longestRun + Alphabet.Length;
        Lower = new byte[length];
        Upper = new byte[length];
        for (int i = 0; i < length; i++)
        {
            Lower[i] = Alphabet[i % Alphabet.Length];
        }

        Ascii.ToUpper(Lower, Upper, out _);
    }

    public byte[] Lower { get; }

    public byte[] Upper { get; }

    /// <summary>Where byte <paramref name="position"/> of connection <paramref name="connection"/>'s stream starts in the pattern.</summary>
    public static int Offset(long position, int connection) => (int)((position + connection) % Alphabet.Length);
}

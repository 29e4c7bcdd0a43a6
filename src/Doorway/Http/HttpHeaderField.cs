namespace Doorway.Http;

/// <summary>Where one header field line's name and value lie in the request head (offsets from the head's first byte).</summary>
internal readonly record struct HttpHeaderField(int NameStart, int NameLength, int ValueStart, int ValueLength);

namespace Doorway.Cache;

/// <summary>One stored header field line, as its bytes: written back to clients as it came.</summary>
internal readonly record struct HeaderLine(byte[] Name, byte[] Value)
{
    public int Size => Name.Length + Value.Length + 4;
}

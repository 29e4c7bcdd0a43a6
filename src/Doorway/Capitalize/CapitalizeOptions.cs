namespace Doorway.Capitalize;

/// <summary>How the TCP capitalize door answers.</summary>
public sealed record CapitalizeOptions
{
    public static CapitalizeOptions Default { get; } = new();

    /// <summary>The book's behaviour: one read of at most <see cref="OnceReadSize"/> bytes, one reply, close.</summary>
    public bool Once { get; init; }

    /// <summary>The most bytes read at once; with the reply buffer this bounds a busy connection's memory.</summary>
    public int ReadSize { get; init; } = 8 * 1024;

    /// <summary>The book's server reads with recv(1024).</summary>
    public const int OnceReadSize = 1024;
}

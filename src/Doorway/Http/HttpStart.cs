namespace Doorway.Http;

/// <summary>What a connection's first bytes say about HTTP.</summary>
internal enum HttpStart
{
    /// <summary>Too few bytes to tell.</summary>
    Unknown,

    /// <summary>They start an HTTP request line.</summary>
    Http,

    /// <summary>They cannot start one.</summary>
    NotHttp,
}

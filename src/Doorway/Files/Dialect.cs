namespace Doorway.Files;

/// <summary>The file door's two dialects, as a connection's first bytes tell them.</summary>
internal enum Dialect
{
    Unknown,
    Seed,
    Http,
}

namespace Doorway.Files;

/// <summary>What <see cref="FileRoot.Open"/> found for a name.</summary>
internal enum FileOpenKind
{
    /// <summary>A regular file under the root, open: serve it.</summary>
    File,

    /// <summary>A directory under the root (or the root itself), open: list it over HTTP.</summary>
    Directory,

    /// <summary>Nothing by that name (or nothing this process may read).</summary>
    Missing,

    /// <summary>The name breaks a confinement rule; <see cref="FileOpenResult.Reason"/> says which.</summary>
    Refused,

    /// <summary>
    /// Asked to open without waiting (on an event loop), and the kernel would have had to read the
    /// disk to find the name, or cannot say: nothing is open, and the caller asks again off the loop.
    /// </summary>
    NotCached,
}

namespace Doorway.Files;

/// <summary>What a name turned out to be under a <see cref="FileRoot"/>.</summary>
internal enum FileLookupKind
{
    /// <summary>A regular file under the root: serve it.</summary>
    File,

    /// <summary>A directory under the root (or the root itself): list it over HTTP.</summary>
    Directory,

    /// <summary>Nothing by that name.</summary>
    Missing,

    /// <summary>The name breaks a confinement rule; <see cref="FileLookup.Reason"/> says which.</summary>
    Refused,
}

/// <param name="FullPath">The resolved path (symlinks followed) for files and directories.</param>
/// <param name="Reason">Why a name is missing or refused, for the log.</param>
internal readonly record struct FileLookup(FileLookupKind Kind, string? FullPath, string Reason)
{
    public static FileLookup Refuse(string reason) => new(FileLookupKind.Refused, null, reason);

    public static FileLookup Missing(string reason) => new(FileLookupKind.Missing, null, reason);
}

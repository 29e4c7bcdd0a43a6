namespace Doorway.Files;

/// <summary>
/// The answer of <see cref="FileRoot.Open"/>: a kind, a reason for the log (a constant string,
/// so a refusal allocates nothing), and for <see cref="FileOpenKind.File"/> and
/// <see cref="FileOpenKind.Directory"/> the open file, which the caller owns and disposes.
/// </summary>
internal readonly record struct FileOpenResult(FileOpenKind Kind, string Reason, OpenedFile? File)
{
    public static FileOpenResult Refuse(string reason) => new(FileOpenKind.Refused, reason, null);

    public static FileOpenResult Missing(string reason) => new(FileOpenKind.Missing, reason, null);

    public static readonly FileOpenResult NotCached = new(FileOpenKind.NotCached, "not in the lookup cache", null);
}

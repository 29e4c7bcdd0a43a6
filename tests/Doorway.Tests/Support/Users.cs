using System.Runtime.InteropServices;

namespace Doorway.Tests.Support;

/// <summary>
/// Who runs a command. Tests of permissions need a user the kernel holds to them: root may write
/// anywhere, so as root the command runs as nobody (setpriv, from util-linux).
/// </summary>
internal static partial class Users
{
    public const int Nobody = 65534;

    public static bool IsRoot => GetEffectiveUserId() == 0;

    /// <summary>The command line that runs <paramref name="fileName"/> with <paramref name="args"/> as a user that is not root.</summary>
    public static (string FileName, string[] Args) AsNonRoot(string fileName, params string[] args) => IsRoot
        ? ("setpriv", [$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "env", "DOTNET_CLI_HOME=/tmp", "HOME=/tmp", fileName, .. args])
        : (fileName, args);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}

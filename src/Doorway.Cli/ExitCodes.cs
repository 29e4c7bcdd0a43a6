namespace Doorway.Cli;

/// <summary>What <c>doorway</c> returns to the shell.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Something failed at run time: refused, timed out, reset, not found, mismatched.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;
}

namespace Doorway.Cli;

/// <summary>What <c>doorway</c> returns to the shell (shown in --help and the README).</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Something failed at run time: refused, timed out, reset, not found, mismatched, a wrong door.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;

    /// <summary>The server's TLS certificate is not trusted (not signed by a trusted root or --cacert, another name, not the --pin).</summary>
    public const int Untrusted = 3;

    /// <summary>Ctrl-C (SIGINT) or SIGTERM ended the command: 128 + SIGINT's number, as shells report an interrupted program.</summary>
    public const int Interrupted = 130;

    /// <summary>The lines --help and the README show.</summary>
    public const string Help =
        "Exit codes: 0 success; 1 a failure at run time (refused, timed out, not found, a wrong door, a mismatch); " +
        "2 a usage error; 3 the server's TLS certificate is not trusted; 130 interrupted (Ctrl-C or SIGTERM).";
}

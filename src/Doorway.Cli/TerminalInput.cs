namespace Doorway.Cli;

/// <summary>Lines typed at a terminal, read so that Ctrl-C ends the wait.</summary>
internal static class TerminalInput
{
    /// <summary>
    /// The next line, or null at end of input. Console.In's own ReadLineAsync checks its token once
    /// and then blocks in read(2) until Enter, so a Ctrl-C at the prompt went unnoticed; here the read
    /// runs on a pool thread and the caller stops waiting for it when <paramref name="cancellationToken"/>
    /// fires. The abandoned read ends with the process, which is exiting.
    /// </summary>
    public static Task<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        Task.Run(Console.In.ReadLine, CancellationToken.None).WaitAsync(cancellationToken);
}

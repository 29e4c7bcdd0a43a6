using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;

namespace Doorway.Tests.Support;

/// <summary>
/// A real process under test: stdout lines arrive on a channel (to wait for a ready line),
/// stderr is collected, every wait has a deadline, and Dispose kills whatever is left.
/// </summary>
internal sealed partial class RunningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _readers;

    private RunningProcess(Process process)
    {
        _process = process;
        _readers = Task.WhenAll(ReadStdoutAsync(), ReadStderrAsync());
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>Starts <c>dotnet doorway.dll ARGS</c>.</summary>
    public static RunningProcess StartDoorway(params string[] args) =>
        Start("dotnet", [Repo.DoorwayDll, .. args]);

    public static RunningProcess Start(string fileName, IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            StandardInputEncoding = new UTF8Encoding(false),
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        return new RunningProcess(Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}"));
    }

    /// <summary>Runs to completion (with a deadline) and returns exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string fileName, IEnumerable<string> args, string? stdin = null, TimeSpan? limit = null, string? workingDirectory = null)
    {
        await using var process = Start(fileName, args, workingDirectory);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        int code = await process.WaitForExitAsync(limit);
        return (code, process.Stdout, process.Stderr);
    }

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunDoorwayAsync(string[] args, string? stdin = null, TimeSpan? limit = null) =>
        RunAsync("dotnet", [Repo.DoorwayDll, .. args], stdin, limit);

    public string Stdout
    {
        get { lock (_stdout) { return _stdout.ToString(); } }
    }

    public string Stderr
    {
        get { lock (_stderr) { return _stderr.ToString(); } }
    }

    /// <summary>Waits for a stdout line that starts with <paramref name="prefix"/> and returns it.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan? limit = null)
    {
        using var deadline = new CancellationTokenSource(limit ?? Deadline.Default);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(deadline.Token))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"no line starting with '{prefix}'. stdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    /// <summary>Waits for <c>ready DOOR ADDRESS:PORT</c> and returns the port.</summary>
    public async Task<int> WaitForReadyAsync(string door, TimeSpan? limit = null)
    {
        string line = await WaitForLineAsync($"ready {door} ", limit);
        return int.Parse(line[(line.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<int> WaitForExitAsync(TimeSpan? limit = null)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(limit ?? Deadline.Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"process did not exit. stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        await _readers.WaitAsync(limit ?? Deadline.Default);
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (SIGTERM = 15, SIGINT = 2).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private async Task ReadStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_stdout)
            {
                _stdout.AppendLine(line);
            }

            _lines.Writer.TryWrite(line);
        }

        _lines.Writer.TryComplete();
    }

    private async Task ReadStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_stderr)
            {
                _stderr.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(Deadline.Default);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}

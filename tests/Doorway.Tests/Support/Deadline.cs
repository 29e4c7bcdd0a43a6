namespace Doorway.Tests.Support;

/// <summary>Every wait in the tests has a deadline, so a hang fails the test instead of the run.</summary>
internal static class Deadline
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static Task WithDeadline(this Task task, TimeSpan? limit = null) => task.WaitAsync(limit ?? Default);

    public static Task<T> WithDeadline<T>(this Task<T> task, TimeSpan? limit = null) => task.WaitAsync(limit ?? Default);

    public static Task WithDeadline(this ValueTask task, TimeSpan? limit = null) => task.AsTask().WaitAsync(limit ?? Default);

    public static Task<T> WithDeadline<T>(this ValueTask<T> task, TimeSpan? limit = null) => task.AsTask().WaitAsync(limit ?? Default);

    /// <summary>A token that fires after the default deadline.</summary>
    public static CancellationToken Token(TimeSpan? limit = null) => new CancellationTokenSource(limit ?? Default).Token;

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (for state with no event to await).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > (limit ?? Default))
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Tries <paramref name="attempt"/> until it returns true or the deadline passes (for a server state seen only by trying).</summary>
    public static async Task UntilAsync(Func<Task<bool>> attempt, string what, TimeSpan? limit = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await attempt())
        {
            if (clock.Elapsed > (limit ?? Default))
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }
}

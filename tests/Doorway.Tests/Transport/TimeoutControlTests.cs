using Doorway.Transport;

namespace Doorway.Tests.Transport;

public sealed class TimeoutControlTests
{
    private static readonly TimeoutPolicy Policy = new(IdleMs: 1000, MinBytesPerSecond: 1000, GraceMs: 500);

    [Fact]
    public void Bytes_moving_restart_the_idle_clock()
    {
        var clock = new TimeoutControl();
        long start = clock.LastActivity;
        Assert.Equal(TimeoutReason.None, clock.Check(start + 999, Policy));
        Assert.Equal(TimeoutReason.Idle, clock.Check(start + 1000, Policy));
        Assert.Equal(TimeoutReason.Idle, clock.Expired);
    }

    [Fact]
    public void A_send_must_be_taken_within_the_grace_plus_its_size_at_the_minimum_rate()
    {
        var clock = new TimeoutControl();
        var generous = Policy with { IdleMs = 0 };
        clock.SendStarted(2000, generous);
        long now = Environment.TickCount64;
        // 500 ms grace + 2000 B at 1000 B/s = 2.5 s.
        Assert.Equal(TimeoutReason.None, clock.Check(now + 2000, generous));
        Assert.Equal(TimeoutReason.MinDataRate, clock.Check(now + 2600, generous));

        var done = new TimeoutControl();
        done.SendStarted(2000, generous);
        done.SendEnded(2000);
        Assert.Equal(TimeoutReason.None, done.Check(now + 10_000, generous));
    }

    [Fact]
    public void The_idle_clock_does_not_run_while_a_send_is_pending()
    {
        var clock = new TimeoutControl();
        clock.SendStarted(1 << 20, Policy);
        // A reader in a pause: nothing moved for 5 idle timeouts, but 1 MiB at 1000 B/s has its own deadline.
        Assert.Equal(TimeoutReason.None, clock.Check(clock.LastActivity + 5000, Policy));
        clock.SendEnded(1 << 20);
        Assert.Equal(TimeoutReason.Idle, clock.Check(clock.LastActivity + 1000, Policy));
    }

    [Fact]
    public void No_minimum_rate_means_no_send_deadline()
    {
        var clock = new TimeoutControl();
        var off = new TimeoutPolicy(IdleMs: 0, MinBytesPerSecond: 0, GraceMs: 0);
        clock.SendStarted(1 << 30, off);
        Assert.Equal(TimeoutReason.None, clock.Check(Environment.TickCount64 + 3_600_000, off));
    }

    [Fact]
    public async Task A_passed_request_deadline_cancels_the_token_and_a_cleared_one_hands_out_a_fresh_token()
    {
        var clock = new TimeoutControl();
        clock.SetDeadline(TimeSpan.FromMilliseconds(100), TimeoutReason.RequestHead);
        var token = clock.Token;
        var noIdle = Policy with { IdleMs = 0 };
        Assert.Equal(TimeoutReason.None, clock.Check(Environment.TickCount64 + 50, noIdle));
        Assert.False(token.IsCancellationRequested);

        // The protocol deadline does not end the connection: it cancels the token so the protocol can answer (408).
        Assert.Equal(TimeoutReason.None, clock.Check(Environment.TickCount64 + 200, noIdle));
        await Support.Deadline.UntilAsync(() => token.IsCancellationRequested, "the request token to be cancelled");
        Assert.Equal(TimeoutReason.RequestHead, clock.Expired);

        clock.ClearDeadline();
        Assert.False(clock.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_cleared_deadline_never_fires()
    {
        var clock = new TimeoutControl();
        clock.SetDeadline(TimeSpan.FromMilliseconds(10), TimeoutReason.RequestHead);
        var token = clock.Token;
        clock.ClearDeadline();
        clock.Check(Environment.TickCount64 + 1000, Policy with { IdleMs = 0 });
        Assert.False(token.IsCancellationRequested);
    }
}

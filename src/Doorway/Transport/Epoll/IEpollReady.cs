namespace Doorway.Transport.Epoll;

/// <summary>
/// What a loop serves: a registered socket whose readiness events the loop hands over, on the
/// loop's thread. A door's <see cref="EpollConnection"/> turns them into awaitable operations; the
/// load generator's connections act on them directly (<c>Doorway.Bench.EpollBenchConnection</c>).
/// </summary>
internal interface IEpollReady
{
    /// <summary>On the loop thread: what epoll reported (EPOLLIN, EPOLLOUT, EPOLLERR, ...).</summary>
    void OnEvents(uint events);
}

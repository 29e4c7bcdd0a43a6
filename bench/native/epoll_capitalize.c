/*
 * epoll_capitalize.c - native baseline for Doorway's TCP "capitalize" server.
 *
 * Single thread, non-blocking sockets, level-triggered epoll. Every byte a
 * client sends comes back ASCII upper-cased. This is the "how fast can one
 * core go with the plainest possible C" reference point for the .NET server.
 *
 * With --threads N (0: one per core the process may run on) it is the
 * multi-threaded baseline instead: N threads, each with its own epoll set and
 * its own listening socket, all bound to one port with SO_REUSEPORT so the
 * kernel spreads connections over them (no shared state, no locks). This is
 * the honest limit on a machine with more cores.
 *
 * Usage: epoll_capitalize [--bind ADDR] [--port PORT] [--threads N]
 *   defaults 127.0.0.1, 12000 and 1; port 0 lets the kernel pick a free port.
 *   Prints "ready tcp ADDR:PORT" once listening (IPv6 as "[::1]:PORT").
 */
#define _GNU_SOURCE
#include "netutil.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUF_SIZE (16 * 1024)
#define MAX_EVENTS 512

/*
 * Per-connection state. An idle connection costs only this small struct
 * (plus the kernel socket): the 16 KiB read buffer is shared, and a private
 * copy is made only for the tail of a reply the kernel would not accept yet.
 */
struct conn {
    int fd;
    char *pending;      /* unsent tail of the last reply; NULL if none */
    size_t pend_len;
    size_t pend_off;
};

/* Address of this byte marks the listening socket in epoll_event.data.ptr. */
static char listener_tag;

/* One of each per thread: a loop shares nothing with the others. */
static __thread int epfd;
static __thread int spare_fd = -1;
static __thread char rbuf[READ_BUF_SIZE];

/*
 * Nothing needs flushing or freeing on shutdown (the kernel reclaims sockets
 * and the ready line was already flushed), so exiting straight from the
 * handler is both correct and free of check-then-block races.
 */
static void on_stop_signal(int sig)
{
    (void)sig;
    _exit(0);
}

static void conn_close(struct conn *c)
{
    close(c->fd);               /* also removes it from the epoll set */
    free(c->pending);
    free(c);
}

static int conn_watch(struct conn *c, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.ptr = c };
    return epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/*
 * Send buf[0..n). Whatever the kernel does not take is copied to
 * c->pending and the connection switches from EPOLLIN to EPOLLOUT, so we
 * stop reading until the client drains its replies: at most one 16 KiB
 * tail is ever buffered per connection. Returns -1 if c was closed.
 */
static int send_reply(struct conn *c, const char *buf, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(c->fd, buf + off, n - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->pending = malloc(n - off);
            if (c->pending == NULL || conn_watch(c, EPOLLOUT) != 0) {
                conn_close(c);
                return -1;
            }
            memcpy(c->pending, buf + off, n - off);
            c->pend_len = n - off;
            c->pend_off = 0;
            return 0;
        } else {
            conn_close(c);      /* EPIPE, ECONNRESET, ... */
            return -1;
        }
    }
    return 0;
}

/* Socket became writable while we hold an unsent tail: push more of it. */
static void flush_pending(struct conn *c)
{
    while (c->pend_off < c->pend_len) {
        ssize_t w = send(c->fd, c->pending + c->pend_off, c->pend_len - c->pend_off, MSG_NOSIGNAL);
        if (w > 0) {
            c->pend_off += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;             /* still full; EPOLLOUT stays armed */
        } else {
            conn_close(c);
            return;
        }
    }
    free(c->pending);
    c->pending = NULL;
    /* Drained: resume reading. A pending EOF is seen by the next read. */
    if (conn_watch(c, EPOLLIN) != 0)
        conn_close(c);
}

static void handle_conn(struct conn *c, uint32_t events)
{
    if (events & EPOLLERR) {
        conn_close(c);
        return;
    }
    if (c->pending != NULL) {
        /* Only writability matters now; HUP makes send() report the error. */
        if (events & (EPOLLOUT | EPOLLHUP))
            flush_pending(c);
        return;
    }
    /*
     * Level-triggered: one read per wake-up is enough (epoll reports us
     * again if more is queued) and keeps one busy client from starving
     * the others.
     */
    ssize_t n = recv(c->fd, rbuf, sizeof rbuf, 0);
    if (n > 0) {
        ascii_upper(rbuf, (size_t)n);
        send_reply(c, rbuf, (size_t)n);
    } else if (n == 0) {
        conn_close(c);          /* EOF; nothing is pending by construction */
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        conn_close(c);
    }
}

static void handle_accept(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            if ((errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
                /*
                 * Out of descriptors. With level-triggered epoll the
                 * listener would stay readable forever and we would spin,
                 * so free the spare fd, accept and immediately close the
                 * connection (the client sees a clean close), re-arm.
                 */
                close(spare_fd);
                fd = accept(lfd, NULL, NULL);
                if (fd >= 0)
                    close(fd);
                spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                continue;
            }
            perror("accept4");
            return;
        }

        /* Replies are complete messages; do not let Nagle delay them. */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

        struct conn *c = calloc(1, sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            perror("epoll_ctl");
            close(fd);
            free(c);
        }
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: epoll_capitalize [--bind ADDR] [--port PORT] [--threads N]\n"
                    "  defaults: --bind 127.0.0.1 --port 12000 (0 = any free port) --threads 1 (0 = one per core)\n");
}

static int open_listener(const struct sockaddr_storage *ss, socklen_t sslen, int reuseport)
{
    int lfd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        die("socket: %s", strerror(errno));
    /* Allows quick restarts despite TIME_WAIT. SO_REUSEPORT only for the
     * multi-threaded baseline's own group of listeners. */
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuseport && setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        die("SO_REUSEPORT: %s", strerror(errno));
    if (bind(lfd, (const struct sockaddr *)ss, sslen) != 0)
        die("bind port: %s", strerror(errno));
    /* The kernel clamps this to net.core.somaxconn, i.e. "as large as allowed". */
    if (listen(lfd, 65535) != 0)
        die("listen: %s", strerror(errno));
    return lfd;
}

static void *run_loop(void *arg)
{
    int lfd = (int)(intptr_t)arg;
    spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1: %s", strerror(errno));
    struct epoll_event lev = { .events = EPOLLIN, .data.ptr = &listener_tag };
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev) != 0)
        die("epoll_ctl: %s", strerror(errno));

    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(epfd, evs, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == &listener_tag)
                handle_accept(lfd);
            else
                handle_conn(evs[i].data.ptr, evs[i].events);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *bind_addr = "127.0.0.1";
    long port = 12000;
    long threads = 1;

    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--bind")) != NULL) {
            bind_addr = v;
        } else if ((v = opt_value(argc, argv, &i, "--port")) != NULL) {
            if (parse_long(v, 0, 65535, &port) != 0)
                usage_error("bad --port '%s'", v);
        } else if ((v = opt_value(argc, argv, &i, "--threads")) != NULL) {
            if (parse_long(v, 0, 1024, &threads) != 0)
                usage_error("bad --threads '%s'", v);
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else {
            usage();
            usage_error("unknown argument '%s'", argv[i]);
        }
    }

    raise_nofile_limit();
    signal(SIGPIPE, SIG_IGN);   /* belt and braces; sends use MSG_NOSIGNAL */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct sockaddr_storage ss;
    socklen_t sslen;
    if (resolve_bind(bind_addr, (int)port, SOCK_STREAM, &ss, &sslen) != 0)
        return 1;

    if (threads == 0) {
        cpu_set_t set;
        threads = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    }
    int *lfds = calloc((size_t)threads, sizeof *lfds);
    if (lfds == NULL)
        die("out of memory");
    lfds[0] = open_listener(&ss, sslen, threads > 1);
    /* Report the real port (matters for --port 0) only once we can accept. */
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    getsockname(lfds[0], (struct sockaddr *)&bound, &blen);
    for (long t = 1; t < threads; t++)
        lfds[t] = open_listener(&bound, blen, 1);
    for (long t = 1; t < threads; t++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, run_loop, (void *)(intptr_t)lfds[t]) != 0)
            die("pthread_create failed");
    }
    char text[128];
    format_sockaddr((struct sockaddr *)&bound, text, sizeof text);
    printf("ready tcp %s\n", text);
    fflush(stdout);
    run_loop((void *)(intptr_t)lfds[0]);
    return 0;
}

/*
 * idle_clients.c - open N idle TCP connections and hold them, so the memory
 * a server spends per idle connection can be measured.
 *
 * Usage: idle_clients --server HOST:PORT --connections N [--batch B]
 *                     [--ping] [--timeout SECONDS]
 *        idle_clients HOST:PORT N            (short form)
 *
 * Connects with at most B (default 256) handshakes in flight so the
 * server's accept backlog is not overrun, prints "open N" once all are
 * established, then holds them until SIGTERM/SIGINT or EOF on stdin, closes
 * them and exits 0. Exit 1 if the connections cannot be opened.
 *
 * A completed client handshake only means the connection sits in the
 * server's accept queue. --ping sends one byte per connection and waits
 * for the one-byte reply before printing "open N", proving the server has
 * accepted (and served) every connection. The capitalize servers keep no
 * buffer after replying, so the connection is idle again afterwards.
 *
 * stdin counts only if it can be polled (pipe, tty, socket); with stdin
 * redirected from /dev/null or a file the program just waits for a signal.
 */
#define _GNU_SOURCE
#include "netutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNECTIONS 60000
#define STDIN_TAG UINT32_MAX    /* epoll data.u32 for stdin; sockets use their index */

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: idle_clients --server HOST:PORT --connections N [--batch B] [--ping] [--timeout SECONDS]\n"
                    "       idle_clients HOST:PORT N\n");
}

int main(int argc, char **argv)
{
    const char *server = NULL;
    long n = -1, batch = 256;
    double timeout_s = 60;
    int ping = 0, positional = 0;

    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--server")) != NULL) {
            server = v;
        } else if ((v = opt_value(argc, argv, &i, "--connections")) != NULL) {
            if (parse_long(v, 1, MAX_CONNECTIONS, &n) != 0)
                usage_error("bad --connections '%s'", v);
        } else if ((v = opt_value(argc, argv, &i, "--batch")) != NULL) {
            if (parse_long(v, 1, 65535, &batch) != 0)
                usage_error("bad --batch '%s'", v);
        } else if ((v = opt_value(argc, argv, &i, "--timeout")) != NULL) {
            if (parse_double(v, 0.001, 3600, &timeout_s) != 0)
                usage_error("bad --timeout '%s'", v);
        } else if (strcmp(argv[i], "--ping") == 0) {
            ping = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else if (argv[i][0] != '-' && positional == 0) {
            server = argv[i];
            positional++;
        } else if (argv[i][0] != '-' && positional == 1) {
            if (parse_long(argv[i], 1, MAX_CONNECTIONS, &n) != 0)
                usage_error("bad connection count '%s'", argv[i]);
            positional++;
        } else {
            usage();
            usage_error("unknown argument '%s'", argv[i]);
        }
    }
    if (server == NULL || n < 0) {
        usage();
        usage_error("server address and connection count are required");
    }

    struct sockaddr_storage addr;
    socklen_t addrlen;
    if (resolve_hostport(server, SOCK_STREAM, &addr, &addrlen) != 0)
        return 2;
    raise_nofile_limit();
    signal(SIGPIPE, SIG_IGN);

    /* Signals stay blocked except inside epoll_pwait: no lost wake-ups. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigset_t block, waitmask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &waitmask);
    sigdelset(&waitmask, SIGINT);
    sigdelset(&waitmask, SIGTERM);

    int *fds = malloc((size_t)n * sizeof *fds);
    if (fds == NULL)
        die("out of memory");
    if (connect_many((struct sockaddr *)&addr, addrlen, (int)n, (int)batch, timeout_s, 0, fds) != 0)
        return 1;

    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1: %s", strerror(errno));
    for (long i = 0; i < n; i++) {
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)i };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fds[i], &ev) != 0)
            die("epoll_ctl: %s", strerror(errno));
    }

    struct epoll_event evs[512];
    if (ping) {
        /* One byte each; the server must answer every one before "open". */
        for (long i = 0; i < n; i++)
            if (send(fds[i], "p", 1, MSG_NOSIGNAL) != 1)
                die("ping send on connection %ld: %s", i, strerror(errno));
        long answered = 0;
        uint64_t deadline = now_ns() + (uint64_t)(timeout_s * 1e9);
        while (answered < n) {
            uint64_t now = now_ns();
            if (now >= deadline)
                die("only %ld of %ld connections answered the ping", answered, n);
            if (stop_requested)
                return 0;
            int k = epoll_pwait(epfd, evs, 512, (int)((deadline - now + 999999) / 1000000), &waitmask);
            if (k < 0 && errno != EINTR)
                die("epoll_pwait: %s", strerror(errno));
            for (int j = 0; j < k; j++) {
                uint32_t i = evs[j].data.u32;
                char c;
                ssize_t r = recv(fds[i], &c, 1, 0);
                if (r != 1 || c != 'P')
                    die("connection %u: bad ping reply", i);
                answered++;
            }
        }
    }

    printf("open %ld\n", n);
    fflush(stdout);

    /* Hold. Watch stdin for EOF, and the sockets for the server hanging up. */
    struct epoll_event sev = { .events = EPOLLIN, .data.u32 = STDIN_TAG };
    /* Fails (EPERM) for /dev/null and regular files: then signals only. */
    (void)epoll_ctl(epfd, EPOLL_CTL_ADD, STDIN_FILENO, &sev);
    long closed_by_server = 0;
    while (!stop_requested) {
        int k = epoll_pwait(epfd, evs, 512, -1, &waitmask);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_pwait: %s", strerror(errno));
        }
        for (int j = 0; j < k; j++) {
            uint32_t i = evs[j].data.u32;
            char buf[4096];
            if (i == STDIN_TAG) {
                ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
                if (r <= 0 && !(r < 0 && errno == EINTR))
                    stop_requested = 1;         /* EOF (or error): done */
                continue;
            }
            ssize_t r = recv(fds[i], buf, sizeof buf, 0);
            if (r > 0)
                continue;                       /* unexpected data: ignore */
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            /* EOF or error: stop watching so it cannot spin, and report. */
            epoll_ctl(epfd, EPOLL_CTL_DEL, fds[i], NULL);
            closed_by_server++;
            fprintf(stderr, "server closed connection %u (%ld so far)\n", i, closed_by_server);
        }
    }

    for (long i = 0; i < n; i++)
        close(fds[i]);
    fprintf(stderr, "closed %ld connections\n", n);
    return 0;
}

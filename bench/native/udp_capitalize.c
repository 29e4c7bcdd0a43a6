/*
 * udp_capitalize.c - native baseline for Doorway's UDP "capitalize" server.
 *
 * Single thread, blocking recvfrom()/sendto(): each datagram is answered
 * with its ASCII upper-case, sent back to whoever sent it.
 *
 * Usage: udp_capitalize [--bind ADDR] [--port PORT]
 *   defaults 127.0.0.1 and 12000; port 0 lets the kernel pick a free port.
 *   Prints "ready udp ADDR:PORT" once bound (IPv6 as "[::1]:PORT").
 */
#define _GNU_SOURCE
#include "netutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Largest UDP payload is 65507 (IPv4) / 65527 (IPv6); 64 KiB holds both. */
static char buf[65536];

/* No state to flush on shutdown, so exit right in the handler (no races). */
static void on_stop_signal(int sig)
{
    (void)sig;
    _exit(0);
}

static void usage(void)
{
    fprintf(stderr, "usage: udp_capitalize [--bind ADDR] [--port PORT]\n"
                    "  defaults: --bind 127.0.0.1 --port 12000 (0 = any free port)\n");
}

int main(int argc, char **argv)
{
    const char *bind_addr = "127.0.0.1";
    long port = 12000;

    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--bind")) != NULL) {
            bind_addr = v;
        } else if ((v = opt_value(argc, argv, &i, "--port")) != NULL) {
            if (parse_long(v, 0, 65535, &port) != 0)
                usage_error("bad --port '%s'", v);
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else {
            usage();
            usage_error("unknown argument '%s'", argv[i]);
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct sockaddr_storage ss;
    socklen_t sslen;
    if (resolve_bind(bind_addr, (int)port, SOCK_DGRAM, &ss, &sslen) != 0)
        return 1;
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    if (bind(fd, (struct sockaddr *)&ss, sslen) != 0)
        die("bind %s port %ld: %s", bind_addr, port, strerror(errno));

    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    getsockname(fd, (struct sockaddr *)&bound, &blen);
    char text[128];
    format_sockaddr((struct sockaddr *)&bound, text, sizeof text);
    printf("ready udp %s\n", text);
    fflush(stdout);

    for (;;) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
        if (n < 0) {
            /* Transient conditions: UDP is lossy anyway, just keep serving. */
            if (errno == EINTR || errno == EAGAIN || errno == ENOMEM ||
                errno == ENOBUFS || errno == ECONNREFUSED)
                continue;
            die("recvfrom: %s", strerror(errno));
        }
        ascii_upper(buf, (size_t)n);
        /*
         * A failed send (e.g. ENOBUFS) just drops this reply: the client
         * accounts for it as a lost datagram, exactly like network loss.
         */
        (void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
    }
}

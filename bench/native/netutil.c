/*
 * netutil.c - helpers shared by the native Doorway benchmark programs.
 */
#define _GNU_SOURCE
#include "netutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

void raise_nofile_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        /* Not fatal: we only fail later if we really need that many fds. */
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            fprintf(stderr, "warning: cannot raise RLIMIT_NOFILE: %s\n", strerror(errno));
    }
}

uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;            /* e.g. "--portx" is not "--port" */
    if (*i + 1 >= argc)
        usage_error("option %s needs a value", name);
    (*i)++;
    return argv[*i];
}

/* Copy the first getaddrinfo() result out so callers need not free lists. */
static int lookup(const char *host, const char *port, int flags, int socktype,
                  struct sockaddr_storage *ss, socklen_t *len)
{
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = flags | AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "cannot resolve '%s' port %s: %s\n", host, port, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int resolve_bind(const char *addr, int port, int socktype,
                 struct sockaddr_storage *ss, socklen_t *len)
{
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    /* Numeric only: a bind address is an explicit interface choice. */
    return lookup(addr, portstr, AI_NUMERICHOST | AI_PASSIVE, socktype, ss, len);
}

int resolve_hostport(const char *hostport, int socktype,
                     struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256];
    const char *port;

    if (hostport[0] == '[') {
        /* "[v6addr]:port" - brackets are needed because v6 contains ':'. */
        const char *close = strchr(hostport, ']');
        if (close == NULL || close[1] != ':' || (size_t)(close - hostport - 1) >= sizeof host)
            goto bad;
        memcpy(host, hostport + 1, (size_t)(close - hostport - 1));
        host[close - hostport - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(hostport, ':');
        /* More than one ':' without brackets is ambiguous (bare IPv6). */
        if (colon == NULL || colon != strchr(hostport, ':') ||
            (size_t)(colon - hostport) >= sizeof host)
            goto bad;
        memcpy(host, hostport, (size_t)(colon - hostport));
        host[colon - hostport] = '\0';
        port = colon + 1;
    }
    long p;
    if (host[0] == '\0' || parse_long(port, 1, 65535, &p) != 0)
        goto bad;
    return lookup(host, port, 0, socktype, ss, len);

bad:
    fprintf(stderr, "bad address '%s' (want HOST:PORT or [IPV6]:PORT)\n", hostport);
    return -1;
}

void format_sockaddr(const struct sockaddr *sa, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
        snprintf(buf, len, "[%s]:%u", ip, ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
        snprintf(buf, len, "%s:%u", ip, ntohs(s4->sin_port));
    }
}

int connect_many(const struct sockaddr *sa, socklen_t salen, int n, int batch,
                 double timeout_s, int nodelay, int *fds)
{
    int started = 0, done = 0, inflight = 0;
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        perror("epoll_create1");
        return -1;
    }
    uint64_t deadline = now_ns() + (uint64_t)(timeout_s * 1e9);
    const char *what = NULL;    /* set on failure */
    int err = 0;

    while (done < n) {
        /* Top up the window of in-flight handshakes. */
        while (inflight < batch && started < n) {
            int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                what = "socket";
                err = errno;
                goto fail;
            }
            fds[started++] = fd;
            if (nodelay) {
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            }
            if (connect(fd, sa, salen) == 0) {
                done++;         /* completed synchronously (possible on loopback) */
                continue;
            }
            if (errno != EINPROGRESS) {
                what = "connect";
                err = errno;
                goto fail;
            }
            /* data.u32 = index so the completion can be matched to fds[]. */
            struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)(started - 1) };
            if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
                what = "epoll_ctl";
                err = errno;
                goto fail;
            }
            inflight++;
        }
        if (inflight == 0)
            continue;

        uint64_t now = now_ns();
        if (now >= deadline) {
            what = "connect timeout";
            err = ETIMEDOUT;
            goto fail;
        }
        struct epoll_event evs[256];
        int timeout_ms = (int)((deadline - now + 999999) / 1000000);
        int k = epoll_wait(epfd, evs, 256, timeout_ms);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            what = "epoll_wait";
            err = errno;
            goto fail;
        }
        for (int j = 0; j < k; j++) {
            int fd = fds[evs[j].data.u32];
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
                soerr = errno;
            if (soerr != 0) {
                what = "connect";
                err = soerr;
                goto fail;
            }
            epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
            inflight--;
            done++;
        }
    }
    close(epfd);
    return 0;

fail:
    fprintf(stderr, "%s failed after %d of %d connections: %s\n", what, done, n, strerror(err));
    for (int j = 0; j < started; j++)
        close(fds[j]);
    close(epfd);
    return -1;
}

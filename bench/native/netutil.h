/*
 * netutil.h - small helpers shared by the native Doorway benchmark programs.
 *
 * Everything here is deliberately tiny and dependency-free so that each
 * benchmark binary is just "its own .c file + netutil.c".
 */
#ifndef DOORWAY_BENCH_NETUTIL_H
#define DOORWAY_BENCH_NETUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Print a message to stderr and exit(1): used for setup failures. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);

/* Print a message to stderr and exit(2): used for bad command lines. */
__attribute__((noreturn, format(printf, 1, 2))) void usage_error(const char *fmt, ...);

/*
 * Raise the RLIMIT_NOFILE soft limit to the hard limit. Benchmarks with
 * thousands of sockets would otherwise hit the usual 1024 soft default.
 */
void raise_nofile_limit(void);

/* CLOCK_MONOTONIC in nanoseconds (vDSO call, cheap enough per message). */
uint64_t now_ns(void);

/* Strict number parsing: the whole string must be a number in [min, max]. */
int parse_long(const char *s, long min, long max, long *out);
int parse_double(const char *s, double min, double max, double *out);

/*
 * Command-line option matcher. If argv[*i] is NAME (value in the next
 * argument, *i is advanced) or NAME=VALUE, returns the value; otherwise NULL.
 */
const char *opt_value(int argc, char **argv, int *i, const char *name);

/* Numeric bind address (IPv4 or IPv6 literal) + port -> sockaddr. */
int resolve_bind(const char *addr, int port, int socktype,
                 struct sockaddr_storage *ss, socklen_t *len);

/* "HOST:PORT" or "[V6]:PORT" -> sockaddr (host names are resolved). */
int resolve_hostport(const char *hostport, int socktype,
                     struct sockaddr_storage *ss, socklen_t *len);

/* sockaddr -> "1.2.3.4:80" or "[::1]:80". */
void format_sockaddr(const struct sockaddr *sa, char *buf, size_t len);

/*
 * Open N non-blocking TCP connections to SA, at most BATCH handshakes in
 * flight at once so the server's accept backlog is never overrun (an
 * overrun backlog silently drops SYNs and costs a 1 s retransmit each).
 * On success fills fds[0..n-1] and returns 0. On failure prints the reason,
 * closes everything it opened and returns -1.
 */
int connect_many(const struct sockaddr *sa, socklen_t salen, int n, int batch,
                 double timeout_s, int nodelay, int *fds);

/*
 * ASCII upper-case in place: only bytes 'a'..'z' change. Written without
 * branches so GCC can vectorise the loop at -O2.
 */
static inline void ascii_upper(char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        p[i] = (char)(c - ((unsigned char)(c - 'a') < 26u ? 32 : 0));
    }
}

#endif

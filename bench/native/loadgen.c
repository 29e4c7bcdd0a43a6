/*
 * loadgen.c - single-threaded epoll load generator for the capitalize servers.
 *
 * Usage:
 *   loadgen tcp|udp --server HOST:PORT --connections N --size BYTES
 *           --duration SECONDS [--pipeline DEPTH] [--warmup SECONDS] [--json]
 *
 * tcp: N connections; each keeps DEPTH messages of SIZE lowercase bytes in
 *      flight and checks every SIZE-byte reply is the upper-case of what it
 *      sent. udp: N sockets, one datagram in flight each; no reply within
 *      200 ms counts as lost and the next datagram is sent.
 *
 * Round-trip latency (first byte handed to the kernel -> last reply byte
 * read) goes into a fixed-size log-bucketed histogram after the warm-up.
 *
 * Output: a human summary (stdout, or stderr with --json) and with --json
 * exactly one JSON line on stdout. Exit 0 on success, 1 if connecting failed
 * or any connection/socket error happened during the run, 2 on bad usage.
 */
#define _GNU_SOURCE
#include "netutil.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_CONNECTIONS 60000
#define MAX_TCP_SIZE (16L * 1024 * 1024)
#define MAX_UDP_SIZE 65507L        /* largest IPv4 UDP payload */
#define MAX_PIPELINE 4096L
#define CONNECT_BATCH 256          /* handshakes in flight while connecting */
#define CONNECT_TIMEOUT_S 30.0
#define UDP_TIMEOUT_NS 200000000ull
#define MAX_EVENTS 1024
#define MAX_IOV 64                 /* messages coalesced into one sendmsg */
#define MAX_ERROR_REPORTS 5

/* ------------------------------------------------------------------------
 * Latency histogram, HDR style: values in nanoseconds; below 256 ns one
 * bucket per ns, above that every power of two is split into 128 equal
 * sub-buckets, so a bucket is at most 1/128 (< 0.8%) of its value wide.
 * Values are clamped to 60 s. Fixed 3840 counters (30 KiB), O(1) record.
 * --------------------------------------------------------------------- */
#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_LINEAR (2u * HIST_SUB)             /* 256: exact region */
#define HIST_MAX_NS 60000000000ull              /* 60 s  (< 2^36) */
#define HIST_MAX_EXP 36
#define HIST_BUCKETS (HIST_LINEAR + (HIST_MAX_EXP - HIST_SUB_BITS - 1) * HIST_SUB)

struct hist {
    uint64_t counts[HIST_BUCKETS];
    uint64_t total;
    uint64_t max;
};

static unsigned hist_index(uint64_t v)
{
    if (v < HIST_LINEAR)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v);   /* >= 8 here */
    unsigned shift = e - HIST_SUB_BITS;
    unsigned sub = (unsigned)(v >> shift) & (HIST_SUB - 1);
    return HIST_LINEAR + (e - HIST_SUB_BITS - 1) * HIST_SUB + sub;
}

static void hist_record(struct hist *h, uint64_t v)
{
    if (v > HIST_MAX_NS)
        v = HIST_MAX_NS;
    h->counts[hist_index(v)]++;
    h->total++;
    if (v > h->max)
        h->max = v;
}

/* Value (ns) at percentile p: midpoint of the bucket holding that rank. */
static double hist_percentile(const struct hist *h, double p)
{
    if (h->total == 0)
        return 0;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)h->total + 0.999999);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen < rank)
            continue;
        double lo, width;
        if (i < HIST_LINEAR) {
            lo = i;
            width = 1;
        } else {
            unsigned j = i - HIST_LINEAR;
            unsigned e = j / HIST_SUB + HIST_SUB_BITS + 1;
            unsigned shift = e - HIST_SUB_BITS;
            lo = (double)((uint64_t)(HIST_SUB + j % HIST_SUB) << shift);
            width = (double)(1ull << shift);
        }
        double mid = lo + (width - 1) / 2;
        return mid > (double)h->max ? (double)h->max : mid;
    }
    return (double)h->max;
}

/* ------------------------------------------------------------------------
 * Configuration, counters, payload patterns.
 * --------------------------------------------------------------------- */
static struct {
    int udp;
    const char *server;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    long conns, size, pipeline;
    double duration, warmup;
    int json;
} cfg = { .pipeline = 1, .warmup = 1.0, .conns = -1, .size = -1, .duration = -1 };

static struct hist hist;
static uint64_t n_messages;     /* completed inside the measurement window */
static uint64_t n_lost;         /* udp timeouts inside the measurement window */
static uint64_t n_errors;       /* socket errors, whole run */
static uint64_t n_mismatches;   /* wrong replies, whole run */
static uint64_t n_late;         /* udp replies arriving after their timeout */
static int measuring;           /* 0 during warm-up */
static int epfd;
static volatile sig_atomic_t stop_requested;
static char rbuf[65536];

/*
 * Payload text. Message k of connection id is the SIZE-byte slice of
 * tx_pat starting at (k + id) % ALPHA_LEN, so consecutive messages differ
 * (a server replaying stale data is caught), yet nothing is copied or
 * generated per message. rx_pat is the expected (upper-case) reply; it
 * leaves digits and punctuation alone, which the server must too.
 */
static const char ALPHA[] = "abcdefghijklmnopqrstuvwxyz .,;:!?0123456789-";
#define ALPHA_LEN (sizeof ALPHA - 1)
static char *tx_pat, *rx_pat;

static size_t pat_shift(uint32_t id, uint64_t k)
{
    return (size_t)((k + id) % ALPHA_LEN);
}

static void build_patterns(size_t size)
{
    tx_pat = malloc(size + ALPHA_LEN);
    rx_pat = malloc(size + ALPHA_LEN);
    if (tx_pat == NULL || rx_pat == NULL)
        die("out of memory");
    for (size_t i = 0; i < size + ALPHA_LEN; i++)
        tx_pat[i] = ALPHA[i % ALPHA_LEN];
    memcpy(rx_pat, tx_pat, size + ALPHA_LEN);
    ascii_upper(rx_pat, size + ALPHA_LEN);
}

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void report_error(const char *what, unsigned id, int err)
{
    n_errors++;
    if (n_errors <= MAX_ERROR_REPORTS)
        fprintf(stderr, "connection %u: %s: %s\n", id, what, err ? strerror(err) : "unexpected");
    else if (n_errors == MAX_ERROR_REPORTS + 1)
        fprintf(stderr, "(further errors not shown)\n");
}

/* ------------------------------------------------------------------------
 * TCP mode.
 * --------------------------------------------------------------------- */
struct tconn {
    int fd;
    uint32_t id;
    uint64_t send_seq;  /* first message not yet completely sent */
    uint64_t recv_seq;  /* first message not yet completely received */
    uint32_t send_off;  /* bytes of send_seq already sent */
    uint32_t recv_off;  /* bytes of recv_seq already received */
    uint8_t want_out;   /* EPOLLOUT armed (a send was short) */
    uint8_t bad;        /* current incoming message already mismatched */
    uint8_t dead;
};

static struct tconn *tconns;
static uint64_t *send_ts;       /* [conn * pipeline + seq % pipeline] */
static long tcp_active;

static void tcp_kill(struct tconn *c, const char *what, int err)
{
    if (c->dead)
        return;
    report_error(what, c->id, err);
    c->dead = 1;
    close(c->fd);
    tcp_active--;
}

static void tcp_set_out(struct tconn *c, int on)
{
    if (c->want_out == on)
        return;
    struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = (uint8_t)on;
}

/*
 * Send as many messages as the pipeline window allows. Several messages
 * go out in one sendmsg() so deep pipelines are not syscall-bound. A
 * message's timestamp is (re)taken whenever we offer its first byte, so
 * it ends up being the time its first byte was actually accepted.
 */
static void tcp_fill(struct tconn *c, uint64_t now)
{
    const size_t size = (size_t)cfg.size;
    const uint64_t limit = c->recv_seq + (uint64_t)cfg.pipeline;
    uint64_t *ts = send_ts + (size_t)c->id * (size_t)cfg.pipeline;

    while (c->send_seq < limit) {
        struct iovec iov[MAX_IOV];
        int cnt = 0;
        size_t total = 0;
        for (uint64_t k = c->send_seq; k < limit && cnt < MAX_IOV; k++, cnt++) {
            size_t off = (k == c->send_seq) ? c->send_off : 0;
            if (off == 0)
                ts[k % (uint64_t)cfg.pipeline] = now;
            iov[cnt].iov_base = tx_pat + pat_shift(c->id, k) + off;
            iov[cnt].iov_len = size - off;
            total += size - off;
        }
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
        ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                tcp_set_out(c, 1);
                return;
            }
            tcp_kill(c, "send", errno);
            return;
        }
        /* Advance (send_seq, send_off) by w bytes. */
        size_t left = (size_t)w;
        while (left > 0) {
            size_t take = size - c->send_off;
            if (take > left)
                take = left;
            c->send_off += (uint32_t)take;
            left -= take;
            if (c->send_off == size) {
                c->send_seq++;
                c->send_off = 0;
            }
        }
        if ((size_t)w < total) {
            tcp_set_out(c, 1);  /* socket buffer full: wait for EPOLLOUT */
            return;
        }
    }
    tcp_set_out(c, 0);
}

static void tcp_readable(struct tconn *c)
{
    const size_t size = (size_t)cfg.size;
    ssize_t n = recv(c->fd, rbuf, sizeof rbuf, 0);
    if (n == 0) {
        tcp_kill(c, "server closed the connection", 0);
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            tcp_kill(c, "recv", errno);
        return;
    }
    uint64_t now = now_ns();

    /* A reply can never be longer than what we sent so far. */
    uint64_t sent = c->send_seq * size + c->send_off;
    uint64_t got = c->recv_seq * size + c->recv_off;
    if (got + (uint64_t)n > sent) {
        n_mismatches++;
        tcp_kill(c, "server sent more bytes than it received", 0);
        return;
    }

    const uint64_t *ts = send_ts + (size_t)c->id * (size_t)cfg.pipeline;
    size_t p = 0;
    while (p < (size_t)n) {
        size_t take = size - c->recv_off;
        if (take > (size_t)n - p)
            take = (size_t)n - p;
        if (memcmp(rbuf + p, rx_pat + pat_shift(c->id, c->recv_seq) + c->recv_off, take) != 0)
            c->bad = 1;
        c->recv_off += (uint32_t)take;
        p += take;
        if (c->recv_off == size) {
            /* Message complete. */
            if (c->bad)
                n_mismatches++;
            if (measuring) {
                n_messages++;
                hist_record(&hist, now - ts[c->recv_seq % (uint64_t)cfg.pipeline]);
            }
            c->recv_seq++;
            c->recv_off = 0;
            c->bad = 0;
        }
    }
    /* Completed replies opened the window: send the next messages. */
    if (!c->want_out)
        tcp_fill(c, now);
}

static int tcp_setup(void)
{
    int n = (int)cfg.conns;
    int *fds = malloc((size_t)n * sizeof *fds);
    tconns = calloc((size_t)n, sizeof *tconns);
    send_ts = calloc((size_t)n * (size_t)cfg.pipeline, sizeof *send_ts);
    if (fds == NULL || tconns == NULL || send_ts == NULL)
        die("out of memory");
    if (connect_many((struct sockaddr *)&cfg.addr, cfg.addrlen, n, CONNECT_BATCH,
                     CONNECT_TIMEOUT_S, 1, fds) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        tconns[i].fd = fds[i];
        tconns[i].id = (uint32_t)i;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &tconns[i] };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fds[i], &ev) != 0)
            die("epoll_ctl: %s", strerror(errno));
    }
    free(fds);
    tcp_active = n;
    return 0;
}

/* Fresh timestamp per connection: priming 10000 of them takes a while. */
static void tcp_start(void)
{
    for (long i = 0; i < cfg.conns; i++)
        tcp_fill(&tconns[i], now_ns());
}

static void tcp_event(void *ptr, uint32_t events)
{
    struct tconn *c = ptr;
    if (c->dead)
        return;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        tcp_readable(c);        /* recv() reports the actual error */
    if (!c->dead && (events & EPOLLOUT) && c->want_out)
        tcp_fill(c, now_ns());  /* room again: resume the short send */
}

static void tcp_teardown(void)
{
    for (long i = 0; i < cfg.conns; i++)
        if (!tconns[i].dead)
            close(tconns[i].fd);
}

/* ------------------------------------------------------------------------
 * UDP mode. One datagram in flight per socket. Sockets waiting for a reply
 * sit in a FIFO ordered by send time; since every timeout is the same
 * 200 ms, the head is always the next to expire.
 * --------------------------------------------------------------------- */
#define UDP_HDR_MAX 6           /* 26^6 distinct sequence tags */

struct usock {
    int fd;
    uint32_t id;
    uint64_t seq;       /* sequence number of the datagram in flight */
    uint64_t sent_ns;
    int32_t prev, next; /* timeout FIFO links, -1 = none */
};

static struct usock *usocks;
static int32_t fifo_head = -1, fifo_tail = -1;
static size_t udp_hdr_len;      /* min(size, UDP_HDR_MAX) */
static uint64_t udp_hdr_mod;    /* 26^udp_hdr_len */

static void fifo_push(struct usock *s)
{
    int32_t i = (int32_t)s->id;
    s->prev = fifo_tail;
    s->next = -1;
    if (fifo_tail >= 0)
        usocks[fifo_tail].next = i;
    else
        fifo_head = i;
    fifo_tail = i;
}

static void fifo_remove(struct usock *s)
{
    if (s->prev >= 0)
        usocks[s->prev].next = s->next;
    else
        fifo_head = s->next;
    if (s->next >= 0)
        usocks[s->next].prev = s->prev;
    else
        fifo_tail = s->prev;
    s->prev = s->next = -1;
}

/*
 * Datagram = sequence tag (lowercase base-26 letters, so the payload stays
 * lowercase text) + pattern slice. The tag lets a reply that arrives after
 * its 200 ms timeout be recognised as late rather than as a wrong answer.
 */
static void udp_send(struct usock *s, uint64_t now)
{
    char hdr[UDP_HDR_MAX];
    uint64_t v = s->seq;
    for (size_t i = udp_hdr_len; i-- > 0;) {
        hdr[i] = (char)('a' + v % 26);
        v /= 26;
    }
    struct iovec iov[2] = {
        { .iov_base = hdr, .iov_len = udp_hdr_len },
        { .iov_base = tx_pat + pat_shift(s->id, s->seq) + udp_hdr_len,
          .iov_len = (size_t)cfg.size - udp_hdr_len },
    };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
    if (sendmsg(s->fd, &msg, 0) < 0 && errno != EAGAIN && errno != ENOBUFS)
        report_error("send", s->id, errno);
    /* Even a failed send waits out its timeout and then counts as lost. */
    s->sent_ns = now;
    fifo_push(s);
}

static void udp_readable(struct usock *s)
{
    for (;;) {
        ssize_t n = recv(s->fd, rbuf, sizeof rbuf, MSG_TRUNC);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR)
                continue;
            int err = errno;
            report_error("recv", s->id, err);     /* e.g. ECONNREFUSED: no server */
            if (err == ECONNREFUSED)
                continue;                         /* error is consumed; drain on */
            return;
        }
        uint64_t now = now_ns();
        int ok = (size_t)n == (size_t)cfg.size;
        if (ok) {
            uint64_t tag = 0;
            for (size_t i = 0; i < udp_hdr_len && ok; i++) {
                unsigned d = (unsigned char)rbuf[i] - (unsigned)'A';
                if (d >= 26)
                    ok = 0;
                tag = tag * 26 + d;
            }
            if (ok && tag != s->seq % udp_hdr_mod) {
                n_late++;       /* reply to an earlier, timed-out datagram */
                continue;
            }
        }
        if (s->prev < 0 && fifo_head != (int32_t)s->id) {
            n_late++;           /* nothing outstanding on this socket */
            continue;
        }
        if (ok && memcmp(rbuf + udp_hdr_len, rx_pat + pat_shift(s->id, s->seq) + udp_hdr_len,
                         (size_t)cfg.size - udp_hdr_len) != 0)
            ok = 0;
        if (!ok)
            n_mismatches++;
        if (measuring) {
            n_messages++;
            hist_record(&hist, now - s->sent_ns);
        }
        fifo_remove(s);
        s->seq++;
        udp_send(s, now);
    }
}

static int udp_setup(void)
{
    int n = (int)cfg.conns;
    usocks = calloc((size_t)n, sizeof *usocks);
    if (usocks == NULL)
        die("out of memory");
    udp_hdr_len = (size_t)cfg.size < UDP_HDR_MAX ? (size_t)cfg.size : UDP_HDR_MAX;
    udp_hdr_mod = 1;
    for (size_t i = 0; i < udp_hdr_len; i++)
        udp_hdr_mod *= 26;
    for (int i = 0; i < n; i++) {
        struct usock *s = &usocks[i];
        s->id = (uint32_t)i;
        s->prev = s->next = -1;
        /* connect() so recv() only sees the server's datagrams and ICMP errors. */
        s->fd = socket(cfg.addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&cfg.addr, cfg.addrlen) != 0) {
            fprintf(stderr, "udp socket %d: %s\n", i, strerror(errno));
            for (int j = 0; j <= i; j++)
                if (usocks[j].fd >= 0)
                    close(usocks[j].fd);
            return -1;
        }
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) != 0)
            die("epoll_ctl: %s", strerror(errno));
    }
    return 0;
}

static void udp_start(void)
{
    for (long i = 0; i < cfg.conns; i++)
        udp_send(&usocks[i], now_ns());
}

/* Expire datagrams older than 200 ms; returns ms until the next expiry. */
static int udp_expire(uint64_t now)
{
    while (fifo_head >= 0) {
        struct usock *s = &usocks[fifo_head];
        if (s->sent_ns + UDP_TIMEOUT_NS > now)
            return (int)((s->sent_ns + UDP_TIMEOUT_NS - now + 999999) / 1000000);
        if (measuring)
            n_lost++;
        fifo_remove(s);
        s->seq++;
        udp_send(s, now);
    }
    return -1;
}

static void udp_teardown(void)
{
    for (long i = 0; i < cfg.conns; i++)
        close(usocks[i].fd);
}

/* ------------------------------------------------------------------------
 * Driver.
 * --------------------------------------------------------------------- */
static void usage(void)
{
    fprintf(stderr,
            "usage: loadgen tcp|udp --server HOST:PORT --connections N --size BYTES\n"
            "               --duration SECONDS [--pipeline DEPTH] [--warmup SECONDS] [--json]\n"
            "  --pipeline   messages in flight per tcp connection (default 1; udp: 1 only)\n"
            "  --warmup     seconds of traffic before recording starts (default 1)\n"
            "  --json       print one JSON result line on stdout (summary goes to stderr)\n");
}

static void parse_args(int argc, char **argv)
{
    if (argc < 2) {
        usage();
        exit(2);
    }
    if (strcmp(argv[1], "tcp") == 0)
        cfg.udp = 0;
    else if (strcmp(argv[1], "udp") == 0)
        cfg.udp = 1;
    else if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage();
        exit(0);
    } else {
        usage();
        usage_error("first argument must be tcp or udp, not '%s'", argv[1]);
    }

    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--server")) != NULL) {
            cfg.server = v;
        } else if ((v = opt_value(argc, argv, &i, "--connections")) != NULL) {
            if (parse_long(v, 1, MAX_CONNECTIONS, &cfg.conns) != 0)
                usage_error("bad --connections '%s' (1..%d)", v, MAX_CONNECTIONS);
        } else if ((v = opt_value(argc, argv, &i, "--size")) != NULL) {
            if (parse_long(v, 1, MAX_TCP_SIZE, &cfg.size) != 0)
                usage_error("bad --size '%s' (1..%ld)", v, MAX_TCP_SIZE);
        } else if ((v = opt_value(argc, argv, &i, "--duration")) != NULL) {
            if (parse_double(v, 0.001, 86400, &cfg.duration) != 0)
                usage_error("bad --duration '%s'", v);
        } else if ((v = opt_value(argc, argv, &i, "--warmup")) != NULL) {
            if (parse_double(v, 0, 86400, &cfg.warmup) != 0)
                usage_error("bad --warmup '%s'", v);
        } else if ((v = opt_value(argc, argv, &i, "--pipeline")) != NULL) {
            if (parse_long(v, 1, MAX_PIPELINE, &cfg.pipeline) != 0)
                usage_error("bad --pipeline '%s' (1..%ld)", v, MAX_PIPELINE);
        } else if (strcmp(argv[i], "--json") == 0) {
            cfg.json = 1;
        } else {
            usage();
            usage_error("unknown argument '%s'", argv[i]);
        }
    }
    if (cfg.server == NULL || cfg.conns < 0 || cfg.size < 0 || cfg.duration < 0) {
        usage();
        usage_error("--server, --connections, --size and --duration are required");
    }
    if (cfg.udp && cfg.size > MAX_UDP_SIZE)
        usage_error("udp --size is at most %ld", MAX_UDP_SIZE);
    if (cfg.udp && cfg.pipeline != 1)
        usage_error("udp supports only --pipeline 1");
    if (resolve_hostport(cfg.server, cfg.udp ? SOCK_DGRAM : SOCK_STREAM, &cfg.addr, &cfg.addrlen) != 0)
        exit(2);
}

static void print_results(double elapsed_s)
{
    double mps = elapsed_s > 0 ? (double)n_messages / elapsed_s : 0;
    double mibps = mps * (double)cfg.size / (1024.0 * 1024.0);
    double p50 = hist_percentile(&hist, 50) / 1000, p90 = hist_percentile(&hist, 90) / 1000;
    double p99 = hist_percentile(&hist, 99) / 1000, p999 = hist_percentile(&hist, 99.9) / 1000;
    double maxus = (double)hist.max / 1000;

    /* With --json stdout carries only the JSON line, so it parses trivially. */
    FILE *out = cfg.json ? stderr : stdout;
    fprintf(out, "%s %s connections=%ld size=%ld pipeline=%ld warmup=%.2fs measured=%.2fs\n",
            cfg.udp ? "udp" : "tcp", cfg.server, cfg.conns, cfg.size, cfg.pipeline,
            cfg.warmup, elapsed_s);
    fprintf(out, "  messages   %llu  (%.0f msg/s, %.2f MiB/s payload each way)\n",
            (unsigned long long)n_messages, mps, mibps);
    fprintf(out, "  latency us p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n",
            p50, p90, p99, p999, maxus);
    fprintf(out, "  errors %llu  mismatches %llu  lost %llu",
            (unsigned long long)n_errors, (unsigned long long)n_mismatches,
            (unsigned long long)n_lost);
    if (cfg.udp)
        fprintf(out, "  late %llu", (unsigned long long)n_late);
    fputc('\n', out);

    if (cfg.json) {
        printf("{\"messagesPerSecond\":%.1f,\"mibPerSecond\":%.3f,\"p50Us\":%.1f,"
               "\"p90Us\":%.1f,\"p99Us\":%.1f,\"p999Us\":%.1f,\"maxUs\":%.1f,"
               "\"errors\":%llu,\"mismatches\":%llu,\"lost\":%llu,\"messages\":%llu}\n",
               mps, mibps, p50, p90, p99, p999, maxus,
               (unsigned long long)n_errors, (unsigned long long)n_mismatches,
               (unsigned long long)n_lost, (unsigned long long)n_messages);
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    raise_nofile_limit();
    signal(SIGPIPE, SIG_IGN);

    /*
     * Ctrl-C / SIGTERM end the run early but still print results. The
     * signals stay blocked except inside epoll_pwait, so a signal can never
     * slip in between checking stop_requested and going to sleep.
     */
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

    build_patterns((size_t)cfg.size);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1: %s", strerror(errno));
    if ((cfg.udp ? udp_setup() : tcp_setup()) != 0)
        return 1;

    uint64_t t0 = now_ns();
    uint64_t warm_end = t0 + (uint64_t)(cfg.warmup * 1e9);
    uint64_t dur_ns = (uint64_t)(cfg.duration * 1e9);
    uint64_t measure_start = t0, end = 0;
    measuring = cfg.warmup <= 0;
    if (measuring)
        end = t0 + dur_ns;
    if (cfg.udp)
        udp_start();
    else
        tcp_start();

    struct epoll_event evs[MAX_EVENTS];
    uint64_t now = t0;
    for (;;) {
        now = now_ns();
        if (!measuring && now >= warm_end) {
            /* Start the window when we actually notice, for an exact rate. */
            measuring = 1;
            measure_start = now;
            end = now + dur_ns;
        }
        if ((measuring && now >= end) || stop_requested)
            break;
        if (!cfg.udp && tcp_active == 0)
            break;              /* every connection died: nothing left to do */

        uint64_t next = measuring ? end : warm_end;
        int timeout = (int)((next - now + 999999) / 1000000);
        if (cfg.udp) {
            int t = udp_expire(now);
            if (t >= 0 && t < timeout)
                timeout = t;
        }
        int n = epoll_pwait(epfd, evs, MAX_EVENTS, timeout, &waitmask);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_pwait: %s", strerror(errno));
        }
        for (int i = 0; i < n; i++) {
            if (cfg.udp)
                udp_readable(evs[i].data.ptr);
            else
                tcp_event(evs[i].data.ptr, evs[i].events);
        }
    }

    double elapsed = measuring ? (double)(now - measure_start) / 1e9 : 0;
    if (cfg.udp)
        udp_teardown();
    else
        tcp_teardown();
    print_results(elapsed);
    return n_errors > 0 ? 1 : 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Node health and the health port (dp_node.h, docs/SCALE-OUT.md).
 *
 * Workers: each reports an RCU quiescent state after every loop of its poll
 * (dp/dp_worker.c), so "every worker is polling" is "a grace period started
 * by this thread completes": rte_rcu_qsbr_start() here, rte_rcu_qsbr_check()
 * without waiting on the next evaluations. A worker stuck for longer than
 * NODE_STALL_MS makes the node unhealthy.
 *
 * The port: a non-blocking listening socket served from the control loop
 * (at most NODE_CONNS connections at once; each gets its answer once its
 * request's header has arrived, or after NODE_REQ_MS, then is closed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_telemetry.h>

#include "dp/dp.h"
#include "dp/dp_log.h"
#include "dp/dp_node.h"
#include "dp/stats_writer.h"

#define NODE_EVAL_MS 100
#define NODE_STALL_MS 1000
#define NODE_CONNS 8
#define NODE_REQ_MS 500

struct node_conn {
	int fd;                     /* -1: free */
	uint64_t since_ms;
	size_t got;
	char req[1024];
};

/* Written by the control thread, read by the telemetry thread. */
static struct {
	_Atomic bool healthy;
	_Atomic bool workers_ok;
	_Atomic uint64_t ports_down;    /* bit p: port p's link is down */
	_Atomic uint64_t answered_200, answered_503;
	_Atomic uint64_t transitions;
} pub = { .healthy = true, .workers_ok = true };

static int listen_fd = -1;
static struct node_conn conns[NODE_CONNS];
static uint64_t next_eval_ms, last_pass_ms, token;
static bool token_pending;
static char node_name[64];

static char port_names[DP_MAX_PORTS][CFG_NAME_MAX];
static int n_ports;

static uint64_t
node_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);   /* vDSO: no system call */
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool
dp_node_healthy(void)
{
	return atomic_load_explicit(&pub.healthy, memory_order_relaxed);
}

static void
node_eval(uint64_t now)
{
	uint64_t down = 0;
	bool workers_ok, healthy;

	if (last_pass_ms == 0)
		last_pass_ms = now;     /* the first evaluation, workers just launched */
	if (!token_pending) {
		token = rte_rcu_qsbr_start(dp_g.rcu);
		token_pending = true;
	} else if (rte_rcu_qsbr_check(dp_g.rcu, token, false) == 1) {
		last_pass_ms = now;
		token_pending = false;
	}
	workers_ok = now - last_pass_ms < NODE_STALL_MS && !atomic_load(&dp_g.quit);
	for (int p = 0; p < dp_g.n_ports && p < 64; p++) {
		struct rte_eth_link l;

		if (rte_eth_link_get_nowait(dp_g.ports[p].port_id, &l) != 0 ||
		    l.link_status != RTE_ETH_LINK_UP)
			down |= 1ULL << p;
	}
	healthy = workers_ok && down == 0;
	if (healthy != atomic_load_explicit(&pub.healthy, memory_order_relaxed)) {
		atomic_fetch_add_explicit(&pub.transitions, 1, memory_order_relaxed);
		DP_LOG(NOTICE, main, "node%s%s: %s (workers %s, %d port%s down)",
		       node_name[0] ? " " : "", node_name, healthy ? "healthy" : "unhealthy",
		       workers_ok ? "polling" : "stalled", __builtin_popcountll(down),
		       __builtin_popcountll(down) == 1 ? "" : "s");
	}
	atomic_store_explicit(&pub.workers_ok, workers_ok, memory_order_relaxed);
	atomic_store_explicit(&pub.ports_down, down, memory_order_relaxed);
	atomic_store_explicit(&pub.healthy, healthy, memory_order_relaxed);
}

/* The answer's body: the same facts as /vpcgw/health, one JSON line. */
static int
node_body(char *buf, size_t len)
{
	uint64_t down = atomic_load_explicit(&pub.ports_down, memory_order_relaxed);
	int w;

	w = snprintf(buf, len, "{\"node\":\"%s\",\"healthy\":%s,\"workers_polling\":%s,"
		     "\"ports_down\":[", node_name,
		     dp_node_healthy() ? "true" : "false",
		     atomic_load_explicit(&pub.workers_ok, memory_order_relaxed) ? "true" : "false");
	for (int p = 0, first = 1; p < n_ports && p < 64 && w < (int)len; p++)
		if (down & (1ULL << p)) {
			w += snprintf(buf + w, len - (size_t)w, "%s\"%s\"", first ? "" : ",",
				      port_names[p]);
			first = 0;
		}
	if (w < (int)len)
		w += snprintf(buf + w, len - (size_t)w, "]}\n");
	return RTE_MIN(w, (int)len - 1);
}

static void
conn_answer(struct node_conn *c)
{
	char body[512], msg[768];
	bool ok = dp_node_healthy();
	int n, b = node_body(body, sizeof(body));

	n = snprintf(msg, sizeof(msg), "HTTP/1.0 %s\r\nContent-Type: application/json\r\n"
		     "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
		     ok ? "200 OK" : "503 Service Unavailable", b, body);
	/* a few hundred bytes into an empty socket buffer: all or nothing */
	if (write(c->fd, msg, (size_t)RTE_MIN(n, (int)sizeof(msg) - 1)) < 0)
		DP_LOG(DEBUG, main, "health port: write: %s", strerror(errno));
	atomic_fetch_add_explicit(ok ? &pub.answered_200 : &pub.answered_503, 1,
				  memory_order_relaxed);
	close(c->fd);
	c->fd = -1;
}

static void
node_serve(uint64_t now)
{
	for (;;) {
		struct node_conn *c = NULL;
		int fd;

		for (int i = 0; i < NODE_CONNS && c == NULL; i++)
			if (conns[i].fd < 0)
				c = &conns[i];
		if (c == NULL)
			break;
		fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;
		c->fd = fd;
		c->since_ms = now;
		c->got = 0;
	}
	for (int i = 0; i < NODE_CONNS; i++) {
		struct node_conn *c = &conns[i];
		ssize_t r;

		if (c->fd < 0)
			continue;
		r = read(c->fd, c->req + c->got, sizeof(c->req) - 1 - c->got);
		if (r > 0) {
			c->got += (size_t)r;
			c->req[c->got] = '\0';
		}
		/* the whole header read (so closing sends FIN, not RST), the peer
		 * done sending, a full buffer, or too slow: answer */
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
		    strstr(c->req, "\r\n\r\n") != NULL || strstr(c->req, "\n\n") != NULL ||
		    c->got == sizeof(c->req) - 1 || now - c->since_ms >= NODE_REQ_MS)
			conn_answer(c);
	}
}

void
dp_node_poll(void)
{
	uint64_t now = node_ms();

	if (now >= next_eval_ms) {
		next_eval_ms = now + NODE_EVAL_MS;
		node_eval(now);
	}
	if (listen_fd >= 0)
		node_serve(now);
}

static int
tel_health(const char *cmd __rte_unused, const char *params __rte_unused,
	   struct rte_tel_data *d)
{
	uint64_t down = atomic_load_explicit(&pub.ports_down, memory_order_relaxed);
	struct rte_tel_data *ports = rte_tel_data_alloc();

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "node", node_name);
	rte_tel_data_add_dict_string(d, "status", dp_node_healthy() ? "healthy" : "unhealthy");
	rte_tel_data_add_dict_string(d, "workers", atomic_load_explicit(
		&pub.workers_ok, memory_order_relaxed) ? "polling" : "stalled");
	if (ports != NULL) {
		rte_tel_data_start_dict(ports);
		for (int p = 0; p < n_ports && p < 64; p++)
			rte_tel_data_add_dict_string(ports, port_names[p],
						     down & (1ULL << p) ? "down" : "up");
		if (rte_tel_data_add_dict_container(d, "ports", ports, 0) != 0)
			rte_tel_data_free(ports);
	}
	rte_tel_data_add_dict_u64(d, "transitions",
				  atomic_load_explicit(&pub.transitions, memory_order_relaxed));
	rte_tel_data_add_dict_u64(d, "health_port", listen_fd >= 0);
	rte_tel_data_add_dict_u64(d, "answered_200",
				  atomic_load_explicit(&pub.answered_200, memory_order_relaxed));
	rte_tel_data_add_dict_u64(d, "answered_503",
				  atomic_load_explicit(&pub.answered_503, memory_order_relaxed));
	return 0;
}

static int
node_listen(const struct cfg_node *n, char *err, size_t len, const char *file)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(n->health_port),
		.sin_addr.s_addr = htonl(n->health_addr),
	};
	char a[INET_ADDRSTRLEN];
	int one = 1, rc;

	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listen_fd >= 0 && setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
					 sizeof(one)) == 0 &&
	    bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(listen_fd, 16) == 0)
		return 0;
	rc = -errno;
	inet_ntop(AF_INET, &sa.sin_addr, a, sizeof(a));
	snprintf(err, len, "%s:%d: node.health.listen: cannot listen on %s:%u: %s", file,
		 n->line, a, n->health_port, strerror(-rc));
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
	return rc;
}

int
dp_node_init(const struct cfg *cfg, char *err, size_t len)
{
	int rc;

	snprintf(node_name, sizeof(node_name), "%s", cfg->node.name);
	em_prom_node(node_name);
	/* the ports never change on reload (dp/dp_ctl.c same_ports); the
	 * telemetry thread reads these copies, not a configuration */
	n_ports = RTE_MIN(cfg->n_ports, DP_MAX_PORTS);
	for (int p = 0; p < n_ports; p++)
		snprintf(port_names[p], sizeof(port_names[p]), "%s", cfg->ports[p].name);
	for (int i = 0; i < NODE_CONNS; i++)
		conns[i].fd = -1;
	last_pass_ms = 0;
	next_eval_ms = 0;
	if (cfg->node.has_health) {
		rc = node_listen(&cfg->node, err, len, cfg->file);
		if (rc < 0)
			return rc;
	}
	if (rte_telemetry_register_cmd("/vpcgw/health", tel_health,
		"This node's health: workers polling, ports up (the health port's answer).") != 0)
		DP_LOG(ERR, main, "telemetry command /vpcgw/health not registered");
	return 0;
}

void
dp_node_close(void)
{
	for (int i = 0; i < NODE_CONNS; i++)
		if (conns[i].fd >= 0) {
			close(conns[i].fd);
			conns[i].fd = -1;
		}
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
}

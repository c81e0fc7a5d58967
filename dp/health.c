/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health-check engine (dp/health.h; SPEC §4): active TCP health checks
 * of the targets its clients list (NLB targets, GWLB appliances).
 *
 * Every interval the control thread sends a TCP SYN to each target's
 * health-check port, from the address its client gives (the .1 of an NLB
 * target's subnet, ::1 of an IPv6 target's; the appliance port's address for
 * a GWLB; dp/health_wire.c builds the frames), with source port
 * client's sport_base + the target's index, and a sequence number derived
 * from (record slot, address, probe count): deterministic, so replays give
 * the same bytes. A SYN-ACK acking it is a success (the worker that receives
 * it answers with a RST, as a TCP stack that never wanted the connection
 * would), a RST is a failure, and nothing within the timeout is a failure.
 * healthy_threshold consecutive successes make an unhealthy target healthy,
 * unhealthy_threshold consecutive failures the reverse. Targets start healthy.
 *
 * Records: client k (registration order) owns slots [slot0, slot0 + max) of
 * every array below; its target i is slot slot0 + i.
 *
 * Sharing:
 *  - struct hc_rec (probe state, configuration), hc_pool[]: control thread
 *    only (hc_pool[] is fixed once the clients are registered).
 *  - hc_healthy[]: written by the control thread, read by workers (relaxed:
 *    a flag read a little late only delays a placement decision).
 *  - hc_slot[].dst / .seq: the probe outstanding on a source port; written by
 *    the control thread (release) before the SYN leaves, read by workers
 *    (acquire) to recognise the answer.
 *  - hc_slot[].answer / .answer_ms: the only thing workers write (release,
 *    any worker, last writer wins); read by the control thread (acquire).
 *  - hc_drain[]: deregistered targets in their delay; written by the control
 *    thread, read by any lcore (dp_health_draining_key).
 * What a client does with a change (the NLB republishes a Maglev table and
 * frees the old one after a grace period) it does in its changed() hook, on
 * the control thread, which may block; workers never do.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp/dp.h"
#include "dp/dp_worker.h"
#include "dp/dp_log.h"
#include "dp/health.h"
#include "dp/health_int.h"

#define HC_NREC DP_HEALTH_MAX_RECORDS
#define HC_DRAIN_MAX DP_MAX_TARGETS
#define HC_ANS_VALID (1ULL << 63)
#define HC_ANS_OK (1ULL << 32)

struct hc_rec {
	/* identity, host order */
	uint32_t addr;              /* IPv6: dp_health_fold6(addr6) */
	bool v6;
	uint8_t addr6[16];
	uint16_t port;              /* traffic port */
	uint16_t hc_port;
	uint16_t sport;             /* probe source port */
	int group;                  /* client's group */
	char group_name[CFG_NAME_MAX];
	/* configuration */
	bool enabled;
	bool routable;              /* it has a port and an address to probe from */
	uint16_t out_port;
	uint32_t src;               /* probe source address, host order */
	uint8_t src6[16];
	uint32_t interval_ms, timeout_ms;
	uint32_t healthy_thr, unhealthy_thr;
	uint32_t dereg_ms;
	/* state */
	bool healthy;               /* mirror of hc_healthy[] while being built */
	uint32_t ok, fail;          /* consecutive results */
	bool outstanding;
	uint64_t sent_ms;
	uint64_t next_ms;           /* next probe due */
	uint32_t seq;
	uint32_t nsent;
};

struct hc_slot {
	_Atomic uint64_t dst;       /* addr << 16 | hc_port (host order) of the probe; 0: none */
	_Atomic uint32_t seq;
	_Atomic uint64_t answer;    /* HC_ANS_VALID | HC_ANS_OK? | seq */
	_Atomic uint64_t answer_ms;
} __rte_cache_aligned;

struct hc_drain {
	_Atomic uint64_t key;       /* client id << 48 | addr << 16 | port (host order); 0: free */
	_Atomic uint64_t deadline_ms;
	/* control thread only (JSON) */
	bool healthy;
	bool v6;
	uint8_t addr6[16];
	uint16_t hc_port;
	char group_name[CFG_NAME_MAX];
};

/* A registered client; hc_pool[0] is the empty pool of an unregistered one. */
struct hc_pool {
	const struct dp_health_client *c;
	int slot0;
	int max;
	int n;                      /* records of the current tables */
};

static struct hc_pool hc_pool[DP_HEALTH_MAX_CLIENTS + 1];
static int hc_npool;                /* registered: hc_pool[1 .. hc_npool] */
static int hc_nslot;                /* slots given out */
static struct hc_rec hc_rec[HC_NREC];
static struct hc_rec hc_scratch[HC_NREC];
static struct dp_health_target hc_desc[HC_NREC];
static _Atomic bool hc_healthy[HC_NREC];
static struct hc_slot hc_slot[HC_NREC];
static struct hc_drain hc_drain[HC_DRAIN_MAX];
static _Atomic int hc_drain_hw;     /* entries in use are below this index */
static uint64_t hc_now;             /* latest control-thread time seen */

static inline uint64_t
drain_key(int pool, uint32_t addr, uint16_t port)
{
	return ((uint64_t)pool << 48) | hc_key(addr, port);
}

int
dp_health_register(struct dp_health_client *c)
{
	if (c->id != 0)
		return 0;
	if (hc_npool == DP_HEALTH_MAX_CLIENTS || c->max < 0 || hc_nslot + c->max > HC_NREC)
		return -ENOSPC;
	for (int p = 1; p <= hc_npool; p++) {
		const struct dp_health_client *o = hc_pool[p].c;

		if (c->sport_base < o->sport_base + o->max && o->sport_base < c->sport_base + c->max)
			return -EINVAL;     /* source port ranges overlap */
	}
	hc_npool++;
	hc_pool[hc_npool] = (struct hc_pool){ .c = c, .slot0 = hc_nslot, .max = c->max };
	hc_nslot += c->max;
	c->id = hc_npool;
	return 0;
}

/* ------------------------------------------------------------ draining */

static bool
draining_key(int pool, uint32_t addr, uint16_t port, uint64_t now_ms)
{
	uint64_t k = drain_key(pool, addr, port);
	int hw = atomic_load_explicit(&hc_drain_hw, memory_order_acquire);

	for (int i = 0; i < hw; i++)
		if (atomic_load_explicit(&hc_drain[i].key, memory_order_acquire) == k)
			return now_ms < atomic_load_explicit(&hc_drain[i].deadline_ms,
							     memory_order_relaxed);
	return false;
}

bool
dp_health_draining_key(const struct dp_health_client *c, uint32_t addr, uint16_t port,
		       uint64_t now_ms)
{
	return c->id != 0 && draining_key(c->id, addr, port, now_ms);
}

static void
drain_del(int i)
{
	atomic_store_explicit(&hc_drain[i].key, 0, memory_order_release);
}

static void
drain_add(int pool, const struct hc_rec *r, uint64_t deadline)
{
	uint64_t k = drain_key(pool, r->addr, r->port);
	int hw = atomic_load_explicit(&hc_drain_hw, memory_order_relaxed);
	int free_i = -1, early = 0;
	struct hc_drain *d;

	for (int i = 0; i < hw; i++) {
		uint64_t ki = atomic_load_explicit(&hc_drain[i].key, memory_order_relaxed);

		if (ki == k) {
			/* deregistered from several groups: the longest delay holds */
			if (atomic_load_explicit(&hc_drain[i].deadline_ms, memory_order_relaxed) <
			    deadline)
				atomic_store_explicit(&hc_drain[i].deadline_ms, deadline,
						      memory_order_relaxed);
			return;
		}
		if (ki == 0 && free_i < 0)
			free_i = i;
		if (atomic_load_explicit(&hc_drain[i].deadline_ms, memory_order_relaxed) <
		    atomic_load_explicit(&hc_drain[early].deadline_ms, memory_order_relaxed))
			early = i;
	}
	if (free_i < 0 && hw < HC_DRAIN_MAX)
		free_i = hw;
	if (free_i < 0) {
		/* full: the entry closest to its end gives way */
		free_i = early;
		drain_del(free_i);
	}
	d = &hc_drain[free_i];
	d->healthy = r->healthy;
	d->v6 = r->v6;
	memcpy(d->addr6, r->addr6, 16);
	d->hc_port = r->hc_port;
	memcpy(d->group_name, r->group_name, sizeof(d->group_name));
	atomic_store_explicit(&d->deadline_ms, deadline, memory_order_relaxed);
	/* pairs with the acquire in draining_key(): deadline first */
	atomic_store_explicit(&d->key, k, memory_order_release);
	if (free_i >= hw)
		atomic_store_explicit(&hc_drain_hw, free_i + 1, memory_order_release);
}

static void
drain_expire(uint64_t now)
{
	int hw = atomic_load_explicit(&hc_drain_hw, memory_order_relaxed);

	for (int i = 0; i < hw; i++)
		if (atomic_load_explicit(&hc_drain[i].key, memory_order_relaxed) != 0 &&
		    atomic_load_explicit(&hc_drain[i].deadline_ms, memory_order_relaxed) <= now)
			drain_del(i);
}

/* ------------------------------------------------------------ queries */

bool
dp_health_healthy(const struct dp_health_client *c, int i)
{
	const struct hc_pool *p = &hc_pool[c->id];

	if (i < 0 || i >= p->max)
		return true;
	return atomic_load_explicit(&hc_healthy[p->slot0 + i], memory_order_relaxed);
}

static bool
rec_draining(int pool, int i, uint64_t now_ms)
{
	const struct hc_pool *p = &hc_pool[pool];

	if (i < 0 || i >= p->n)
		return false;
	return draining_key(pool, hc_rec[p->slot0 + i].addr, hc_rec[p->slot0 + i].port, now_ms);
}

bool
dp_health_draining(const struct dp_health_client *c, int i, uint64_t now_ms)
{
	return rec_draining(c->id, i, now_ms);
}

bool
dp_health_lookup(const struct dp_health_client *c, uint32_t addr, uint16_t port,
		 uint16_t hc_port)
{
	const struct hc_pool *p = &hc_pool[c->id];

	for (int i = p->slot0; i < p->slot0 + p->n; i++) {
		const struct hc_rec *r = &hc_rec[i];

		if (r->addr == addr && r->port == port && r->hc_port == hc_port)
			return atomic_load_explicit(&hc_healthy[i], memory_order_relaxed);
	}
	return true;
}

void
dp_health_counts(const struct dp_health_client *c, int g, unsigned *healthy,
		 unsigned *unhealthy)
{
	const struct hc_pool *p = &hc_pool[c->id];

	*healthy = 0;
	*unhealthy = 0;
	for (int i = p->slot0; i < p->slot0 + p->n; i++) {
		if (hc_rec[i].group != g)
			continue;
		if (atomic_load_explicit(&hc_healthy[i], memory_order_relaxed))
			(*healthy)++;
		else
			(*unhealthy)++;
	}
}

/* ------------------------------------------------------------ JSON */

static void __attribute__((format(printf, 4, 5)))
json_put(char *buf, size_t len, size_t *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*w >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *w, len - *w, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* truncated: stop at the end, still NUL-terminated */
	*w += (size_t)n < len - *w ? (size_t)n : len - *w - 1;
}

static void
json_one(char *buf, size_t len, size_t *w, bool *first, const char *type, const char *group,
	 uint32_t addr, const uint8_t *addr6, uint16_t port, uint16_t hc_port, bool healthy,
	 bool draining)
{
	char a[INET6_ADDRSTRLEN];

	json_put(buf, len, w,
		 "%s{\"type\":\"%s\",\"group\":\"%s\",\"address\":\"%s\",\"port\":%u,"
		 "\"health_port\":%u,\"healthy\":%s,\"draining\":%s}",
		 *first ? "" : ",", type, group, addr6 != NULL ? cfg_ipv6_str(addr6, a, sizeof(a)) :
		 cfg_ipv4_str(addr, a, sizeof(a)), port, hc_port,
		 healthy ? "true" : "false", draining ? "true" : "false");
	*first = false;
}

void
dp_health_json(char *buf, size_t len, size_t *w)
{
	int hw = atomic_load_explicit(&hc_drain_hw, memory_order_relaxed);
	bool first = true;

	json_put(buf, len, w, "[");
	for (int pi = 1; pi <= hc_npool; pi++) {
		const struct hc_pool *p = &hc_pool[pi];

		/* the targets listed now, then the deregistered ones still draining */
		for (int i = 0; i < p->n; i++) {
			const struct hc_rec *r = &hc_rec[p->slot0 + i];

			json_one(buf, len, w, &first, p->c->type, r->group_name, r->addr,
				 r->v6 ? r->addr6 : NULL, r->port,
				 r->hc_port,
				 atomic_load_explicit(&hc_healthy[p->slot0 + i],
						      memory_order_relaxed),
				 rec_draining(pi, i, hc_now));
		}
		for (int i = 0; i < hw; i++) {
			const struct hc_drain *d = &hc_drain[i];
			uint64_t k = atomic_load_explicit(&d->key, memory_order_relaxed);

			if (k == 0 || (int)(k >> 48) != pi ||
			    atomic_load_explicit(&d->deadline_ms, memory_order_relaxed) <= hc_now)
				continue;
			json_one(buf, len, w, &first, p->c->type, d->group_name,
				 (uint32_t)(k >> 16), d->v6 ? d->addr6 : NULL, (uint16_t)k, d->hc_port,
				 d->healthy, true);
		}
	}
	json_put(buf, len, w, "]");
}

/* ------------------------------------------------------------ probes */

static uint32_t
probe_seq(int slot, const struct hc_rec *r)
{
	return dp_map_hash(((uint64_t)r->addr << 32) ^ ((uint64_t)slot << 20) ^ r->nsent ^
			   0x9e3779b97f4a7c15ULL);
}

/* Control thread: send the SYN of record slot (dp/health_wire.c). false: no mbuf. */
static bool
probe_send(const struct hc_rec *r, uint64_t now)
{
	const struct hc_probe p = {
		.v6 = r->v6, .out_port = r->out_port, .src = r->src, .dst = r->addr,
		.src6 = r->src6, .dst6 = r->addr6, .sport = r->sport, .dport = r->hc_port,
		.seq = r->seq,
	};

	return hc_wire_probe(&p, now);
}

uint32_t
dp_health_fold6(const uint8_t a[16])
{
	uint64_t hi, lo;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	/* deterministic (probe sequence numbers derive from it: replays stay exact) */
	return (uint32_t)dp_map_hash(hi ^ (lo * 0x9e3779b97f4a7c15ULL));
}

bool
hc_answer(uint16_t dport, uint64_t key, uint8_t flags, uint32_t ack, bool *synack)
{
	uint64_t ans;
	uint32_t seq;
	int slot = -1;

	for (int p = 1; p <= hc_npool && slot < 0; p++)
		if (dport >= hc_pool[p].c->sport_base &&
		    dport < hc_pool[p].c->sport_base + hc_pool[p].max)
			slot = hc_pool[p].slot0 + dport - hc_pool[p].c->sport_base;
	if (slot < 0)
		return false;
	/* pairs with the release in rec_poll(): dst and seq of the SYN it sent */
	if (atomic_load_explicit(&hc_slot[slot].dst, memory_order_acquire) != key)
		return false;
	seq = atomic_load_explicit(&hc_slot[slot].seq, memory_order_relaxed);
	if (!(flags & RTE_TCP_ACK_FLAG) || ack != seq + 1)
		return false;
	if (flags & RTE_TCP_RST_FLAG)
		ans = HC_ANS_VALID | seq;
	else if (flags & RTE_TCP_SYN_FLAG)
		ans = HC_ANS_VALID | HC_ANS_OK | seq;
	else
		return false;
	atomic_store_explicit(&hc_slot[slot].answer_ms, dp_worker_self()->now_ms,
			      memory_order_relaxed);
	/* pairs with the acquire in rec_poll() / dp_health_next_ms(): answer_ms first */
	atomic_store_explicit(&hc_slot[slot].answer, ans, memory_order_release);
	*synack = (ans & HC_ANS_OK) != 0;
	return true;
}

/* ------------------------------------------------------------ state machine */

static void
rec_log(const struct hc_rec *r, bool h)
{
	char a[INET6_ADDRSTRLEN];

	if (r->v6)
		cfg_ipv6_str(r->addr6, a, sizeof(a));
	else
		cfg_ipv4_str(r->addr, a, sizeof(a));
	DP_LOG(NOTICE, health, "%s %s%s%s:%u: %s after %u %s probes", r->group_name,
	       r->v6 ? "[" : "", a, r->v6 ? "]" : "", r->hc_port, h ? "healthy" : "unhealthy",
	       h ? r->ok : r->fail, h ? "answered" : "failed");
}

/* Apply one probe result; true when the healthy flag changed. */
static bool
rec_verdict(struct hc_rec *r, int i, bool ok)
{
	bool h = atomic_load_explicit(&hc_healthy[i], memory_order_relaxed);

	if (ok) {
		r->fail = 0;
		if (r->ok < UINT32_MAX)
			r->ok++;
		if (!h && r->ok >= r->healthy_thr) {
			atomic_store_explicit(&hc_healthy[i], true, memory_order_relaxed);
			rec_log(r, true);
			return true;
		}
	} else {
		r->ok = 0;
		if (r->fail < UINT32_MAX)
			r->fail++;
		if (h && r->fail >= r->unhealthy_thr) {
			atomic_store_explicit(&hc_healthy[i], false, memory_order_relaxed);
			rec_log(r, false);
			return true;
		}
	}
	return false;
}

/* The answer to record i's outstanding probe, if one arrived in time. */
static bool
rec_answer(const struct hc_rec *r, int i, bool *ok, uint64_t *at)
{
	uint64_t a = atomic_load_explicit(&hc_slot[i].answer, memory_order_acquire);

	if (!(a & HC_ANS_VALID) || (uint32_t)a != r->seq)
		return false;
	*at = atomic_load_explicit(&hc_slot[i].answer_ms, memory_order_relaxed);
	*ok = (a & HC_ANS_OK) != 0;
	/* a late answer is no answer: the timeout decides (replays stay exact) */
	return *at <= r->sent_ms + r->timeout_ms;
}

/* Control thread: one record at time now. Returns true when its health changed. */
static bool
rec_poll(struct hc_rec *r, int i, uint64_t now)
{
	bool changed = false, ok;
	uint64_t at;

	if (!r->enabled || !r->routable)
		return false;
	if (r->outstanding) {
		if (rec_answer(r, i, &ok, &at)) {
			r->outstanding = false;
			changed = rec_verdict(r, i, ok);
		} else if (now >= r->sent_ms + r->timeout_ms) {
			r->outstanding = false;
			changed = rec_verdict(r, i, false);
		}
	}
	if (!r->outstanding && now >= r->next_ms) {
		r->next_ms = now + r->interval_ms;
		r->seq = probe_seq(i, r);
		r->nsent++;
		atomic_store_explicit(&hc_slot[i].seq, r->seq, memory_order_relaxed);
		/* pairs with the acquire in dp_health_input(): seq before dst */
		atomic_store_explicit(&hc_slot[i].dst, (r->v6 ? HC_KEY_V6 : 0) |
				      hc_key(r->addr, r->hc_port), memory_order_release);
		if (probe_send(r, now)) {
			r->outstanding = true;
			r->sent_ms = now;
		}
	}
	return changed;
}


void
dp_health_poll(struct dp_tables *t, uint64_t now_ms)
{
	static bool dirty[DP_HEALTH_MAX_CLIENTS + 1][DP_HEALTH_MAX_GROUPS];
	bool any[DP_HEALTH_MAX_CLIENTS + 1] = { false };

	if (now_ms > hc_now)
		hc_now = now_ms;
	drain_expire(now_ms);
	for (int pi = 1; pi <= hc_npool; pi++) {
		const struct hc_pool *p = &hc_pool[pi];

		memset(dirty[pi], 0, sizeof(dirty[pi]));
		for (int i = p->slot0; i < p->slot0 + p->n; i++)
			if (rec_poll(&hc_rec[i], i, now_ms)) {
				if (hc_rec[i].group >= 0 && hc_rec[i].group < DP_HEALTH_MAX_GROUPS)
					dirty[pi][hc_rec[i].group] = true;
				any[pi] = true;
			}
	}
	for (int pi = 1; pi <= hc_npool; pi++)
		if (any[pi] && hc_pool[pi].c->changed != NULL)
			hc_pool[pi].c->changed(t, dirty[pi], hc_now);
}

/* When record i next needs the control thread. */
static uint64_t
rec_next(const struct hc_rec *r, int i)
{
	uint64_t at;
	bool ok;

	if (!r->enabled || !r->routable)
		return UINT64_MAX;
	if (!r->outstanding)
		return r->next_ms;
	/* an answer already in: its arrival time, so the verdict lands where it belongs */
	if (rec_answer(r, i, &ok, &at))
		return at;
	return r->sent_ms + r->timeout_ms;
}

uint64_t
dp_health_next_ms(void)
{
	uint64_t next = UINT64_MAX;

	for (int pi = 1; pi <= hc_npool; pi++)
		for (int i = hc_pool[pi].slot0; i < hc_pool[pi].slot0 + hc_pool[pi].n; i++)
			next = RTE_MIN(next, rec_next(&hc_rec[i], i));
	return next;
}

/* ------------------------------------------------------------ (re)start */

static void
rec_config(struct hc_rec *r, const struct dp_health_target *d, uint16_t sport)
{
	const struct cfg_health_check *h = d->check;

	memset(r, 0, sizeof(*r));
	r->addr = d->addr;
	r->v6 = d->v6;
	memcpy(r->addr6, d->addr6, 16);
	r->port = d->port;
	r->hc_port = d->hc_port;
	r->sport = sport;
	r->group = d->group;
	snprintf(r->group_name, sizeof(r->group_name), "%s",
		 d->group_name != NULL ? d->group_name : "");
	r->enabled = h->enabled;
	r->interval_ms = h->interval * 1000;
	r->timeout_ms = h->timeout * 1000;
	r->healthy_thr = h->healthy_threshold;
	r->unhealthy_thr = h->unhealthy_threshold;
	r->dereg_ms = d->dereg_ms;
	r->healthy = true;
	if (d->routable) {
		r->routable = true;
		r->out_port = d->out_port;
		r->src = d->src;
		memcpy(r->src6, d->src6, 16);
	}
}

/* Find the running record of (addr, port, hc_port) among [lo, hi). */
static int
rec_find(int lo, int hi, const struct hc_rec *n)
{
	for (int i = lo; i < hi; i++)
		if (hc_rec[i].addr == n->addr && hc_rec[i].port == n->port &&
		    hc_rec[i].hc_port == n->hc_port && hc_rec[i].v6 == n->v6 &&
		    memcmp(hc_rec[i].addr6, n->addr6, 16) == 0)
			return i;
	return -1;
}

/* Carry the state of running record o (index oi) into n (index ni). */
static void
rec_carry(struct hc_rec *n, int ni, const struct hc_rec *o, int oi)
{
	if (!n->enabled)
		return;     /* no checks: healthy, nothing pending */
	n->healthy = atomic_load_explicit(&hc_healthy[oi], memory_order_relaxed);
	if (!o->enabled)
		return;
	n->ok = o->ok;
	n->fail = o->fail;
	n->next_ms = o->next_ms;
	n->nsent = o->nsent;
	n->seq = o->seq;
	/* the probe in flight answers on its old slot: kept only if the slot is the same */
	if (o->outstanding && ni == oi && n->routable && n->src == o->src &&
	    memcmp(n->src6, o->src6, 16) == 0 && n->out_port == o->out_port) {
		n->outstanding = true;
		n->sent_ms = o->sent_ms;
	}
}

static uint64_t
start_now(void)
{
	const struct dp_worker_ctx *w = dp_worker_self();

	if (w != NULL && w->now_ms > hc_now)
		return w->now_ms;
	return hc_now;
}

/* The records of client pi for t (old: there were tables before). */
static void
pool_start(int pi, const struct dp_tables *t, bool old, uint64_t now)
{
	struct hc_pool *p = &hc_pool[pi];
	struct hc_rec *s = &hc_scratch[p->slot0];
	int n = p->c->describe(t, hc_desc, p->max);

	if (n < 0)
		n = 0;
	if (n > p->max)
		n = p->max;
	for (int j = 0; j < n; j++) {
		struct hc_rec *r = &s[j];
		int o;

		rec_config(r, &hc_desc[j], (uint16_t)(p->c->sport_base + j));
		o = old ? rec_find(p->slot0, p->slot0 + p->n, r) : -1;
		if (o >= 0)
			rec_carry(r, p->slot0 + j, &hc_rec[o], o);
	}

	/* deregistration delay: targets gone from every group drain; re-registered ones stop */
	if (old) {
		int hw = atomic_load_explicit(&hc_drain_hw, memory_order_relaxed);

		for (int i = p->slot0; i < p->slot0 + p->n; i++) {
			const struct hc_rec *o = &hc_rec[i];
			bool kept = false;

			for (int j = 0; j < n && !kept; j++)
				kept = s[j].addr == o->addr && s[j].port == o->port;
			if (!kept && o->dereg_ms > 0) {
				struct hc_rec tmp = *o;

				tmp.healthy = atomic_load_explicit(&hc_healthy[i],
								   memory_order_relaxed);
				drain_add(pi, &tmp, now + o->dereg_ms);
			}
		}
		for (int i = 0; i < hw; i++) {
			uint64_t k = atomic_load_explicit(&hc_drain[i].key, memory_order_relaxed);

			for (int j = 0; j < n && k != 0; j++)
				if (drain_key(pi, s[j].addr, s[j].port) == k) {
					drain_del(i);
					break;
				}
		}
	}

	/* install */
	for (int j = 0; j < p->max; j++) {
		int i = p->slot0 + j;

		if (j >= n) {
			atomic_store_explicit(&hc_slot[i].dst, 0, memory_order_relaxed);
			atomic_store_explicit(&hc_healthy[i], true, memory_order_relaxed);
			memset(&hc_rec[i], 0, sizeof(hc_rec[i]));
			continue;
		}
		hc_rec[i] = s[j];
		atomic_store_explicit(&hc_healthy[i], s[j].healthy, memory_order_relaxed);
		if (s[j].outstanding)
			continue;   /* same slot, same probe: what workers see is still right */
		/* an abandoned probe must not be credited to this slot's new record */
		atomic_store_explicit(&hc_slot[i].dst, 0, memory_order_relaxed);
	}
	p->n = n;
}

int
dp_health_start(struct dp_tables *t, struct dp_tables *old)
{
	uint64_t now = start_now();

	if (old == NULL)
		for (int i = 0; i < HC_DRAIN_MAX; i++)
			drain_del(i);
	for (int pi = 1; pi <= hc_npool; pi++)
		pool_start(pi, t, old != NULL, now);
	if (now > hc_now)
		hc_now = now;
	for (int pi = 1; pi <= hc_npool; pi++)
		if (hc_pool[pi].c->changed != NULL)
			hc_pool[pi].c->changed(t, NULL, hc_now);
	return 0;
}

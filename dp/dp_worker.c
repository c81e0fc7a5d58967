/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker poll loop and transmit buffering.
 *
 * tsc clock: rx burst → dp_process_burst → buffered tx, flushed when a buffer
 * fills or every DP_TX_DRAIN_US; RCU quiescent state after every loop.
 *
 * packet clock (replay of captures): every source (port, queue) stages one
 * rx burst and publishes the capture time of its next packet; a worker
 * processes a run of packets only when no other source holds an earlier one
 * and the control thread's next timed event is later (an event at time T
 * happens before the packets captured at T). Packets
 * of several ports on several workers are thus handled in capture order,
 * and timeouts, health checks and LCU windows fall exactly where the
 * capture puts them, whatever the speed or the number of workers.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp/dp.h"
#include "dp/dp_flow.h"
#include "dp/dp_trace.h"
#include "dp/dp_worker.h"
#include "dp/vlan.h"

#define HEAD_UNKNOWN 0
#define HEAD_EOF UINT64_MAX

RTE_DEFINE_PER_LCORE(struct dp_worker_ctx *, dp_wctx);
RTE_DEFINE_PER_LCORE(struct dp_lcore_stats *, dp_stats_p);

uint64_t dp_worker_last_rx_tsc[DP_MAX_WORKERS];

struct dp_worker_ctx *
dp_worker_ctx_init(unsigned id, bool is_control)
{
	struct dp_worker_ctx *w = rte_zmalloc("vpcgw_wctx", sizeof(*w), RTE_CACHE_LINE_SIZE);

	if (w == NULL)
		return NULL;
	w->id = id;
	w->is_control = is_control;
	w->stats = &dp_g.stats[is_control ? dp_g.n_workers : id];
	for (int p = 0; p < dp_g.n_ports; p++)
		w->txq[p] = (!is_control && id < dp_g.ports[p].n_txq) ? (int)id : -1;
	for (unsigned s = 0; s < dp_g.n_sources; s++)
		if (!is_control && dp_g.sources[s].worker == id)
			w->src[w->n_src++] = s;
	RTE_PER_LCORE(dp_wctx) = w;
	RTE_PER_LCORE(dp_stats_p) = w->stats;
	return w;
}

uint64_t
dp_now_ms(void)
{
	return dp_worker_self()->now_ms;
}

/* A port this lcore has no tx queue of: the buffer to the queue's owner
 * through the port's ring; what does not fit is dropped (tx_full). */
static __rte_noinline void
tx_handoff(struct dp_lcore_stats *s, uint16_t p, struct rte_mbuf **b, uint16_t n)
{
	uint16_t sent = (uint16_t)rte_ring_mp_enqueue_burst(dp_g.ports[p].tx_ring, (void **)b, n,
							    NULL);

	for (uint16_t i = sent; i < n; i++) {
		if (dp_meta(b[i])->flags & DP_M_GENERATED) {
			s->port[p].gen_drop++;
		} else {
			s->drops[DP_DROP_tx_full]++;
			s->port[dp_meta(b[i])->in_port].drop++;
		}
		rte_pktmbuf_free(b[i]);
	}
}

/* The packets b[sent..n) the PMD did not take: their counts (made before the
 * burst) taken back, dropped as tx_full. */
static __rte_noinline void
tx_unsent(struct dp_lcore_stats *s, uint16_t p, struct rte_mbuf **b, uint16_t sent, uint16_t n)
{
	for (uint16_t i = sent; i < n; i++) {
		struct dp_meta *md = dp_meta(b[i]);

		if (md->flags & DP_M_GENERATED) {
			s->port[p].gen--;
			s->port[p].gen_drop++;
		} else {
			s->port[p].tx--;
			s->port[p].tx_bytes -= rte_pktmbuf_pkt_len(b[i]);
			if (md->flags & DP_M_TX6) {
				s->port[p].tx6--;
				s->port[p].tx6_bytes -= rte_pktmbuf_pkt_len(b[i]);
			}
			s->port[md->in_port].fwd--;
			s->port[md->in_port].drop++;
			s->drops[DP_DROP_tx_full]++;
		}
		rte_pktmbuf_free(b[i]);
	}
}

void
dp_tx_flush_port(struct dp_worker_ctx *w, uint16_t p)
{
	struct dp_lcore_stats *s = w->stats;
	struct rte_mbuf **b = w->txb[p];
	uint16_t n = w->txn[p], sent;
	uint64_t gen = 0, bytes = 0, n6 = 0, bytes6 = 0;

	if (n == 0)
		return;
	w->txn[p] = 0;
	if (unlikely(dp_g.ports[p].vlan != 0) && (n = dp_vlan_push_burst(b, n, p, s)) == 0)
		return;
	if (w->txq[p] < 0) {
		tx_handoff(s, p, b, n);
		return;
	}
	/* account before the PMD may free what it sent; a buffer's packets
	 * mostly came in on one port (the first's, in) as plain IPv4: one
	 * 32-bit load of dp_meta (proto, flags, tcp_flags, in_port) and one
	 * compare tell such a packet, which adds its bytes only; the rest are
	 * counted one by one (fwd of another port, IPv6, generated). */
	{
		const uint8_t in = dp_meta(b[0])->in_port;
		const uint32_t mask = 0xffu << 24 | (uint32_t)(DP_M_GENERATED | DP_M_TX6) << 8;
		const uint32_t want = (uint32_t)in << 24;
		uint64_t other = 0;

#pragma GCC unroll 4
		for (uint16_t i = 0; i < n; i++) {
			const struct dp_meta *md = dp_meta(b[i]);
			uint32_t x;

			memcpy(&x, &md->proto, sizeof(x));
			if (unlikely((x & mask) != want)) {
				if (md->flags & DP_M_GENERATED) {
					gen++;
					continue;
				}
				if (md->flags & DP_M_TX6) {
					n6++;
					bytes6 += rte_pktmbuf_pkt_len(b[i]);
				}
				if (md->in_port != in) {
					s->port[md->in_port].fwd++;
					other++;
				}
			}
			bytes += rte_pktmbuf_pkt_len(b[i]);
		}
		if (n - gen - other != 0)   /* (a generated packet's in_port names no port) */
			s->port[in].fwd += n - gen - other;
	}
	s->port[p].gen += gen;
	s->port[p].tx += n - gen;
	s->port[p].tx_bytes += bytes;
	if (n6 != 0) {
		s->port[p].tx6 += n6;
		s->port[p].tx6_bytes += bytes6;
	}
	sent = rte_eth_tx_burst(dp_g.ports[p].port_id, (uint16_t)w->txq[p], b, n);
	if (unlikely(sent < n))
		tx_unsent(s, p, b, sent, n);
}

void
dp_tx_enqueue(struct rte_mbuf *m, uint16_t out_port)
{
	struct dp_meta *md = dp_meta(m);

	if (rte_pktmbuf_pkt_len(m) - sizeof(struct rte_ether_hdr) > dp_g.ports[out_port].mtu +
	    ((md->l3 > sizeof(struct rte_ether_hdr)) ? 4u : 0u)) {
		dp_drop(m, DP_DROP_mtu_exceeded);
		return;
	}
	dp_tx_buffer(dp_worker_self(), m, out_port);
}

void
dp_tx_generated(struct rte_mbuf *m, uint16_t out_port)
{
	struct dp_worker_ctx *w = dp_worker_self();

	dp_meta(m)->flags |= DP_M_GENERATED;
	if (w->emit_on)
		dp_emit_add(w, m, out_port, DP_EMIT_GENERATED, w->cur_slot);
	else
		dp_tx_buffer(w, m, out_port);
}

/*
 * The stages of a burst work on vectors, not in arrival order; what they
 * send waits here and leaves sorted by arrival (stable: a packet's own
 * transmissions keep their order), so output is in the order of input as
 * with one packet at a time, whatever stage each packet took.
 */
void
dp_emit_flush(struct dp_worker_ctx *w)
{
	struct dp_emit sorted[DP_EMIT_MAX];
	const struct dp_emit *e = w->emit;
	uint16_t n = w->n_emit;
	bool on = w->emit_on;

	w->n_emit = 0;
	w->emit_on = false;
	if (!w->emit_sorted) {
		uint16_t start[DP_BURST + 1] = { 0 };

		for (uint16_t i = 0; i < n; i++)
			start[e[i].slot + 1]++;
		for (unsigned s = 1; s <= DP_BURST; s++)
			start[s] += start[s - 1];
		for (uint16_t i = 0; i < n; i++)
			sorted[start[e[i].slot]++] = e[i];
		e = sorted;
	}
	for (uint16_t i = 0; i < n; i++) {
		if (unlikely(w->trace_mask != 0))
			dp_trace_emit(w, &e[i]);
		if (e[i].nh == DP_EMIT_GENERATED)
			dp_tx_buffer(w, e[i].m, e[i].port);
		else
			dp_neigh_xmit_now(w, e[i].m, e[i].port, e[i].nh, w->emit_now);
	}
	w->emit_sorted = true;
	w->emit_on = on;
}

void
dp_tx_flush_all(void)
{
	struct dp_worker_ctx *w = dp_worker_self();

	for (uint16_t p = 0; p < dp_g.n_ports; p++)
		dp_tx_flush_port(w, p);
}

/* The owner of tx queue 0 of each port sends what others handed off. */
static void
drain_handoff(struct dp_worker_ctx *w)
{
	struct rte_mbuf *b[DP_BURST];

	for (uint16_t p = 0; p < dp_g.n_ports; p++) {
		unsigned n;

		/* a VLAN port: its device's ring; an empty ring (mostly): two loads */
		if (w->txq[p] != 0 || dp_g.ports[p].vlan != 0 ||
		    rte_ring_empty(dp_g.ports[p].tx_ring))
			continue;
		n = rte_ring_sc_dequeue_burst(dp_g.ports[p].tx_ring, (void **)b, DP_BURST, NULL);
		for (unsigned i = 0; i < n; i++)
			dp_tx_buffer(w, b[i], p);
	}
}

void
dp_worker_ctx_flush(struct dp_worker_ctx *w)
{
	for (uint16_t p = 0; p < dp_g.n_ports; p++)
		dp_tx_flush_port(w, p);
}

static inline void
count_rx(struct dp_worker_ctx *w, struct rte_mbuf **pkts, uint16_t n, uint16_t port)
{
	struct dp_port_stats *ps = &w->stats->port[port];
	uint64_t bytes = 0;
	uint16_t i;

	/* dp_meta.in_port: eth_input sets it; four at a time (a burst is
	 * mostly full): 2 instructions a packet fewer than one by one */
	ps->rx += n;
	for (i = 0; i + 4 <= n; i += 4)
		bytes += (uint64_t)rte_pktmbuf_pkt_len(pkts[i]) + rte_pktmbuf_pkt_len(pkts[i + 1]) +
			 rte_pktmbuf_pkt_len(pkts[i + 2]) + rte_pktmbuf_pkt_len(pkts[i + 3]);
	for (; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	ps->rx_bytes += bytes;
}

static inline uint64_t
pkt_ts_us(const struct rte_mbuf *m)
{
	if (dp_g.ts_offset < 0 || !(m->ol_flags & dp_g.ts_flag))
		return 1;
	return *RTE_MBUF_DYNFIELD(m, dp_g.ts_offset, const uint64_t *);
}

static void
housekeeping(struct dp_worker_ctx *w, bool is_owner)
{
	uint64_t tsc = rte_rdtsc();

	if (is_owner)
		drain_handoff(w);
	/* packet clock: time also passes with the control thread's events */
	dp_flow_expire(RTE_MAX(w->now_ms, atomic_load_explicit(&dp_g.ctl_done_ms,
							       memory_order_acquire)),
		       DP_FLOW_EXPIRE_BUDGET);
	if (tsc - w->last_flush_tsc > dp_g.tsc_hz / 1000000 * DP_TX_DRAIN_US) {
		w->last_flush_tsc = tsc;
		if (w->arpq_n)
			dp_neigh_poll(w->now_ms, false);
		dp_tx_flush_all();
	}
}

static bool
owns_queue0(const struct dp_worker_ctx *w)
{
	for (int p = 0; p < dp_g.n_ports; p++)
		if (w->txq[p] == 0)
			return true;
	return false;
}

/*
 * dpdk.idle_sleep_us (docs/config.md): after DP_IDLE_POLLS polls that found
 * no packet, the worker sleeps 1 us, then twice as long each time up to the
 * maximum, until a poll finds one; as OVS's pmd-sleep-max and DPDK's
 * l3fwd-power do. Only an idle worker sleeps: a poll that finds packets
 * resets it, so a loaded worker never makes a system call. It is offline
 * for RCU while it sleeps (a grace period does not wait for it; the health
 * port's "every worker polls" counts it as polling).
 */
static void
idle_sleep(struct dp_worker_ctx *w, uint32_t *sleep_us)
{
	*sleep_us = *sleep_us == 0 ? 1 : RTE_MIN(*sleep_us * 2, dp_g.idle_sleep_us);
	w->stats->idle_sleeps++;
	rte_rcu_qsbr_thread_offline(dp_g.rcu, w->id);
	rte_delay_us_sleep(*sleep_us);
	rte_rcu_qsbr_thread_online(dp_g.rcu, w->id);
}

static void
loop_tsc(struct dp_worker_ctx *w)
{
	struct rte_mbuf *pkts[DP_BURST];
	bool owner = owns_queue0(w);
	uint64_t ms_div = dp_g.tsc_hz / 1000;
	unsigned empty = 0;
	uint32_t sleep_us = 0;

	while (!atomic_load_explicit(&dp_g.quit, memory_order_relaxed)) {
		bool got = false;

		w->now_ms = rte_rdtsc() / ms_div;
		for (unsigned i = 0; i < w->n_src; i++) {
			const struct dp_source *s = &dp_g.sources[w->src[i]];
			uint16_t n = rte_eth_rx_burst(dp_g.ports[s->port].port_id, s->queue, pkts,
						      DP_BURST);

			if (n == 0)
				continue;
			got = true;
			dp_worker_last_rx_tsc[w->id] = rte_rdtsc();
			count_rx(w, pkts, n, s->port);
			dp_process_burst(pkts, n, s->port, w->now_ms);
			w->stats->bursts++;
		}
		housekeeping(w, owner);
		rte_rcu_qsbr_quiescent(dp_g.rcu, w->id);
		if (likely(got || dp_g.idle_sleep_us == 0)) {
			empty = 0;
			sleep_us = 0;
		} else if (++empty >= DP_IDLE_POLLS) {
			idle_sleep(w, &sleep_us);
		}
	}
}

/* (head, index) order: the control pseudo source sorts after all sources. */
static inline bool
before(uint64_t ha, unsigned ia, uint64_t hb, unsigned ib)
{
	return ha < hb || (ha == hb && ia < ib);
}

/*
 * The worker loop under the packet clock. Long (~110 lines) because it is one
 * scheduling decision: refill and publish this worker's sources, find the
 * earliest packet against the other workers' sources and the control
 * thread's next event, run the packets of one millisecond up to that bound,
 * publish the new head. Split, the bound and heads would have to travel
 * between the pieces on every iteration.
 */
static void
loop_packet(struct dp_worker_ctx *w)
{
	bool owner = owns_queue0(w);
	unsigned empty = 0;
	uint32_t sleep_us = 0;

	while (!atomic_load_explicit(&dp_g.quit, memory_order_relaxed)) {
		int best = -1;
		uint64_t best_h = HEAD_EOF, bound_h = HEAD_EOF, ctl_h;
		unsigned bound_i = UINT32_MAX;
		struct dp_stage *st;
		uint16_t k;

		/* refill and publish own sources */
		for (unsigned i = 0; i < w->n_src; i++) {
			unsigned si = w->src[i];
			struct dp_source *s = &dp_g.sources[si];

			st = &w->stage[i];
			if (st->head == st->n && !st->eof) {
				st->head = 0;
				st->n = rte_eth_rx_burst(dp_g.ports[s->port].port_id, s->queue,
							 st->pkts, DP_BURST);
				if (st->n == 0) {
					/* net_pcap returns 0 at the end of its file, and
					 * also when the pool is empty: only the first is
					 * the end */
					struct rte_eth_stats es;

					if (rte_eth_stats_get(dp_g.ports[s->port].port_id, &es) == 0 &&
					    es.rx_nombuf != w->nombuf[i]) {
						w->nombuf[i] = es.rx_nombuf;
					} else {
						st->eof = true;
					}
				} else {
					dp_worker_last_rx_tsc[w->id] = rte_rdtsc();
					count_rx(w, st->pkts, st->n, s->port);
				}
			}
			atomic_store_explicit(&s->head_us, st->head < st->n ?
					      pkt_ts_us(st->pkts[st->head]) : HEAD_EOF,
					      memory_order_release);
			if (st->head < st->n && before(pkt_ts_us(st->pkts[st->head]), si, best_h,
						       best < 0 ? UINT32_MAX : w->src[best])) {
				best = (int)i;
				best_h = pkt_ts_us(st->pkts[st->head]);
			}
		}
		if (best < 0)
			goto idle;
		/* the earliest other source, or the control thread's next event */
		for (unsigned si = 0; si < dp_g.n_sources; si++) {
			uint64_t h;

			if (si == w->src[best])
				continue;
			h = atomic_load_explicit(&dp_g.sources[si].head_us, memory_order_acquire);
			if (before(h, si, bound_h, bound_i)) {
				bound_h = h;
				bound_i = si;
			}
		}
		/* the control thread's event at time T comes before packets at T */
		ctl_h = atomic_load_explicit(&dp_g.ctl_head_us, memory_order_acquire);
		if (!before(best_h, w->src[best], bound_h, bound_i) || best_h >= ctl_h)
			goto idle;
		/* a run of packets of one millisecond, none after the bound */
		st = &w->stage[best];
		w->now_ms = best_h / 1000;
		for (k = 0; st->head + k < st->n; k++) {
			uint64_t h = pkt_ts_us(st->pkts[st->head + k]);

			if (h / 1000 != w->now_ms || !before(h, w->src[best], bound_h, bound_i) ||
			    h >= ctl_h)
				break;
		}
		{
			uint64_t cur = atomic_load_explicit(&dp_g.pkt_now_us, memory_order_relaxed);

			while (cur < best_h && !atomic_compare_exchange_weak(&dp_g.pkt_now_us, &cur,
									     best_h))
				;
		}
		/* what the control thread sent for its events before this run
		 * (health checks' ARP requests, probes) leaves before the run's
		 * packets: the event came first, and the order of the output
		 * must not depend on when this worker last idled */
		if (owner)
			drain_handoff(w);
		dp_flow_expire_sync(w->now_ms, dp_g.rcu, w->id);
		dp_process_burst(&st->pkts[st->head], k, dp_g.sources[w->src[best]].port, w->now_ms);
		st->head += k;
		w->stats->bursts++;
		/* everything this run produced goes out before the next source's turn */
		if (w->arpq_n)
			dp_neigh_poll(w->now_ms, false);
		dp_tx_flush_all();
		atomic_store_explicit(&dp_g.sources[w->src[best]].head_us,
				      st->head < st->n ? pkt_ts_us(st->pkts[st->head]) :
				      (st->eof ? HEAD_EOF : HEAD_UNKNOWN), memory_order_release);
		if (owner)
			drain_handoff(w);
		rte_rcu_qsbr_quiescent(dp_g.rcu, w->id);
		empty = 0;
		sleep_us = 0;
		continue;
idle:
		housekeeping(w, owner);
		rte_rcu_qsbr_quiescent(dp_g.rcu, w->id);
		if (dp_g.idle_sleep_us != 0 && ++empty >= DP_IDLE_POLLS)
			idle_sleep(w, &sleep_us);
		else
			rte_pause();
	}
}

int
dp_worker_main(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct dp_worker_ctx *w = dp_worker_ctx_init(id, false);

	if (w == NULL)
		return -ENOMEM;
	rte_rcu_qsbr_thread_register(dp_g.rcu, id);
	rte_rcu_qsbr_thread_online(dp_g.rcu, id);
	w->last_flush_tsc = rte_rdtsc();
	if (dp_g.opts.clock == DP_CLOCK_PACKET)
		loop_packet(w);
	else
		loop_tsc(w);
	/* drain: what waits for ARP is dropped (counted), what is buffered goes out */
	dp_neigh_poll(w->now_ms, true);
	for (int i = 0; i < 4; i++) {
		if (owns_queue0(w))
			drain_handoff(w);
		dp_tx_flush_all();
	}
	for (unsigned i = 0; i < w->n_src; i++)
		for (struct dp_stage *st = &w->stage[i]; st->head < st->n; st->head++) {
			struct dp_meta *md = dp_meta(st->pkts[st->head]);

			/* counted as received on this source's port (eth_input never saw it) */
			md->in_port = (uint8_t)dp_g.sources[w->src[i]].port;
			md->flags = 0;
			dp_drop(st->pkts[st->head], DP_DROP_shutdown);
		}
	dp_flow_worker_flush();
	rte_rcu_qsbr_thread_offline(dp_g.rcu, id);
	rte_rcu_qsbr_thread_unregister(dp_g.rcu, id);
	return 0;
}

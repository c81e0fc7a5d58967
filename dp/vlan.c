/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Overlapping VPCs (SPEC §8): kept apart by port and 802.1Q VLAN.
 *
 * A (port, VLAN) that subnets use is a VLAN port (config/cfg_vpc.c,
 * ld_vpc_vrf): a port of its own for the whole data plane (the source check,
 * ARP, neighbors keyed by port and address, output, counters), with no device:
 * it sends and receives through its parent's. Here:
 *  - a burst of a device that has VLAN ports is split (dp_vlan_burst) into
 *    runs of consecutive frames of one port: the tag names the VLAN port and
 *    is removed, an untagged frame stays on the device (dropped as
 *    vlan_untagged when no subnet, internet gateway or attachment is there),
 *    a tag no subnet of the device uses is vlan_unknown. Runs keep the
 *    arrival order, and each run is one burst of the pipeline (a burst comes
 *    in on one port). A device without VLAN ports pays one test a burst.
 *  - what leaves through a VLAN port gets its tag when the worker's buffer
 *    of that port is flushed (dp_vlan_push_burst).
 *  - a VPC that overlaps another has a flow zone (cfg_vpc.zone): eth_input
 *    puts its port's zone in each packet's flow key, so the same 5-tuple in
 *    two VPCs is two flows; its subnets are looked up in its own table
 *    (dp_subnet_lookup_zone), its routers' addresses are keyed with the zone
 *    in dp_tables.local (dp_local_key). Zone 0 (every VPC of a
 *    configuration without overlap) keeps the tables and the path as they
 *    were.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "dp/vlan.h"

int
dp_zone_tables_build(struct dp_tables *t, const struct cfg *cfg)
{
	struct dp_lpm_prefix *p;
	bool any = false;
	int rc = 0;

	for (int i = 0; i < cfg->n_subnets; i++) {
		uint8_t z = dp_subnet_zone(cfg, i);

		if (cfg->subnets[i].port >= 0 && cfg->subnets[i].port < DP_MAX_PORTS)
			t->port_zone[cfg->subnets[i].port] = z;
		any |= z != 0;
	}
	if (!any)
		return 0;
	t->zone_subnet = calloc((size_t)cfg->n_vpcs, sizeof(*t->zone_subnet));
	p = calloc((size_t)cfg->n_subnets + 1, sizeof(*p));
	if (t->zone_subnet == NULL || p == NULL) {
		free(p);
		return -ENOMEM;
	}
	for (int v = 0; v < cfg->n_vpcs && rc == 0; v++) {
		unsigned k = 0;

		if (cfg->vpcs[v].zone == 0)
			continue;
		for (int i = 0; i < cfg->n_subnets; i++)
			if (cfg->subnets[i].vpc == v)
				p[k++] = (struct dp_lpm_prefix){ cfg->subnets[i].cidr.addr,
								 cfg->subnets[i].cidr.len,
								 (uint32_t)i };
		rc = dp_lpm_build(&t->zone_subnet[v], p, k, (uint32_t)cfg->n_subnets);
	}
	free(p);
	return rc;
}

void
dp_zone_tables_free(struct dp_tables *t)
{
	if (t->zone_subnet == NULL)
		return;
	for (int v = 0; v < t->cfg->n_vpcs; v++)
		if (t->cfg->vpcs[v].zone != 0)
			dp_lpm_free(&t->zone_subnet[v]);
	free(t->zone_subnet);
	t->zone_subnet = NULL;
}

int
dp_subnet_lookup_vrf(const struct dp_tables *t, uint8_t zone, uint32_t addr_host)
{
	unsigned v = zone & ~CFG_ZONE_VPC;
	uint32_t s;

	if (t->zone_subnet == NULL || !(zone & CFG_ZONE_VPC) || v >= (unsigned)t->cfg->n_vpcs ||
	    t->cfg->vpcs[v].zone != zone)
		return -1;
	s = dp_lpm_lookup(&t->zone_subnet[v], addr_host);
	return s == (uint32_t)t->cfg->n_subnets ? -1 : (int)s;
}

/* The VLAN port of tag on device port dev, or -1. */
static int
vlan_port_of(uint16_t dev, uint16_t tag)
{
	for (int p = 0; p < dp_g.n_ports; p++)
		if (dp_g.ports[p].vlan == tag && dp_g.ports[p].parent == dev)
			return p;
	return -1;
}

static void
vlan_drop(struct rte_mbuf *m, uint16_t in_port, enum dp_drop reason)
{
	struct dp_meta *md = dp_meta(m);

	md->in_port = (uint8_t)in_port;
	md->flags = 0;
	md->slot = DP_SLOT_NONE;
	dp_drop(m, reason);
}

/* The 12 bytes of the MAC addresses moved by 4 (the tag's room): through
 * registers, no call. */
static inline void
vlan_macs_move(uint8_t *to, const uint8_t *from)
{
	uint64_t a;
	uint32_t b;

	memcpy(&a, from, 8);
	memcpy(&b, from + 8, 4);
	memcpy(to, &a, 8);
	memcpy(to + 8, &b, 4);
}

/* A run of one port's frames to the pipeline; what it received moves from
 * the device's counters to the port's (count_rx counted the device). */
static inline void
vlan_run(struct rte_mbuf **run, uint16_t k, uint16_t port, uint16_t dev, uint64_t bytes,
	 uint64_t now_ms)
{
	if (port != dev) {
		struct dp_port_stats *ps = dp_stats_self()->port;

		ps[dev].rx -= k;
		ps[dev].rx_bytes -= bytes;
		ps[port].rx += k;
		ps[port].rx_bytes += bytes;
	}
	dp_process_run(run, k, port, now_ms);
}

void
dp_vlan_burst(struct rte_mbuf **pkts, uint16_t n, uint16_t in_port, uint64_t now_ms)
{
	/* untagged frames: for the device's own roles (internet, attachments) */
	bool untagged_ok = dp_g.ports[in_port].roles != 0;
	struct rte_mbuf *run[DP_BURST];
	uint16_t k = 0, cur = in_port, last_tci = 0xffff;
	int last_p = -1;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t *h = rte_pktmbuf_mtod(m, uint8_t *);
		const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)h;
		uint32_t len = rte_pktmbuf_pkt_len(m);
		int p = in_port;

		if (rte_pktmbuf_data_len(m) >= sizeof(*eth) + sizeof(struct rte_vlan_hdr) &&
		    eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
			const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

			/* a burst is mostly one VLAN: the last answer first */
			if (vh->vlan_tci != last_tci) {
				last_tci = vh->vlan_tci;
				last_p = vlan_port_of(in_port,
						      rte_be_to_cpu_16(vh->vlan_tci) & 0xfff);
			}
			p = last_p;
			if (p < 0) {
				vlan_drop(m, in_port, DP_DROP_vlan_unknown);
				continue;
			}
			vlan_macs_move(h + sizeof(struct rte_vlan_hdr), h);
			rte_pktmbuf_adj(m, sizeof(struct rte_vlan_hdr));
		} else if (!untagged_ok && rte_pktmbuf_data_len(m) >= sizeof(*eth) &&
			   eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
			vlan_drop(m, in_port, DP_DROP_vlan_untagged);
			continue;
		}
		if (p != cur && k > 0) {
			vlan_run(run, k, cur, in_port, bytes, now_ms);
			k = 0;
			bytes = 0;
		}
		cur = (uint16_t)p;
		run[k++] = m;
		bytes += len;
	}
	if (k > 0)
		vlan_run(run, k, cur, in_port, bytes, now_ms);
}

uint16_t
dp_vlan_push_burst(struct rte_mbuf **b, uint16_t n, uint16_t port, struct dp_lcore_stats *s)
{
	uint16_t k = 0, tag = dp_g.ports[port].vlan;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = b[i];
		uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(struct rte_vlan_hdr));
		struct rte_vlan_hdr *vh;

		if (unlikely(h == NULL)) {     /* no headroom: never from our pool */
			struct dp_meta *md = dp_meta(m);

			if (md->flags & DP_M_GENERATED) {
				s->port[port].gen_drop++;
			} else {
				s->drops[DP_DROP_tx_full]++;
				s->port[md->in_port].drop++;
			}
			rte_pktmbuf_free(m);
			continue;
		}
		vlan_macs_move(h, h + sizeof(struct rte_vlan_hdr));
		((struct rte_ether_hdr *)h)->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh = (struct rte_vlan_hdr *)(h + sizeof(struct rte_ether_hdr));
		vh->vlan_tci = rte_cpu_to_be_16(tag);
		b[k++] = m;
	}
	return k;
}
